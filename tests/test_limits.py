"""Bounded cost: every pack, image or document over a limit is refused at load, in well under a
second, with file:line:col and the limit; a worker that outgrows its memory ceiling fails one
document cleanly; a killed build's temporary files are swept by the next build."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from PIL import Image

from studypack import limits
from studypack.assets import svg_problem
from studypack.atomic import STALE_AFTER_SECONDS, _running
from studypack.load import load_pack
from studypack.model import ContentErrors
from conftest import ROOT, Run, run_cli, small_pack, write_pack


def refusals(tmp_path: Path, pack: dict | str) -> list[str]:
    """The errors load_pack reports for `pack`, which must be refused quickly."""
    path = write_pack(tmp_path, "big", pack)
    started = time.perf_counter()
    with pytest.raises(ContentErrors) as caught:
        load_pack(path, "big.yaml")
    assert time.perf_counter() - started < 5
    return [str(e) for e in caught.value.errors]


def one_answer(answer) -> dict:
    return {"title": "T", "sections": [{"title": "S", "questions": [
        {"question": "Q?", "answer": answer}]}]}


def test_aliases_of_a_long_string_are_counted_as_the_text_they_expand_to(tmp_path):
    # 100 KB of file; each alias is one value (the alias-bomb count passes), 100,000 characters:
    # the 59th passes six million.
    text = ("title: &long '" + "x" * 100_000 + "'\nsections:\n  - title: S\n    questions:\n"
            + "".join(f"      - question: Q{i}?\n        answer: *long\n" for i in range(100)))
    errors = refusals(tmp_path, text)
    assert len(errors) == 1
    # The 60th alias (line 5 + 2 * 59 + 1) passes six million characters.
    assert errors == [
        "big.yaml:122:17: expected at most 6,000,000 characters of text (YAML aliases expanded), "
        "found 6,001,080: split the pack into several packs of a few sections each; the file is "
        "refused (sections[0].questions[58])"]


def test_few_aliases_of_a_long_string_are_fine(tmp_path):
    text = ("title: &long '" + "x" * 1000 + "'\nsubtitle: *long\nsections:\n  - title: S\n"
            "    questions:\n" + "".join(f"      - question: Q{i}?\n        answer: *long\n"
                                         for i in range(100)))
    assert load_pack(write_pack(tmp_path, "ok", text)).pack.subtitle == "x" * 1000


def test_too_many_sections_and_questions(tmp_path):
    sections = [{"title": f"S{i}", "questions": [{"question": f"Q{i}.{j}?", "answer": "A."}
                                                  for j in range(6)]} for i in range(1001)]
    errors = refusals(tmp_path, {"title": "T", "sections": sections})
    assert [e.split(": ", 1)[1] for e in errors] == [
        "expected at most 5,000 questions in a pack, found 6,006: split the pack into several "
        "packs of a few sections each (sections[833].questions[2])",
        "expected at most 1,000 sections in a pack, found 1,001: split the pack into several "
        "packs of a few sections each (sections[1000])"]
    assert errors[0].startswith("big.yaml:") and errors[1].startswith("big.yaml:")


def test_a_list_too_long_and_too_many_list_items(tmp_path):
    errors = refusals(tmp_path, one_answer([{"list": [f"item {i}" for i in range(1001)]}]))
    assert errors == ["big.yaml:1008:9: expected at most 1,000 items in one list, found 1,001: "
                      "make it several lists, or a table (sections[0].questions[0].answer[0]."
                      "list[1000])"]
    many = [{"list": [f"item {i}" for i in range(1000)]} for _ in range(20)]
    errors = refusals(tmp_path, {"title": "T", "sections": [{"title": "S", "questions": [
        {"question": "Q?", "answer": many, "key_points": ["one"]}]}]})
    assert errors == [
        "big.yaml:20028:7: expected at most 20,000 list items and key points in a pack, found "
        "20,001: split the pack into several packs of a few sections each "
        "(sections[0].questions[0].key_points[0])"]


def test_a_table_too_big_and_too_many_cells(tmp_path):
    table = {"columns": ["a", "b", "c", "d"], "rows": [["w", "x", "y", "z"]] * 1250}
    errors = refusals(tmp_path, one_answer([{"table": table}]))
    assert len(errors) == 1
    assert errors[0].endswith("expected at most 5,000 cells in one table (headings included), "
                              "found 5,004: split it into several tables "
                              "(sections[0].questions[0].answer[0].table.rows[1249])")
    table["rows"] = table["rows"][:1200]
    errors = refusals(tmp_path, one_answer([{"table": table}] * 11))
    assert len(errors) == 1
    assert "expected at most 50,000 table cells in a pack, found 52,844" in errors[0]


def test_a_text_too_long(tmp_path):
    errors = refusals(tmp_path, one_answer([{"text": "word " * 20_001}]))
    assert errors == ["big.yaml:7:13: expected at most 100,000 characters in one text, found "
                      "100,005: split it into several blocks or questions "
                      "(sections[0].questions[0].answer[0].text)"]


def test_a_run_of_code_spans_without_a_space_is_refused_before_layout(tmp_path):
    """WeasyPrint 70 breaks a line inside a run of inline boxes with no break opportunity by
    looking back over the whole run each time: 4,000 code spans in one word took 45 s."""
    errors = refusals(tmp_path, one_answer("`a" + "```a" * 2_000))
    assert len(errors) == 1
    assert ("expected at most 200 pieces of markup (code spans, emphasis, links) with no space "
            "between them, found 2,001: put spaces between them, or use a code block "
            "(sections[0].questions[0].answer)") in errors[0]
    # The same spans with spaces between them, and the characters in a code block, are fine.
    fine = one_answer([{"text": "`a` " * 5000}, {"code": {"text": "`a```" * 5000}}])
    assert load_pack(write_pack(tmp_path, "fine", fine)).pack.sections[0].questions


def test_a_run_at_the_limit_builds_in_seconds(tmp_path):
    content = tmp_path / "content"
    write_pack(content, "run", one_answer("`a`" * 100 + " and `b`*c*" * 50))
    started = time.perf_counter()
    run = run_cli("--content", content, "--output", tmp_path / "out", "--edition", "guide", "-q")
    assert run.code == 0, run.err
    assert time.perf_counter() - started < 20


def _use_bomb(levels: int, fan: int = 10) -> bytes:
    svg = ('<svg xmlns="http://www.w3.org/2000/svg" width="100" height="100"><defs>'
           '<rect id="l0" width="1" height="1"/>')
    for i in range(1, levels + 1):
        svg += f'<g id="l{i}">' + f'<use href="#l{i - 1}"/>' * fan + "</g>"
    return (svg + f'</defs><use href="#l{levels}"/></svg>').encode()


def test_svg_use_expansion_depth_and_size_are_bounded():
    started = time.perf_counter()
    assert svg_problem(_use_bomb(8)) == (  # 10^8 rectangles in 800 bytes
        "draws more than 50,000 elements once its <use> references are expanded; simplify the "
        "drawing")
    assert time.perf_counter() - started < 1
    assert svg_problem(_use_bomb(3)) is None  # a thousand is fine
    assert svg_problem(b'<svg xmlns="http://www.w3.org/2000/svg"><g id="a"><use href="#a"/></g>'
                       b'</svg>') == "has a <use> that draws an element it is inside of (a loop)"
    chain = b"".join(b'<g id="g%d"><use href="#g%d"/></g>' % (i, i - 1) for i in range(1, 120))
    assert svg_problem(b'<svg xmlns="http://www.w3.org/2000/svg"><g id="g0"/>' + chain
                       + b"</svg>") == ("nests elements more than 100 deep once its <use> "
                                        "references are expanded; simplify the drawing")
    deep = b'<svg xmlns="http://www.w3.org/2000/svg">' + b"<g>" * 101 + b"</g>" * 101 + b"</svg>"
    assert svg_problem(deep) == "nests elements more than 100 deep; simplify the drawing (line 1 " \
                                "of the SVG)"
    wide = b'<svg xmlns="http://www.w3.org/2000/svg" width="600cm" height="10cm"></svg>'
    assert svg_problem(wide).startswith("is 600cm wide; an SVG image may be at most 20,000 pixels")
    flat = (b'<svg xmlns="http://www.w3.org/2000/svg">' + b"<rect/>" * 50_001 + b"</svg>")
    assert svg_problem(flat).startswith("has more than 50,000 elements")


def test_an_svg_bomb_in_a_pack_is_a_content_error(tmp_path):
    (tmp_path / "bomb.svg").write_bytes(_use_bomb(8))
    errors = refusals(tmp_path, one_answer([{"image": {"src": "bomb.svg", "alt": "a bomb"}}]))
    assert errors == ["big.yaml:8:14: image src 'bomb.svg' draws more than 50,000 elements once "
                      "its <use> references are expanded; simplify the drawing "
                      "(sections[0].questions[0].answer[0].image.src)"]


def test_an_animation_with_too_many_frames_is_refused(tmp_path):
    frames = [Image.new("RGB", (4, 4), (i, 255 - i, 0)) for i in range(limits.MAX_IMAGE_FRAMES + 1)]
    frames[0].save(tmp_path / "many.gif", save_all=True, append_images=frames[1:])
    frames[0].save(tmp_path / "two.gif", save_all=True, append_images=frames[1:2])
    errors = refusals(tmp_path, one_answer([{"image": {"src": "many.gif", "alt": "many"}}]))
    assert errors == ["big.yaml:8:14: image src 'many.gif' has 101 frames; an image may have at "
                      "most 100 (only the first is printed: save that one) "
                      "(sections[0].questions[0].answer[0].image.src)"]
    write_pack(tmp_path, "two", one_answer([{"image": {"src": "two.gif", "alt": "two"}}]))
    assert load_pack(tmp_path / "two.yaml")


def test_memory_sizes_and_the_variable(monkeypatch):
    assert limits.parse_size("2G") == 2 * 2**30
    assert limits.parse_size("800MiB") == 800 * 2**20
    assert limits.parse_size("1.5g") == 3 * 2**29
    assert limits.parse_size("none") == 0
    assert limits.parse_size("lots") is None
    monkeypatch.setenv("STUDYPACK_MEMORY_LIMIT", "512M")
    assert limits.default_memory_limit() == 512 * 2**20
    monkeypatch.delenv("STUDYPACK_MEMORY_LIMIT")
    assert limits.default_memory_limit() == limits.DEFAULT_MEMORY_LIMIT == 4 * 2**30


def test_a_memory_limit_that_is_not_a_size_is_a_usage_error(tmp_path):
    run = run_cli("--memory-limit", "lots", "--check")
    assert run.code == 2
    assert "expected a size of 64M or more (e.g. 2G, 800M) or 0 for no limit, found 'lots'" in run.err


@pytest.mark.parametrize("jobs", ["2", "1"])
def test_a_worker_past_its_memory_ceiling_fails_its_document_cleanly(tmp_path, jobs):
    """A 6000 x 6000 picture needs over 100 MiB of pixels: under a 300 MiB ceiling the guide
    fails with a message naming pack and edition; the earlier PDFs stay as they were. With
    `--jobs 1` the documents are built in the command's own process, under the same ceiling
    (run as its own command here: the ceiling would bound the whole test process too)."""
    content, output = tmp_path / "content", tmp_path / "output"
    content.mkdir()
    Image.new("RGB", (60, 60), (200, 10, 10)).save(content / "big.png")
    write_pack(content, "photo", one_answer([{"text": "Look:"},
                                             {"image": {"src": "big.png", "alt": "red"}}]))
    editions = ("--edition", "guide", "--edition", "worksheet")
    first = run_cli("--content", content, "--output", output, *editions, "-q", "--jobs", "2")
    assert first.code == 0, first.err
    before = {p.name: p.read_bytes() for p in output.iterdir() if p.is_file()}
    Image.new("RGB", (6000, 6000), (200, 10, 10)).save(content / "big.png")
    args = ("--content", content, "--output", output, *editions, "-q", "--jobs", jobs,
            "--memory-limit", "300M")
    if jobs == "1":
        done = subprocess.run([sys.executable, "build.py", *map(str, args)], cwd=ROOT,
                              capture_output=True, text=True, timeout=300)
        run = Run(done.returncode, done.stdout, done.stderr)
    else:
        run = run_cli(*args)
    assert run.code == 1
    assert "Traceback" not in run.err
    assert (f"{content / 'photo.yaml'}: error: could not build the guide (it needed more memory "
            "than the ceiling of 300 MiB a worker: make the pack or its images smaller (split a "
            "long pack into several), or raise the ceiling with --memory-limit or "
            "STUDYPACK_MEMORY_LIMIT); its earlier PDFs are unchanged") in run.err
    assert {p.name: p.read_bytes() for p in output.iterdir() if p.is_file()} == before


def _dead_pid() -> int:
    for pid in range(4_000_000, 3_000_000, -1):
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return pid
        except PermissionError:
            continue
    pytest.skip("no free process id found")


def test_a_build_sweeps_only_the_stale_temporary_files_of_its_own(tmp_path):
    content, output = tmp_path / "content", tmp_path / "output"
    write_pack(content, "net", small_pack())
    output.mkdir()
    dead = output / f".net-guide.pdf.{_dead_pid()}-a1b2c3d4.tmp"  # its process is gone
    old = output / ".net-worksheet.pdf.x9y8z7w6.tmp"  # named by an older build, two hours old
    fresh = output / ".net-answer-key.pdf.q1w2e3r4.tmp"  # perhaps a build running right now
    alive = output / f".other-guide.pdf.{os.getpid()}-abcdefgh.tmp"  # its process runs
    notes = output / ".notes.txt.abcdefgh.tmp"  # not a file a build writes
    for path in (dead, old, fresh, alive, notes):
        path.write_bytes(b"partial")
    hours_ago = time.time() - STALE_AFTER_SECONDS - 3600
    os.utime(old, (hours_ago, hours_ago))
    run = run_cli("--content", content, "--output", output, "--edition", "anki", "-q")
    assert run.code == 0, run.err
    left = sorted(p.name for p in output.iterdir() if p.name.endswith(".tmp"))
    assert left == sorted([fresh.name, alive.name, notes.name])


def test_after_sigkill_the_next_build_leaves_no_temporary_file(tmp_path):
    content, output = tmp_path / "content", tmp_path / "output"
    slow = small_pack(title="Slow Pack")
    slow["sections"][1]["questions"] = [
        {"question": f"Question {i} on DNS?", "answer": "Names become addresses. " * 30}
        for i in range(150)]
    write_pack(content, "slow", slow)
    killed_tmp = tmp_path / "tmp"
    killed_tmp.mkdir()
    process = subprocess.Popen(
        [sys.executable, "build.py", "--content", str(content), "--output", str(output),
         "--jobs", "2", "-q", "--edition", "anki", "--edition", "answer-key"],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
        env={**os.environ, "TMPDIR": str(killed_tmp)})  # what SIGKILL leaves stays in tmp_path
    try:
        deadline = time.monotonic() + 60
        while not list(output.glob(".*.tmp")) and time.monotonic() < deadline:
            time.sleep(0.05)
        os.killpg(process.pid, signal.SIGKILL)  # the deck is staged, the key not yet written
        process.wait(timeout=30)
    finally:
        process.kill()
    left = list(output.glob(".slow.apkg.*.tmp"))
    assert left, "the build ended before it could be killed"
    worker = int(left[0].name.split(".")[-2].partition("-")[0])
    deadline = time.monotonic() + 10
    while _running(worker) and time.monotonic() < deadline:  # SIGKILL takes a moment to land
        time.sleep(0.05)
    run = run_cli("--content", content, "--output", output, "--edition", "anki", "-q")
    assert run.code == 0, run.err
    assert not list(output.glob(".*.tmp"))
