"""Writing space a hand can use (issue 13, point 4), measured on the printed pages: every ruled
line at least 8 mm below the one above it, list slots as long as their own items, and blank tables
that print what the table's `worksheet:` key says."""

from __future__ import annotations

import itertools
import json
import math
import os
import re
import shutil
import subprocess
from pathlib import Path

import jsonschema
import pytest
import yaml

import ruled
from conftest import ROOT, SEED_PACK, pdf_text, run_cli, write_pack
from studypack.render import plain_text

MIN_GAP = 8.0  # mm
LONG = ("Write each item with put_item, giving the key attributes and any other fields the "
        "table needs, then read it back with get_item to see that the write arrived and that "
        "the types are the ones the code meant")  # 38 words: 5 lines

EVERY_BLOCK = {
    "title": "Every Block",
    "sections": [{"title": "Blocks", "questions": [
        {"question": "Explain a queue.", "answer": [
            {"text": "A queue holds messages until a consumer takes them, first in first out, "
                     "so producers and consumers need not run at the same time or pace."}]},
        {"question": "List the steps.", "names": "steps", "answer": [
            {"text": "There are four:"},
            {"list": ["Go", LONG, "Read the [guide](https://example.com/a/very/long/address/"
                      "with/many/parts/in/it/that/are/not/words/a/reader/sees) first",
                      "Deploy the function with its role and its environment variables set"]}]},
        {"question": "Compare TCP and UDP.", "answer": [
            {"table": {"columns": ["Feature", "TCP", "UDP"],
                       "rows": [["Delivery", "Reliable, with acknowledgements and resends",
                                 "Best effort"],
                                ["Ordering", "Ordered", "Unordered"]]}}]},
        {"question": "Name the layers and what each does.", "answer": [
            {"table": {"columns": ["Layer", "Does"], "worksheet": "header",
                       "rows": [["Transport", "Delivers segments between processes"],
                                ["Network", "Routes packets between hosts"],
                                ["Link", "Moves frames across one hop"]]}}]},
        {"question": "Compare two protocols of your choice.", "answer": [
            {"table": {"columns": ["Aspect", "QUIC", "SCTP"], "worksheet": "blank",
                       "rows": [["Transport", "UDP", "IP"], ["Streams", "Many", "Many"]]}}]},
        {"question": "Write the handler.", "answer": [
            {"code": {"language": "python",
                      "text": "def handler(event, context):\n    return {\n"
                              "        'status': 200,\n    }\n"}}]},
        {"question": "Sketch the share of each provider.", "answer": [
            {"chart": {"data": {"A": 3, "B": 2}}}]},
        {"question": "Which is a queue?", "choices": ["SQS", "S3"], "correct": 1, "lines": 2,
         "answer": "SQS is the queue."},
        {"question": "Name the regions.", "answer": [
            {"table": {"columns": ["Region"], "rows": [["eu-west-1"], ["us-east-1"]]}}]},
        {"question": "Fill in the matrix.", "answer": [
            {"table": {"columns": ["Service", "Free tier", "Region", "Limit", "Unit", "Notes"],
                       "rows": [["Lambda", "1M requests", "any", "1000", "concurrent",
                                 "raise it with a quota request to support"]]}}]},
    ]}],
}


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> dict[str, Path]:
    """Worksheets of the seed pack (A4 and Letter) and of a pack with every block type; the
    guide of the latter too."""
    root = tmp_path_factory.mktemp("space")
    content = root / "content"
    write_pack(content, "every", EVERY_BLOCK)
    assert run_cli("--content", content, "--new", "starter").code == 0
    files = {}
    for name, folder, paper, editions in (
            ("seed-a4", SEED_PACK.parent, "a4", ["worksheet"]),
            ("seed-letter", SEED_PACK.parent, "letter", ["worksheet"]),
            ("every", content, "a4", ["worksheet", "guide"]),
            ("starter", content, "letter", ["worksheet"])):
        out = root / name
        pack = "aws-lambda" if name.startswith("seed") else name
        files[f"{name}-source"] = folder / f"{pack}.yaml"
        args = ["--content", folder, "--output", out, "--paper", paper, "-q"]
        for edition in editions:
            args += ["--edition", edition]
        result = run_cli(*args, pack)
        assert result.code == 0, result.err
        for edition in editions:
            files[name if edition == "worksheet" else f"{name}-{edition}"] = (
                out / f"{pack}-{edition}.pdf")
    return files


@pytest.fixture(scope="module")
def pages(built) -> dict[str, list[ruled.Page]]:
    return {name: ruled.pages(path) for name, path in built.items()
            if not name.endswith(("-guide", "-source"))}


def _questions(pages: list[ruled.Page]) -> dict[int, list[tuple[ruled.Page, list[ruled.Rule]]]]:
    """The rules of each question by its number, page by page: from its heading ("7.") down to
    the next heading (a heading printed again, "7." on the next page, goes on with question 7)."""
    headings = [(p.number, w.top, int(w.text[:-1])) for p in pages for w in p.words
                if re.fullmatch(r"\d+\.", w.text) and w.x0 < min(v.x0 for v in p.words) + 1]
    result: dict[int, list] = {}
    for i, (page, top, number) in enumerate(headings):
        end = headings[i + 1][:2] if i + 1 < len(headings) else (pages[-1].number + 1, 0.0)
        for p in pages:
            if page <= p.number <= end[0]:
                rules = [r for r in p.rules if (page, top) < (p.number, r.y) < end]
                result.setdefault(number, []).append((p, rules))
    return result


@pytest.mark.parametrize("name", ["seed-a4", "seed-letter", "every", "starter"])
def test_every_ruled_line_is_at_least_8mm_below_the_line_above_it(pages, name):
    """Prose lines, slot lines, the lines in a blank table's cells and the code box's lines, and
    a box's edges: between two strokes with nothing printed between them a hand has 8 mm."""
    lines = [(p.number, upper, lower) for parts in _questions(pages[name]).values()
             for p, rules in parts for upper, lower in ruled.writing_lines(
                 ruled.Page(p.number, tuple(rules), p.words))]
    assert len(lines) > {"seed-a4": 200, "seed-letter": 200, "every": 30}.get(name, 15), len(lines)
    cramped = [(page, round(upper.y, 1), round(lower.y - upper.y, 2))
               for page, upper, lower in lines if lower.y - upper.y < MIN_GAP]
    assert not cramped, cramped


def test_the_code_box_has_a_line_for_each_line_of_code_and_two_more(pages):
    """Four lines of code: a box of six lines, its top and bottom edges the first and last."""
    code = _questions(pages["every"])[6]
    rules = [r for _, rs in code for r in rs]
    assert len(rules) == 7, rules  # top edge, five guides, bottom edge
    gaps = [b.y - a.y for a, b in zip(rules, rules[1:])]
    assert all(MIN_GAP <= gap < 9.6 for gap in gaps), gaps


def _slots(pages: list[ruled.Page]) -> list[tuple[int, int]]:
    """(number, lines) of each list slot in the document: the lines right of its number, down to
    the next slot's number, whatever else is printed there, or a line of another piece (prose
    lines, a code box: a question split across pages may set them right under its last slot). Slot numbers stand where the hint
    above the slots ("Name 4 steps:") begins."""
    column = {round(w.x0) for p in pages for i, w in enumerate(p.words[:-1])
              if w.text == "Name" and re.fullmatch(r"\d+:?", p.words[i + 1].text)
              and abs(p.words[i + 1].top - w.top) < 1}
    found = []
    for page in pages:
        numbers = sorted((w for w in page.words if re.fullmatch(r"\d+", w.text)
                          and round(w.x0) in column), key=lambda w: w.top)
        others = [w for w in page.words if w not in numbers]
        for i, number in enumerate(numbers):
            stop = min([n.top for n in numbers[i + 1:]]
                       + [w.top for w in others if w.top > number.bottom] + [1e9])
            below = sorted((r for r in page.rules if number.top < r.y < stop),
                           key=lambda r: r.y)  # up to the first line of another kind
            lines = list(itertools.takewhile(lambda r: number.x1 < r.x0 < number.x1 + 8, below))
            found.append((int(number.text), len(lines)))
    return found


@pytest.mark.parametrize("name", ["seed-a4", "seed-letter", "every", "starter"])
def test_each_list_slot_has_the_lines_its_own_item_needs(built, pages, name):
    """About 9 words a line, counted per item (a 30-word item in a list of short ones gets 4
    lines, not the list's 2), at least one; words of a link's address are not written."""
    data = yaml.safe_load(built[f"{name}-source"].read_text(encoding="utf-8"))
    items = [item for section in data["sections"] for q in section.get("questions", [])
             if not q.get("choices") for block in (q["answer"] if isinstance(q["answer"], list)
                                                   else []) for item in block.get("list", [])]
    needs = [max(1, math.ceil(len(re.findall(r"\w+", plain_text(item))) / 9)) for item in items]
    slots = _slots(pages[name])
    assert [n for n, _ in slots] == [n for section in data["sections"]
                                     for q in section.get("questions", []) if not q.get("choices")
                                     for block in (q["answer"] if isinstance(q["answer"], list)
                                                   else [])
                                     for n in range(1, len(block.get("list", [])) + 1)]
    short = [(i, lines, need) for i, ((_, lines), need) in enumerate(zip(slots, needs))
             if not need <= lines <= need + 1]
    assert not short, short
    if name.startswith("seed"):
        assert len(slots) == 72  # every list item of the seed pack (74 when the issue was filed)


def _table_rules(parts) -> tuple[list[ruled.Rule], list[list[ruled.Rule]]]:
    """A question's blank table: its full-width edges (top, under the header row, under each
    row) and, for each line inside the rows, the strokes across its blank cells."""
    rules = [r for _, rs in parts for r in rs]
    widest = max(r.x1 - r.x0 for r in rules)
    edges = [r for r in rules if r.x1 - r.x0 > widest - 1]
    guides: dict[float, list[ruled.Rule]] = {}
    for r in rules:
        if r not in edges:
            guides.setdefault(round(r.y, 1), []).append(r)
    return edges, list(guides.values())


@pytest.mark.parametrize("question, mode, rows, blank_cells, printed, hidden", [
    (3, "header-and-first-column", 2, 2, ["Feature", "TCP", "UDP", "Delivery", "Ordering"],
     ["Reliable", "Best effort", "Unordered"]),
    (4, "header", 3, 2, ["Layer", "Does"], ["Transport", "Network", "Link", "Routes"]),
    (5, "blank", 2, 3, ["Complete the table: 3 columns with their headings, 2 rows."],
     ["Aspect", "QUIC", "SCTP", "Streams", "Many"]),
])
def test_a_blank_table_prints_what_its_worksheet_key_says(pages, built, question, mode, rows,
                                                           blank_cells, printed, hidden):
    """Its shape (rows, blank cells in each, ruled inside) and only the printed part of its
    text; `blank` has a row for the headings too. The guide prints the whole table."""
    parts = _questions(pages["every"])[question]
    edges, guides = _table_rules(parts)
    assert len(edges) == rows + 2, (mode, edges)  # top, under the header row, under each row
    assert guides and all(len(line) == blank_cells for line in guides), (mode, guides)
    words = " ".join(w.text for page, _ in parts if page.number == edges[0].page
                     for w in page.words if edges[0].y - 1 < (w.top + w.bottom) / 2 < edges[-1].y)
    text = " ".join(w.text for page, _ in parts for w in page.words)
    for phrase in printed:
        assert phrase.replace(" ", "") in text.replace(" ", ""), (mode, phrase, text)
    for phrase in hidden:
        assert phrase not in pdf_text(built["every"]), (mode, phrase)
    if mode == "blank":
        assert not words.strip(), words  # nothing printed inside the grid
    guide = pdf_text(built["every-guide"])
    assert all(phrase in guide for phrase in hidden), mode


def test_the_seed_pack_hides_the_ways_to_create_a_function_but_keeps_the_features(built):
    """"Ways to create a Lambda function": the methods are the answer (`worksheet: header`);
    "Container images vs .zip": the features frame the question and stay printed."""
    worksheet = pdf_text(built["seed-a4"])
    assert "Best Suited For" in worksheet
    for method in ("Lambda Console", "Deployment Package\n", "Container Image\n",
                   "Infrastructure-as-Code"):
        assert method not in worksheet, method
    for feature in ("Runtime Flexibility", "Deployment Size", "Tooling & Workflow"):
        assert feature in worksheet, feature


@pytest.mark.parametrize("value, message", [
    ("headers", "expected 'blank', 'header' or 'header-and-first-column', found 'headers'; did "
                "you mean 'header'?"),
    ("empty", "expected 'blank', 'header' or 'header-and-first-column', found 'empty'; did you "
              "mean 'blank'?"),
    ("first column", "expected 'blank', 'header' or 'header-and-first-column', found 'first "
                     "column'; did you mean 'header-and-first-column'?"),
    ("7", "expected 'blank', 'header' or 'header-and-first-column', found '7'"),
])
def test_a_wrong_worksheet_value_is_located_with_a_suggestion(tmp_path, value, message):
    text = ("title: T\nsections:\n  - title: S\n    questions:\n      - question: Q?\n"
            "        answer:\n          - table:\n              columns: [A, B]\n"
            f"              rows: [[x, y]]\n              worksheet: {value}\n")
    write_pack(tmp_path, "t", text)
    result = run_cli("--content", tmp_path, "--check", "t")
    assert result.code == 1
    assert f"t.yaml:10:26: {message} (sections[0].questions[0].answer[0].table.worksheet)" \
        in result.err, result.err
    assert "Traceback" not in result.err


def test_the_schema_knows_the_worksheet_key():
    schema = json.loads((ROOT / "schema" / "studypack.schema.json").read_text(encoding="utf-8"))
    validator = jsonschema.Draft202012Validator(schema)
    pack = {"title": "T", "sections": [{"title": "S", "questions": [
        {"question": "Q?", "answer": [{"table": {"columns": ["A", "B"], "rows": [["x", "y"]]}}]}]}]}
    table = pack["sections"][0]["questions"][0]["answer"][0]["table"]
    for value in ("blank", "header", "header-and-first-column"):
        table["worksheet"] = value
        assert not list(validator.iter_errors(pack)), value
    table["worksheet"] = "headers"
    assert list(validator.iter_errors(pack))


page_validation = pytest.importorskip("page", reason="page-validation (requirements-dev.txt)")


def test_checkers_accept_every_kind_of_blank_table(built, tmp_path):
    """page-validation compliant and outloud without error on the worksheet of every block type:
    the grid of `blank` is layout, a first column of labels in a small table is data."""
    report = page_validation.validate_pdf(str(built["every"]), profile="ua1")
    assert report.is_compliant, [(f.rule_id, f.message) for f in report.failures]
    outloud = shutil.which("outloud")
    if outloud is None:
        pytest.skip("outloud (requirements-dev.txt) not installed")
    # outloud leaves a small `.ses` file in its temporary folder: give it one of the test's own.
    env = {**os.environ, "TMPDIR": str(tmp_path), "TEMP": str(tmp_path), "TMP": str(tmp_path)}
    done = subprocess.run([outloud, "--json", "-", "-q", "--fail-on", "never", str(built["every"])],
                          capture_output=True, text=True, timeout=120, env=env)
    result = json.loads(done.stdout)["results"][0]
    assert result["counts"]["error"] == 0, result["findings"]


def test_the_ruler_finds_drawn_lines_where_they_are_and_not_in_text(tmp_path):
    """tests/ruled.py on a page drawn for it: lines 7.5 mm apart (grey and thin, as a code box's),
    a line with a word between it and the next, and a paragraph of bold text that is no line."""
    from weasyprint import HTML

    html = """<style>@page { size: A4; margin: 0 } body { margin: 0 }
      div { position: absolute; left: 30mm; width: 100mm; border-top: 0.4pt solid #999 }
      p { position: absolute; top: 60mm; left: 30mm; margin: 0; font: bold 12pt sans-serif }</style>
      <div style="top: 20mm"></div><div style="top: 27.5mm"></div>
      <div style="top: 40mm"></div><p style="top: 43mm">Between</p><div style="top: 50mm"></div>
      <p style="top: 70mm">Bold text over a line's length is no line at all</p>"""
    path = tmp_path / "ruler.pdf"
    HTML(string=html).write_pdf(path)
    (page,) = ruled.pages(path)
    assert len(page.rules) == 4, page.rules
    assert all(abs(r.y - y) < 0.2 for r, y in zip(page.rules, (20, 27.5, 40, 50))), page.rules
    assert all(abs(r.x0 - 30) < 0.6 and abs(r.x1 - 130) < 0.6 for r in page.rules)
    pairs = [(round(a.y), round(b.y)) for a, b in ruled.writing_lines(page)]
    assert pairs == [(20, 28), (28, 40)]  # 40 to 50 has a word between: no writing line
