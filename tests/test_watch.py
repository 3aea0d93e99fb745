"""--watch: what a change rebuilds, and the loop itself (start, change, rebuild, Ctrl-C)."""

from __future__ import annotations

import io
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from conftest import ROOT, normalize, pdf_text, run_cli, small_pack, write_pack
from studypack.build import BuildOptions
from studypack.watch import ALL, affected, watch

WAIT = 30  # seconds to wait for a build: generous on a busy 2-core CI machine


@pytest.fixture
def layout(tmp_path) -> tuple[BuildOptions, Path]:
    content, templates = tmp_path / "content", tmp_path / "templates"
    write_pack(content, "alpha", small_pack())
    write_pack(content, "beta", small_pack(title="Beta"))
    (content / "figure.png").write_bytes(b"png")
    templates.mkdir()
    (templates / "print.css").write_text("body {}")
    return BuildOptions(content=content, output=tmp_path / "output"), templates


def test_a_pack_change_rebuilds_that_pack(layout):
    options, templates = layout
    assert affected([str(options.content / "alpha.yaml")], options, templates) == ("alpha",)
    both = [str(options.content / "beta.yaml"), str(options.content / "alpha.yaml")]
    assert affected(both, options, templates) == ("beta", "alpha")


def test_a_template_or_stylesheet_change_rebuilds_all(layout):
    options, templates = layout
    assert affected([str(templates / "print.css")], options, templates) == ALL
    changes = [str(options.content / "alpha.yaml"), str(templates / "guide.html")]
    assert affected(changes, options, templates) == ALL


def test_an_image_change_rebuilds_all(layout):
    options, templates = layout
    assert affected([str(options.content / "figure.png")], options, templates) == ALL
    deleted = options.content / "images" / "gone.PNG"
    assert affected([str(deleted)], options, templates) == ALL


def test_a_chosen_set_of_packs_stays_chosen(layout):
    options, templates = layout
    chosen = BuildOptions(content=options.content, output=options.output, packs=("beta",))
    assert affected([str(options.content / "alpha.yaml")], chosen, templates) is None
    assert affected([str(options.content / "beta.yaml")], chosen, templates) == ("beta",)
    assert affected([str(templates / "print.css")], chosen, templates) == ("beta",)


def test_what_is_not_a_pack_change_rebuilds_nothing(layout):
    options, templates = layout
    ignored = [
        options.content / ".alpha.yaml.swx",             # an editor's temporary file
        options.content / "gone.yaml",                   # a deleted pack
        options.output / "alpha-guide.pdf",              # our own output
        options.content.parent / "elsewhere.yaml",       # outside the watched folders
        options.content / "4913",                        # vim's test that it may write here
        options.content / "notes.txt",                   # a file no pack can use
    ]
    assert affected([str(p) for p in ignored], options, templates) is None


def test_output_inside_the_content_folder_is_ignored(layout):
    options, templates = layout
    inside = BuildOptions(content=options.content, output=options.content / "out")
    (options.content / "out").mkdir()
    (options.content / "out" / "alpha-guide.pdf").write_bytes(b"%PDF")
    assert affected([str(options.content / "out" / "alpha-guide.pdf")], inside, templates) is None


class Lines:
    """The lines a stream gives, read on a thread so that a test can wait for one."""

    def __init__(self, stream):
        self.queue: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        threading.Thread(target=self._read, args=(stream,), daemon=True).start()

    def _read(self, stream):
        for line in stream:
            self.queue.put(line.rstrip("\n"))

    def wait_for(self, predicate, timeout: float = WAIT) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self.queue.get(timeout=0.1)
            except queue.Empty:
                continue
            self.seen.append(line)
            if predicate(line):
                return line
        raise AssertionError(f"no such line within {timeout} s; seen: {self.seen}")


def test_the_watch_loop_rebuilds_reports_errors_and_stops_on_ctrl_c(tmp_path):
    content, output = tmp_path / "content", tmp_path / "output"
    pack = write_pack(content, "net", small_pack())
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    process = subprocess.Popen(
        [sys.executable, "-m", "studypack", "--content", str(content), "--output", str(output),
         "--edition", "worksheet", "--watch"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        out, err = Lines(process.stdout), Lines(process.stderr)
        out.wait_for(lambda line: line.endswith("net-worksheet.pdf"))
        err.wait_for(lambda line: line.startswith("watching"))

        changed = small_pack()
        changed["sections"][1]["questions"][0]["question"] = "What does a resolver cache?"
        write_pack(content, "net", changed)
        err.wait_for(lambda line: line.startswith("changed:") and "net" in line)
        out.wait_for(lambda line: line.endswith("net-worksheet.pdf"))
        assert "What does a resolver cache?" in normalize(pdf_text(output / "net-worksheet.pdf"))

        pack.write_text(pack.read_text() + "oops: [\n")
        error = err.wait_for(lambda line: ": YAML syntax error" in line)
        assert error.startswith(str(Path(os.path.relpath(pack, ROOT))) + ":")
        err.wait_for(lambda line: "watching for changes" in line)
        assert process.poll() is None  # a content error does not stop the watch

        process.send_signal(signal.SIGINT)
        code = process.wait(timeout=WAIT)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert code in (0, 130)
    err.wait_for(lambda line: line == "stopped watching", timeout=5)
    assert not any("Traceback" in line for line in err.seen)


def test_a_template_change_rebuilds_every_pack(tmp_path):
    content, templates = tmp_path / "content", tmp_path / "templates"
    write_pack(content, "alpha", small_pack())
    write_pack(content, "beta", small_pack(title="Beta"))
    templates.mkdir()
    options = BuildOptions(content=content, output=tmp_path / "output", editions=("worksheet",))
    out, err, stop = io.StringIO(), io.StringIO(), threading.Event()
    codes: list[int] = []
    thread = threading.Thread(target=lambda: codes.append(
        watch(options, out, err, quiet=True, stop=stop, templates=templates)))
    thread.start()
    try:
        wait_until(lambda: len(out.getvalue().splitlines()) == 2)
        (templates / "print.css").write_text("body { color: #111 }")
        wait_until(lambda: len(out.getvalue().splitlines()) == 4)
    finally:
        stop.set()
        thread.join(WAIT)
    assert not thread.is_alive() and codes == [0]
    names = [Path(line).name for line in out.getvalue().splitlines()]
    assert names == ["alpha-worksheet.pdf", "beta-worksheet.pdf"] * 2
    assert err.getvalue() == ""


def wait_until(condition, timeout: float = WAIT) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_watch_stops_at_once_when_the_content_folder_is_missing(tmp_path):
    result = run_cli("--content", tmp_path / "missing", "--output", tmp_path / "out", "--watch")
    assert result.code == 2
    assert "does not exist" in result.err and "Traceback" not in result.err


def test_watch_stops_at_once_on_an_unknown_pack(tmp_path):
    write_pack(tmp_path / "content", "net", small_pack())
    result = run_cli("--content", tmp_path / "content", "--output", tmp_path / "out", "--watch",
                     "no-such-pack")
    assert result.code == 2
    assert "no pack 'no-such-pack'" in result.err and "Traceback" not in result.err
