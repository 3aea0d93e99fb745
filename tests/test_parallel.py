"""Parallel builds: worker processes, every result reported in plan order, failures never lost."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from conftest import ROOT, pdf_text, run_cli, write_pack
from studypack import parallel
from studypack.parallel import Failure, Runner, start_context


def pack(title: str) -> dict:
    return {"title": title, "sections": [{"title": "Only", "questions": [
        {"id": "q1", "question": f"What is {title}?", "answer": f"{title} is the answer."}]}]}


def test_two_jobs_write_every_file_in_plan_order_and_weasyprint_only_in_workers(tmp_path):
    content, out = tmp_path / "content", tmp_path / "out"
    for name in ("alpha", "beta"):
        write_pack(content, name, pack(name.title()))
    probe = (
        "import sys\n"
        "from studypack.cli import main\n"
        f"code = main(['--content', {str(content)!r}, '--output', {str(out)!r}, '--jobs', '2', "
        "'--edition', 'guide', '--edition', 'answer-key'])\n"
        "print('exit', code, 'weasyprint in parent:', 'weasyprint' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(ROOT)}, cwd=tmp_path, timeout=120)
    lines = done.stdout.splitlines()
    assert lines[-1] == "exit 0 weasyprint in parent: False", done.stdout + done.stderr
    assert [Path(line).name for line in lines[:-1]] == [
        "alpha-guide.pdf", "alpha-answer-key.pdf", "beta-guide.pdf", "beta-answer-key.pdf"]
    assert "Beta is the answer." in pdf_text(out / "beta-answer-key.pdf")


def test_a_failing_document_is_reported_with_its_pack_and_edition(tmp_path):
    content, out = tmp_path / "content", tmp_path / "out"
    write_pack(content, "alpha", pack("Alpha"))
    (out / "alpha-guide.pdf").mkdir(parents=True)  # the guide cannot be put in place
    done = run_cli("--content", content, "--output", out, "--jobs", "2",
                   "--edition", "guide", "--edition", "answer-key")
    assert done.code == 1
    assert "alpha.yaml: error: could not move its new PDFs into place (IsADirectoryError" in done.err
    # a pack's files move into place together or not at all; no result was dropped on the way
    assert done.out == "" and not (out / "alpha-answer-key.pdf").exists()
    assert not list(out.glob(".*.tmp"))


def test_one_job_or_one_document_starts_no_pool():
    with Runner(jobs=1, expected=6) as runner:
        assert runner.pool is None
    with Runner(jobs=4, expected=1) as runner:
        assert runner.pool is None
    with Runner(jobs=4, expected=0) as runner:
        assert runner.pool is None


def square_or_fail(n: int, _context=None) -> int:
    if n == 3:
        raise ValueError("three is not allowed")
    return n * n


def die_on_two(n: int, _context=None) -> int:
    if n == 2:
        os._exit(9)  # a worker killed mid-job (out of memory, a crash in a C library)
    return n


def test_a_raising_job_leaves_every_other_result_in_order():
    with Runner(jobs=2, expected=5) as runner:
        results = [(job, outcome)
                   for job, outcome, _ in runner.run(square_or_fail, [1, 2, 3, 4, 5])]
    assert [job for job, _ in results] == [1, 2, 3, 4, 5]
    assert [o for _, o in results if not isinstance(o, Failure)] == [1, 4, 16, 25]
    failure = results[2][1]
    assert isinstance(failure, Failure)
    assert failure.message == "ValueError: three is not allowed"
    assert "square_or_fail" in failure.detail  # the traceback survives for a bug report


def test_a_dead_worker_is_a_failure_not_a_lost_result():
    with Runner(jobs=2, expected=3) as runner:
        outcomes = [outcome for _, outcome, _ in runner.run(die_on_two, [1, 2, 3])]
    assert len(outcomes) == 3
    assert isinstance(outcomes[1], Failure) and "died" in outcomes[1].message


def test_fork_only_while_weasyprint_is_not_loaded_here(monkeypatch):
    monkeypatch.setitem(sys.modules, "weasyprint", object())
    assert start_context().get_start_method() in ("forkserver", "spawn")
    monkeypatch.delitem(sys.modules, "weasyprint")
    monkeypatch.setattr(parallel.threading, "active_count", lambda: 1)
    assert start_context().get_start_method() == "fork"
    monkeypatch.setattr(parallel.threading, "active_count", lambda: 2)
    assert start_context().get_start_method() != "fork"


def test_jobs_must_be_a_positive_number(tmp_path):
    for bad in ("0", "-1", "two"):
        done = run_cli("--content", tmp_path, "--jobs", bad)
        assert done.code == 2
        assert "--jobs" in done.err


def test_a_single_stale_document_is_built_without_a_pool(tmp_path, monkeypatch):
    from studypack import build as build_module

    content, out = tmp_path / "content", tmp_path / "out"
    write_pack(content, "alpha", pack("Alpha"))
    editions = ("--edition", "guide", "--edition", "answer-key")
    assert run_cli("--content", content, "--output", out, "--jobs", "1", *editions).code == 0
    (out / "alpha-guide.pdf").unlink()
    pools = []

    class Spy(Runner):
        def __enter__(self):
            entered = super().__enter__()
            pools.append(self.pool)
            return entered

    monkeypatch.setattr(build_module, "Runner", Spy)
    done = run_cli("--content", content, "--output", out, "--jobs", "2", *editions)
    assert done.code == 0, done.err
    assert [Path(line).name for line in done.out.splitlines()] == ["alpha-guide.pdf"]
    assert pools == [None]


def pid_of(job: tuple[str, str], _context=None) -> tuple[str, int]:
    """The job's process; with STUDYPACK_TEST_MEET set, a job first waits (at most 60 s) until
    two processes have started jobs, so that a busy machine, where one worker could otherwise
    take every task while the other still starts, cannot make the test fail."""
    meet = os.environ.get("STUDYPACK_TEST_MEET")
    if meet:
        (Path(meet) / str(os.getpid())).touch()
        waited = 0.0
        while len(list(Path(meet).iterdir())) < 2 and waited < 60:
            time.sleep(0.01)
            waited += 0.01
    return job[1], os.getpid()


def test_jobs_kept_together_run_in_one_process_in_order_and_come_back_in_plan_order(
        tmp_path, monkeypatch):
    jobs = [("a", "guide"), ("a", "worksheet"), ("a", "key"), ("b", "guide"), ("b", "worksheet"),
            ("b", "key")]
    def together(job):
        return job[0] if job[1] != "guide" else None

    for workers in (1, 2):
        if workers == 2:
            monkeypatch.setenv("STUDYPACK_TEST_MEET", str(tmp_path))
        with Runner(jobs=workers, expected=len(jobs)) as runner:
            results = list(runner.run(pid_of, jobs, cost=lambda job: 1.0, together=together))
        assert [job for job, _, _ in results] == jobs
        pids = {job: outcome[1] for job, outcome, _ in results}
        assert pids["a", "worksheet"] == pids["a", "key"]
        assert pids["b", "worksheet"] == pids["b", "key"]
        if workers == 2:
            assert len(set(pids.values())) == 2  # the groups still spread over the workers


def test_a_build_leaves_nothing_in_the_temporary_folder(tmp_path):
    """WeasyPrint copies the fonts into a weasyprint-XXXX folder that only its finalizer removes;
    workers end without running it. Each render session removes its own, in every process."""
    content = tmp_path / "content"
    write_pack(content, "alpha", pack("Alpha"))
    write_pack(content, "beta", pack("Beta"))
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    for jobs in ("1", "2"):
        done = subprocess.run(
            [sys.executable, "build.py", "--content", str(content), "--output",
             str(tmp_path / f"out-{jobs}"), "--jobs", jobs, "--edition", "guide",
             "--edition", "flashcards", "-q"],
            cwd=ROOT, capture_output=True, text=True, timeout=120,
            env={**os.environ, "TMPDIR": str(temporary)})
        assert done.returncode == 0, done.stderr
        assert sorted(p.name for p in temporary.iterdir()) == []


def test_without_semaphores_the_build_runs_in_this_process(tmp_path, monkeypatch):
    """Where no worker pool can be made (no writable /dev/shm, as in some containers), --jobs 2
    builds every document in this process with a one-line note, not a traceback."""
    import concurrent.futures

    def refused(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(concurrent.futures, "ProcessPoolExecutor", refused)
    content, out = tmp_path / "content", tmp_path / "out"
    write_pack(content, "alpha", pack("Alpha"))
    done = run_cli("--content", content, "--output", out, "--jobs", "2",
                   "--edition", "guide", "--edition", "answer-key")
    assert done.code == 0, done.err
    assert "note: no worker processes here (Permission denied)" in done.err
    assert "Traceback" not in done.err
    assert "Alpha is the answer." in pdf_text(out / "alpha-answer-key.pdf")
    assert (out / "alpha-guide.pdf").is_file()
