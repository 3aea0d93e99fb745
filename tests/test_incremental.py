"""Incremental builds: unchanged outputs are skipped; whatever shapes a file rebuilds it."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from conftest import ROOT, pdf_text, run_cli, small_pack, write_pack
from studypack import incremental
from studypack.incremental import MANIFEST_NAME, builder_digest

EDITION = ("--edition", "answer-key")  # the cheapest edition to lay out, for speed


def tiny_pack(title: str, image: str | None = None) -> dict:
    question = {"id": "q1", "question": f"What is {title}?", "answer": f"{title} is a thing."}
    if image:
        question["answer"] = [{"text": f"{title} is a thing."},
                              {"image": {"src": image, "alt": "a square"}}]
    return {"title": title, "sections": [{"title": "Only", "questions": [question]}]}


def stamps(folder: Path) -> dict[str, tuple[int, int]]:
    """Inode and modification time of every PDF: both change when a file is written again."""
    return {p.name: (p.stat().st_ino, p.stat().st_mtime_ns) for p in sorted(folder.glob("*.pdf"))}


def build(content: Path, out: Path, *args: str):
    return run_cli("--content", content, "--output", out, "--jobs", "1", *args)


@pytest.fixture
def two_packs(tmp_path) -> tuple[Path, Path]:
    content = tmp_path / "content"
    write_pack(content, "alpha", tiny_pack("Alpha"))
    write_pack(content, "beta", tiny_pack("Beta"))
    return content, tmp_path / "out"


def test_second_build_writes_nothing_and_says_what_is_up_to_date(two_packs):
    content, out = two_packs
    first = build(content, out, *EDITION)
    assert first.code == 0, first.err
    assert len(first.out.splitlines()) == 2
    before = stamps(out)

    second = build(content, out, *EDITION)
    assert second.code == 0, second.err
    assert second.out == ""  # stdout lists only files written
    assert "up to date:" in second.err and "alpha-answer-key.pdf" in second.err
    assert "beta-answer-key.pdf" in second.err
    assert stamps(out) == before


def test_editing_one_pack_rebuilds_only_its_files(two_packs):
    content, out = two_packs
    assert build(content, out, "--edition", "guide", "--edition", "answer-key").code == 0
    before = stamps(out)
    write_pack(content, "alpha", tiny_pack("Alpha Prime"))

    again = build(content, out, "--edition", "guide", "--edition", "answer-key")
    assert again.code == 0, again.err
    assert [Path(line).name for line in again.out.splitlines()] == [
        "alpha-guide.pdf", "alpha-answer-key.pdf"]
    after = stamps(out)
    for name in ("beta-guide.pdf", "beta-answer-key.pdf"):
        assert after[name] == before[name], f"{name} was written again"
    for name in ("alpha-guide.pdf", "alpha-answer-key.pdf"):
        assert after[name] != before[name]
    assert "Alpha Prime" in pdf_text(out / "alpha-answer-key.pdf")


def test_force_rebuilds_everything(two_packs):
    content, out = two_packs
    assert build(content, out, *EDITION).code == 0
    forced = build(content, out, *EDITION, "--force")
    assert forced.code == 0
    assert len(forced.out.splitlines()) == 2
    assert "up to date" not in forced.err


def test_options_that_shape_a_file_rebuild_it(two_packs, monkeypatch):
    content, out = two_packs
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    assert build(content, out, *EDITION).code == 0
    assert build(content, out, *EDITION, "--paper", "letter").out.count(".pdf") == 2
    assert build(content, out, *EDITION, "--paper", "letter").out == ""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1800000000")  # the date printed on the file
    assert build(content, out, *EDITION, "--paper", "letter").out.count(".pdf") == 2


def test_a_changed_image_rebuilds_the_pack_that_shows_it(tmp_path):
    content, out = tmp_path / "content", tmp_path / "out"
    Image.new("RGB", (8, 8), "black").save(content.mkdir() or content / "square.png")
    write_pack(content, "pictured", tiny_pack("Pictured", image="square.png"))
    write_pack(content, "plain", tiny_pack("Plain"))
    assert build(content, out, *EDITION).code == 0
    assert build(content, out, *EDITION).out == ""

    Image.new("RGB", (8, 8), "white").save(content / "square.png")
    again = build(content, out, *EDITION)
    assert [Path(line).name for line in again.out.splitlines()] == ["pictured-answer-key.pdf"]


def test_a_missing_or_replaced_output_is_rebuilt(two_packs):
    content, out = two_packs
    assert build(content, out, *EDITION).code == 0
    (out / "alpha-answer-key.pdf").unlink()
    (out / "beta-answer-key.pdf").write_bytes(b"not the PDF we wrote")
    again = build(content, out, *EDITION)
    assert sorted(Path(line).name for line in again.out.splitlines()) == [
        "alpha-answer-key.pdf", "beta-answer-key.pdf"]


def test_a_damaged_manifest_means_a_full_rebuild_not_a_crash(two_packs):
    content, out = two_packs
    assert build(content, out, *EDITION).code == 0
    (out / MANIFEST_NAME).write_text("{ not json", encoding="utf-8")
    again = build(content, out, *EDITION)
    assert again.code == 0, again.err
    assert again.out.count(".pdf") == 2
    assert json.loads((out / MANIFEST_NAME).read_text(encoding="utf-8"))["format"] == 1


def test_a_content_error_keeps_the_previous_file_and_is_retried(two_packs):
    content, out = two_packs
    assert build(content, out, *EDITION).code == 0
    write_pack(content, "alpha", {"title": "Alpha", "sections": [{"title": "S", "questions": [
        {"question": "Q?", "answr": "typo"}]}]})
    broken = build(content, out, *EDITION)
    assert broken.code == 1 and "answr" in broken.err
    assert (out / "alpha-answer-key.pdf").exists()
    write_pack(content, "alpha", tiny_pack("Alpha Fixed"))
    fixed = build(content, out, *EDITION)
    assert [Path(line).name for line in fixed.out.splitlines()] == ["alpha-answer-key.pdf"]


def test_templates_fonts_and_the_builders_source_are_part_of_the_key(tmp_path, monkeypatch):
    templates, package = tmp_path / "templates", tmp_path / "studypack"
    shutil.copytree(incremental.TEMPLATES, templates)
    shutil.copytree(incremental.PACKAGE, package, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(incremental, "TEMPLATES", templates)
    monkeypatch.setattr(incremental, "PACKAGE", package)
    original = builder_digest()
    for changed in (templates / "print.css", templates / "fonts" / "Lato-Bold.ttf",
                    package / "render.py"):
        saved = changed.read_bytes()
        changed.write_bytes(saved + b"\n")
        assert builder_digest() != original, changed.name
        changed.write_bytes(saved)
    assert builder_digest() == original


def test_a_build_with_nothing_to_do_imports_no_weasyprint(tmp_path):
    content, out = tmp_path / "content", tmp_path / "out"
    write_pack(content, "small", small_pack())
    assert build(content, out, *EDITION).code == 0
    probe = (
        "import sys\n"
        "from studypack.cli import main\n"
        f"code = main(['--content', {str(content)!r}, '--output', {str(out)!r}, "
        "'--edition', 'answer-key'])\n"
        "heavy = sorted(m for m in ('weasyprint', 'pydantic', 'jinja2') if m in sys.modules)\n"
        "print(code, heavy)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=env,
                          cwd=tmp_path, timeout=60)
    assert done.stdout.strip() == "0 []", done.stdout + done.stderr
    assert "up to date:" in done.stderr
