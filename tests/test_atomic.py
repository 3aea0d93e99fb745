"""Nothing lost: a failed or interrupted build leaves every earlier PDF as it was and no stray file."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import studypack.atomic as atomic
import studypack.pdf as pdf
from studypack.atomic import commit, stage
from conftest import ROOT, pdf_text, run_cli, small_pack, write_pack, output_files

EDITIONS = ("guide", "worksheet")


def old_outputs(output: Path, packs: tuple[str, ...]) -> dict[str, bytes]:
    """Stand-ins for the PDFs of an earlier build, each with its own content."""
    output.mkdir(parents=True, exist_ok=True)
    files = {}
    for pack in packs:
        for edition in EDITIONS:
            name = f"{pack}-{edition}.pdf"
            files[name] = f"%PDF-1.7 earlier build of {name}".encode()
            (output / name).write_bytes(files[name])
    return files


def listing(output: Path) -> list[str]:
    return output_files(output)


def assert_unchanged(output: Path, old: dict[str, bytes], names: list[str]) -> None:
    for name in names:
        assert (output / name).read_bytes() == old[name], f"{name} was changed"


def assert_rebuilt(output: Path, pack: str, title: str) -> None:
    for edition in EDITIONS:
        path = output / f"{pack}-{edition}.pdf"
        assert path.read_bytes().startswith(b"%PDF-"), path
        assert title in pdf_text(path), path


def build(content: Path, output: Path):
    args = ["--content", content, "--output", output]
    for edition in EDITIONS:
        args += ["--edition", edition]
    return run_cli(*args)


@pytest.fixture
def two_packs(tmp_path):
    content = tmp_path / "content"
    write_pack(content, "alpha", small_pack(title="Alpha Pack"))
    write_pack(content, "beta", small_pack(title="Beta Pack"))
    return content, tmp_path / "output"


def test_content_error_keeps_the_packs_pdfs_and_the_others_build(two_packs):
    content, output = two_packs
    old = old_outputs(output, ("alpha", "beta"))
    (content / "beta.yaml").write_text((content / "beta.yaml").read_text()
                                       .replace("key_points:", "key_point:", 1))
    run = build(content, output)
    assert run.code == 1
    assert "unknown key 'key_point'; did you mean 'key_points'?" in run.err
    assert "Traceback" not in run.err
    assert_rebuilt(output, "alpha", "Alpha Pack")
    assert_unchanged(output, old, ["beta-guide.pdf", "beta-worksheet.pdf"])
    assert listing(output) == sorted(old)


def test_render_failure_keeps_all_of_that_packs_pdfs_and_the_others_build(two_packs, monkeypatch):
    content, output = two_packs
    old = old_outputs(output, ("alpha", "beta"))
    real = pdf.html_to_pdf
    calls = []

    def html_to_pdf(html, root, *rest):
        calls.append(html)
        if "Beta Pack" in html and len([h for h in calls if "Beta Pack" in h]) == 2:
            raise RuntimeError("layout exploded")  # beta's worksheet, after its guide was made
        return real(html, root, *rest)

    monkeypatch.setattr(pdf, "html_to_pdf", html_to_pdf)
    run = build(content, output)
    assert run.code == 1
    assert "RuntimeError: layout exploded" in run.err  # a bug keeps its traceback
    assert ("beta.yaml: error: could not build the worksheet (RuntimeError: layout exploded); "
            "its earlier PDFs are unchanged") in run.err
    assert_rebuilt(output, "alpha", "Alpha Pack")
    # The guide of beta was rendered, but the set is replaced together or not at all.
    assert_unchanged(output, old, ["beta-guide.pdf", "beta-worksheet.pdf"])
    assert listing(output) == sorted(old)


@pytest.mark.parametrize("interrupt_at, rebuilt", [(1, ()), (2, ()), (4, ("alpha",))])
def test_ctrl_c_during_a_build_leaves_only_complete_pdfs(two_packs, monkeypatch, interrupt_at,
                                                         rebuilt):
    content, output = two_packs
    old = old_outputs(output, ("alpha", "beta"))
    real = pdf.html_to_pdf
    calls = []

    def html_to_pdf(html, root, *rest):
        calls.append(1)
        if len(calls) == interrupt_at:
            raise KeyboardInterrupt
        return real(html, root, *rest)

    monkeypatch.setattr(pdf, "html_to_pdf", html_to_pdf)
    run = build(content, output)
    assert run.code == 130
    assert "interrupted" in run.err
    assert listing(output) == sorted(old)
    for pack in ("alpha", "beta"):
        if pack in rebuilt:
            assert_rebuilt(output, pack, f"{pack.title()} Pack")
        else:
            assert_unchanged(output, old, [f"{pack}-{e}.pdf" for e in EDITIONS])


def test_ctrl_c_while_a_file_is_written_removes_its_temporary_file(tmp_path, monkeypatch):
    target = tmp_path / "out" / "pack-guide.pdf"
    target.parent.mkdir()
    target.write_bytes(b"%PDF-old")

    def interrupted(fd):
        raise KeyboardInterrupt

    monkeypatch.setattr(atomic.os, "fsync", interrupted)
    with pytest.raises(KeyboardInterrupt):
        stage(target, b"%PDF-new")
    assert listing(target.parent) == ["pack-guide.pdf"]
    assert target.read_bytes() == b"%PDF-old"


def test_ctrl_c_during_the_final_moves_waits_until_the_set_is_complete(tmp_path, monkeypatch):
    out = tmp_path / "out"
    out.mkdir()
    names = ["p-guide.pdf", "p-worksheet.pdf", "p-answer-key.pdf"]
    for name in names:
        (out / name).write_bytes(b"old")
    staged = [stage(out / name, b"new") for name in names]
    real_replace = os.replace
    moved = []

    def replace(src, dst):
        if not moved:
            os.kill(os.getpid(), signal.SIGINT)  # Ctrl-C right as the first file moves
        real_replace(src, dst)
        moved.append(dst)

    monkeypatch.setattr(atomic.os, "replace", replace)
    with pytest.raises(KeyboardInterrupt):
        commit(staged)
    assert len(moved) == 3
    assert {(out / n).read_bytes() for n in names} == {b"new"}
    assert listing(out) == sorted(names)


def test_a_failed_write_leaves_the_target_and_no_temporary_file(tmp_path, monkeypatch):
    target = tmp_path / "pack-guide.pdf"
    target.write_bytes(b"%PDF-old")

    def disk_full(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(atomic.os, "fsync", disk_full)
    with pytest.raises(OSError):
        atomic.write_atomic(target, b"%PDF-new")
    assert listing(tmp_path) == ["pack-guide.pdf"]
    assert target.read_bytes() == b"%PDF-old"


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_sigint_to_a_real_build_process(tmp_path, jobs):
    """The command run as authors run it, stopped with Ctrl-C in the middle: SIGINT to its whole
    process group, workers included, as a terminal sends it."""
    content, output = tmp_path / "content", tmp_path / "output"
    write_pack(content, "alpha", small_pack(title="Alpha Pack"))
    slow = small_pack(title="Beta Pack")
    slow["sections"][1]["questions"] = [
        {"question": f"Question {i} on DNS?", "answer": "Names become addresses. " * 30}
        for i in range(150)]
    write_pack(content, "beta", slow)
    old = old_outputs(output, ("alpha", "beta"))
    command = [sys.executable, "build.py", "--content", str(content), "--output", str(output),
               "--jobs", jobs]
    for edition in EDITIONS:
        command += ["--edition", edition]
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True, start_new_session=True)
    try:
        # alpha is built first; once its files are reported, beta's are being rendered.
        for _ in EDITIONS:
            assert "alpha-" in process.stdout.readline()
        time.sleep(0.2)
        os.killpg(process.pid, signal.SIGINT)
        code = process.wait(timeout=60)
    finally:
        process.kill()
    err = process.stderr.read()
    assert code == 130, err
    assert "Traceback" not in err
    assert "interrupted" in err
    assert listing(output) == sorted(old)
    assert_rebuilt(output, "alpha", "Alpha Pack")
    assert_unchanged(output, old, ["beta-guide.pdf", "beta-worksheet.pdf"])


def test_written_files_get_the_usual_permissions(tmp_path):
    target = tmp_path / "pack-guide.pdf"
    atomic.write_atomic(target, b"%PDF-new")
    umask = os.umask(0)
    os.umask(umask)
    assert target.stat().st_mode & 0o777 == 0o666 & ~umask


def test_output_that_cannot_be_written_is_an_error_without_a_traceback(tmp_path):
    content = tmp_path / "content"
    write_pack(content, "alpha", small_pack(title="Alpha Pack"))
    output = tmp_path / "output"
    output.write_text("a file where the output folder should be")
    run = run_cli("--content", content, "--output", output, "--edition", "guide")
    assert run.code == 1
    assert "Traceback" not in run.err
    assert "alpha.yaml: error: could not build the guide (FileExistsError: " in run.err
    assert output.read_text() == "a file where the output folder should be"


def test_a_failed_move_into_place_fails_the_pack_only(two_packs, monkeypatch):
    content, output = two_packs
    old = old_outputs(output, ("alpha", "beta"))
    real_replace = os.replace

    def replace(src, dst):
        if Path(dst).name.startswith("alpha-"):
            raise OSError(28, "No space left on device")
        real_replace(src, dst)

    monkeypatch.setattr(atomic.os, "replace", replace)
    run = build(content, output)
    assert run.code == 1
    assert "Traceback" not in run.err
    assert ("alpha.yaml: error: could not move its new PDFs into place (OSError: [Errno 28] No "
            "space left on device); its earlier PDFs are unchanged") in run.err
    assert_unchanged(output, old, ["alpha-guide.pdf", "alpha-worksheet.pdf"])
    assert_rebuilt(output, "beta", "Beta Pack")
    assert listing(output) == sorted(old)
