"""The core builder: three editions of a pack, read back as a reader sees them."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from pypdf import PdfReader

from studypack.load import load_pack
from conftest import (ROOT, SEED_PACK, normalize, output_files, pdf_text, run_cli, small_pack,
                      write_pack)

EDITIONS = ("guide", "worksheet", "answer-key")
A4 = (595.28, 841.89)
LETTER = (612.0, 792.0)


@pytest.fixture(scope="module")
def seed():
    return load_pack(SEED_PACK)


def _outline_titles(reader: PdfReader) -> list[tuple[int, str]]:
    titles = []

    def walk(items, depth):
        for item in items:
            if isinstance(item, list):
                walk(item, depth + 1)
            else:
                titles.append((depth, item.title))

    walk(reader.outline, 0)
    return titles


def _answer_phrases(seed) -> list[str]:
    """Distinctive runs of words from every answer: none may reach the worksheet."""
    phrases = []
    for part in seed.parts():
        for item in part.items:
            for block in item.question.answer:
                if block.kind == "text":
                    texts = [block.text]
                elif block.kind == "list":
                    texts = list(block.list)
                elif block.kind == "table":
                    texts = [c for row in block.table.rows for c in row[1:]]
                elif block.kind == "code":
                    texts = [line for line in block.code.text.splitlines() if len(line) > 25]
                else:
                    texts = []
                for text in texts:
                    words = re.sub(r"[*`_\[\]()]", "", text).split()
                    if len(words) >= 4:
                        phrases.append(" ".join(words[:4]))
    return phrases


def test_seed_pack_builds_three_editions(seed_build):
    names = output_files(seed_build)
    assert names == sorted(f"aws-lambda-{e}.pdf" for e in EDITIONS)


@pytest.mark.parametrize("edition", EDITIONS)
def test_pages_are_a4_with_running_header_and_footer(seed_build, edition):
    reader = PdfReader(seed_build / f"aws-lambda-{edition}.pdf")
    total = len(reader.pages)
    for number, page in enumerate(reader.pages, start=1):
        assert (float(page.mediabox.width), float(page.mediabox.height)) == pytest.approx(A4, abs=0.5)
        text = page.extract_text()
        assert f"Page {number} of {total}" in text
        if number > 1:
            assert "AWS Lambda Interview Questions" in text


@pytest.mark.parametrize("edition", EDITIONS)
def test_every_font_is_embedded(seed_build, edition):
    reader = PdfReader(seed_build / f"aws-lambda-{edition}.pdf")
    names = set()
    for page in reader.pages:
        fonts = page["/Resources"].get_object().get("/Font", {})
        for ref in fonts.values():
            font = ref.get_object()
            descendants = font.get("/DescendantFonts")
            target = descendants[0].get_object() if descendants else font
            descriptor = target["/FontDescriptor"].get_object()
            assert any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")), font
            names.add(str(font["/BaseFont"]).split("+")[-1])
    # the shipped fonts (named by their @font-face family), and no system font as a fallback
    assert "Studypack-Sans-Bold" in names, names
    assert all(n.startswith("Studypack-") for n in names), names


def test_guide_holds_cover_contents_sections_chart_tables_and_answers(seed_build, seed):
    text = normalize(pdf_text(seed_build / "aws-lambda-guide.pdf"))
    assert "AWS Lambda Interview Questions" in text
    assert "Contents" in text
    for part in seed.parts():
        assert normalize(part.section.title) in text
        for item in part.items:
            assert normalize(item.question.question) in text
    # the chart, drawn from YAML data, and the market figures
    for label, value in [("AWS", "32%"), ("Microsoft Azure", "22%"), ("Google Cloud", "11%"),
                         ("Alibaba Cloud", "4%")]:
        assert label in text and value in text
    assert "$65 billion" in text
    # both tables, cell for cell
    squeezed = text.replace(" ", "")
    for cell in ["Lambda Console", "Infrastructure-as-Code", "Up to 10GB", "Up to 250MB (unzipped)",
                 "Runtime Flexibility", "Best Suited For"]:
        assert cell.replace(" ", "") in squeezed, cell
    assert "put_item" in text


def test_guide_contents_gives_page_numbers(seed_build):
    reader = PdfReader(seed_build / "aws-lambda-guide.pdf")
    contents = normalize(reader.pages[1].extract_text())
    assert "Contents" in contents
    match = re.search(r"What is AWS Lambda\?[\s.]*(\d+)", contents)
    assert match, contents[:400]
    page = int(match.group(1))
    assert "1. What is AWS Lambda?" in normalize(reader.pages[page - 1].extract_text())


def test_worksheet_holds_questions_and_no_answers(seed_build, seed):
    path = seed_build / "aws-lambda-worksheet.pdf"
    reader = PdfReader(path)
    text = normalize(pdf_text(path))
    first = normalize(reader.pages[0].extract_text())
    assert "Name" in first and "Date" in first
    for part in seed.parts():
        for item in part.items:
            assert f"{item.number}. {normalize(item.question.question)}" in text
    phrases = _answer_phrases(seed)
    assert len(phrases) > 60
    leaked = [p for p in phrases if p in text]
    assert not leaked
    outline = " ".join(title for _, title in _outline_titles(reader))
    metadata = " ".join(str(v) for v in (reader.metadata or {}).values())
    for phrase in phrases:
        assert phrase not in outline and phrase not in metadata
    # writing space shaped like the answer: the table's header row and first column are given
    assert "Method Description Best Suited For" in text
    assert "Deployment Package" in text and "Write code directly" not in text
    assert "Name 5 managed runtimes:" in text  # the five managed runtimes, named


def test_answer_key_has_answers_key_points_points_and_total(seed_build, seed):
    text = normalize(pdf_text(seed_build / "aws-lambda-answer-key.pdf"))
    total = 0
    for part in seed.parts():
        for item in part.items:
            assert f"{item.number}. {normalize(item.question.question)}" in text
            total += item.question.points
            for point in item.question.key_points:
                plain = normalize(re.sub(r"[*`]", "", point))
                assert plain[:30] in text
    assert f"{total} points" in text
    assert "Total" in text


@pytest.mark.parametrize("edition", EDITIONS)
def test_bookmarks_for_sections_and_questions(seed_build, seed, edition):
    titles = _outline_titles(PdfReader(seed_build / f"aws-lambda-{edition}.pdf"))
    questions = [t for depth, t in titles if depth == 1]
    sections = [t for depth, t in titles if depth == 0]
    assert "Basic" in sections and "Practical" in sections
    assert len(questions) == 20
    assert questions[0].startswith("1.") and "What is AWS Lambda?" in questions[0]


def test_paper_letter(tmp_path):
    write_pack(tmp_path / "content", "net", small_pack())
    result = run_cli("--content", tmp_path / "content", "--output", tmp_path / "out",
                     "--paper", "letter", "--edition", "worksheet")
    assert result.code == 0, result.err
    page = PdfReader(tmp_path / "out" / "net-worksheet.pdf").pages[0]
    assert (float(page.mediabox.width), float(page.mediabox.height)) == pytest.approx(LETTER, abs=0.5)


def test_second_pack_on_another_topic_builds_every_edition(tmp_path):
    content = tmp_path / "content"
    write_pack(content, "networking", small_pack())
    result = run_cli("--content", content, "--output", tmp_path / "out")
    assert result.code == 0, result.err
    lines = result.out.splitlines()
    assert [Path(line).name for line in lines] == [f"networking-{e}.pdf" for e in EDITIONS] + [
        "networking-flashcards.pdf", "networking.apkg"]
    guide = normalize(pdf_text(tmp_path / "out" / "networking-guide.pdf"))
    assert "Networking Basics" in guide and "Best effort" in guide and "Presentation" in guide
    sheet = normalize(pdf_text(tmp_path / "out" / "networking-worksheet.pdf"))
    assert "Compare TCP and UDP." in sheet and "Best effort" not in sheet
    assert "Name 7:" in sheet and "Delivery" in sheet


def test_numbers_in_cells_print_as_written(tmp_path):
    pack = small_pack()
    pack["sections"][0]["questions"][1]["answer"][1]["table"]["rows"][0] = ["Price", "0.10", "1e3"]
    path = write_pack(tmp_path / "content", "net", pack)
    # yaml.safe_dump quotes them; write them bare, as an author would
    path.write_text(path.read_text().replace("'0.10'", "0.10").replace("'1e3'", "1e3"))
    assert "- 0.10\n" in path.read_text()
    result = run_cli("--content", tmp_path / "content", "--output", tmp_path / "out",
                     "--edition", "guide")
    assert result.code == 0, result.err
    text = pdf_text(tmp_path / "out" / "net-guide.pdf")
    assert "0.10" in text and "1e3" in text


def test_only_the_chosen_edition_is_written(tmp_path):
    write_pack(tmp_path / "content", "net", small_pack())
    result = run_cli("--content", tmp_path / "content", "--output", tmp_path / "out",
                     "--edition", "answer-key", "net")
    assert result.code == 0
    assert output_files(tmp_path / "out") == ["net-answer-key.pdf"]
    assert result.out.strip().endswith("net-answer-key.pdf")


def test_check_validates_and_writes_nothing(tmp_path):
    write_pack(tmp_path / "content", "net", small_pack())
    result = run_cli("--content", tmp_path / "content", "--output", tmp_path / "out", "--check")
    assert result.code == 0
    assert not (tmp_path / "out").exists()


def test_content_error_exit_1_with_location(tmp_path):
    pack = small_pack()
    pack["sections"][1]["questions"][0]["anwser"] = pack["sections"][1]["questions"][0].pop("answer")
    path = write_pack(tmp_path / "content", "net", pack)
    result = run_cli("--content", tmp_path / "content", "--output", tmp_path / "out")
    assert result.code == 1
    line = next(i for i, text in enumerate(path.read_text().splitlines(), 1) if "anwser" in text)
    assert re.search(rf"net\.yaml:{line}:\d+: unknown key 'anwser'; did you mean 'answer'\?",
                     result.err), result.err
    assert "Traceback" not in result.err
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("args", [["--bogus"], ["nope"], ["--edition", "poster"],
                                  ["--paper", "a3"]])
def test_usage_errors_exit_2(tmp_path, args):
    write_pack(tmp_path / "content", "net", small_pack())
    result = run_cli("--content", tmp_path / "content", "--output", tmp_path / "out", *args)
    assert result.code == 2
    assert "error:" in result.err and "Traceback" not in result.err


def test_unknown_pack_lists_the_known_ones(tmp_path):
    write_pack(tmp_path / "content", "net", small_pack())
    result = run_cli("--content", tmp_path / "content", "nope")
    assert result.code == 2
    assert "no pack 'nope'" in result.err and "net" in result.err


def test_missing_system_libraries_give_a_clear_message(tmp_path, monkeypatch):
    import builtins

    real_import = builtins.__import__

    def fake_import(name, *args, **kwargs):
        if name == "weasyprint":
            raise OSError("cannot load library 'libpango-1.0-0': no such file")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", fake_import)
    write_pack(tmp_path / "content", "net", small_pack())
    result = run_cli("--content", tmp_path / "content", "--output", tmp_path / "out")
    assert result.code == 3
    assert "libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0" in result.err
    assert "Traceback" not in result.err


def test_raw_html_in_content_is_text(tmp_path):
    pack = small_pack(title="Tags <script>alert(1)</script> & {{ 7*7 }}")
    write_pack(tmp_path / "content", "net", pack)
    result = run_cli("--content", tmp_path / "content", "--output", tmp_path / "out",
                     "--edition", "guide")
    assert result.code == 0, result.err
    text = normalize(pdf_text(tmp_path / "out" / "net-guide.pdf"))
    assert "Tags <script>alert(1)</script> & {{ 7*7 }}" in text


def test_a_missing_harfbuzz_subset_is_one_clear_line_and_exit_3(tmp_path):
    """As on a machine without libharfbuzz-subset0: cffi cannot open it, WeasyPrint would fall
    back on fontTools (a warning per font, other bytes); studypack stops with one line."""
    hide = tmp_path / "hide"
    hide.mkdir()
    (hide / "sitecustomize.py").write_text(
        "import cffi\n"
        "real = cffi.FFI.dlopen\n"
        "def dlopen(self, name, *args, **kwargs):\n"
        "    if 'harfbuzz-subset' in str(name):\n"
        "        raise OSError(f'cannot load library {name!r}')\n"
        "    return real(self, name, *args, **kwargs)\n"
        "cffi.FFI.dlopen = dlopen\n")
    write_pack(tmp_path / "content", "net", small_pack())
    for jobs in ("1", "2"):
        done = subprocess.run(
            [sys.executable, str(ROOT / "build.py"), "--content", str(tmp_path / "content"),
             "--output", str(tmp_path / "out"), "--edition", "guide", "--edition", "worksheet",
             "--jobs", jobs],
            capture_output=True, text=True, timeout=120,
            env={**os.environ, "PYTHONPATH": f"{hide}{os.pathsep}{ROOT}"})
        assert done.returncode == 3, done.stderr
        assert done.stderr.splitlines() == [
            "error: HarfBuzz-subset is missing (on Debian or Ubuntu: sudo apt-get install "
            "libharfbuzz-subset0): studypack needs it to embed its fonts the same way on every "
            "machine"], done.stderr
        assert not (tmp_path / "out").exists() or not list((tmp_path / "out").glob("*.pdf"))
