"""Page breaks a typesetter would accept, read from the built PDFs (issue 13, points 2 and 3).

For the guide, the worksheet and the answer key of the seed pack (A4, Letter, a variant) and of
generated packs (long answers, long tables, many questions): a page that opens inside a question
names it at its top and the page before ends saying that it continues, and no other page says
so; no page ends with a heading; a split table (a worksheet's blank ones too) keeps two body
rows on each side and its header row;
no worksheet page is left more than half empty before a page that opens with a question.
Positions are read from the PDF (tests/pagelayout.py), never page numbers: the layout may change.
"""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest

from conftest import SEED_PACK, write_pack
from pagelayout import Page, pages
from pdfcheck import build_quietly
from studypack import breaks
from studypack.load import load_pack
from studypack.render import make_environment
from studypack.writing_space import blank_table

EDITIONS = ("guide", "worksheet", "answer-key")
_WORDS = ("lambda function event queue table stream cold start memory timeout layer runtime "
          "handler role policy retry batch window concurrency version alias deploy trace metric "
          "log").split()
_CONTINUED = re.compile(r"Question (\d+) \(continued\)")
_CONTINUES = re.compile(r"Question (\d+) continues on the next page")
_HEADING_NUMBER = re.compile(r"\s*(\d+)\.")
_ROW = re.compile(r"\bR(\d+) T(\d+)\b")
_HEADER = re.compile(r"\bCol0 T(\d+)\b")


def _words(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(_WORDS) for _ in range(n)).capitalize() + "."


def _table(rng: random.Random, number: int, rows: int, columns: int) -> dict:
    table = {"caption": f"Table {number}"} if rng.random() < 0.5 else {}
    table["columns"] = [f"Col{c} T{number}" for c in range(columns)]
    table["rows"] = [[f"R{r} T{number}"] + [_words(rng, rng.randint(2, 14))
                                             for _ in range(columns - 1)]
                     for r in range(1, rows + 1)]
    return {"table": table}


def _answer_block(rng: random.Random, kind: str, tables: list[int]) -> dict:
    r = rng.random()
    if kind == "long" and r < 0.6:
        return {"text": "\n\n".join(_words(rng, rng.randint(20, 120))
                                     for _ in range(rng.randint(1, 6)))}
    if kind == "tables" and r < 0.6:
        tables.append(len(tables) + 1)
        return _table(rng, len(tables), rng.choice([2, 3, 4, 5, 8, 12, 20, 30]), rng.randint(2, 4))
    if r < 0.7:
        return {"text": _words(rng, rng.randint(5, 60))}
    if r < 0.85:
        return {"list": [_words(rng, rng.randint(1, 30)) for _ in range(rng.randint(2, 9))]}
    return {"code": {"language": "python", "text": "\n".join(
        f"x{i} = {i}" for i in range(rng.randint(1, 30)))}}


def generated_pack(kind: str, seed: int) -> dict:
    """A pack of long answers, long tables or many questions, of every block type; the same
    `kind` and `seed` give the same pack."""
    rng = random.Random(seed)
    tables: list[int] = []
    sections = []
    for s in range(rng.randint(2, 4)):
        questions = []
        for _ in range(rng.randint(10, 20) if kind == "many" else rng.randint(3, 9)):
            answer = [_answer_block(rng, kind, tables) for _ in range(rng.randint(1, 4))]
            question = {"question": _words(rng, rng.randint(4, 30)).rstrip(".") + "?",
                        "answer": answer}
            if rng.random() < 0.15:
                question = {"question": _words(rng, 8).rstrip(".") + "?",
                            "choices": [_words(rng, rng.randint(1, 8))
                                        for _ in range(rng.randint(2, 6))], "correct": 1}
                if rng.random() < 0.5:
                    question["answer"] = [{"text": _words(rng, 30)}]
            questions.append(question)
        section = {"title": f"Section {s + 1} " + _words(rng, 2).rstrip("."),
                   "questions": questions}
        if rng.random() < 0.4:
            section["intro"] = [{"text": _words(rng, rng.randint(10, 80))}]
        sections.append(section)
    return {"title": f"Generated {kind} {seed}", "sections": sections}


# name -> (pack id, options). The generated ones are cases that once broke: a block of lines
# whose last rule ran past the page (many-letter), a code box split where the last lines were
# kept together (many-variant), a blank table of three tall rows after a section title
# (tables-letter).
BUILDS = {
    "seed-a4": ("aws-lambda", ("--booklet",)),
    "seed-letter": ("aws-lambda", ("--paper", "letter")),
    "seed-variant": ("aws-lambda", ("--seed", "7")),
    "long-a4": ("gen-long-1", ()),
    "tables-letter": ("gen-tables-12", ("--paper", "letter")),
    "many-letter": ("gen-many-3", ("--paper", "letter")),
    "many-variant": ("gen-many-23", ("--seed", "7")),
}


@pytest.fixture(scope="module")
def content(tmp_path_factory) -> Path:
    """A content folder with the seed pack and the generated packs of BUILDS."""
    folder = tmp_path_factory.mktemp("breaks-content")
    write_pack(folder, "aws-lambda", SEED_PACK.read_text(encoding="utf-8"))
    for pack_id, _ in BUILDS.values():
        if pack_id.startswith("gen-"):
            _, kind, seed = pack_id.split("-")
            write_pack(folder, pack_id, generated_pack(kind, int(seed)))
    return folder


@pytest.fixture(scope="module")
def built(tmp_path_factory, content) -> dict[str, dict[str, list[Page]]]:
    """build name -> edition -> its pages."""
    root = tmp_path_factory.mktemp("breaks")
    result = {}
    for name, (pack_id, options) in BUILDS.items():
        out = root / name
        variant = f"-seed-{options[1]}" if "--seed" in options else ""
        build_quietly(pack_id, "--content", content, "--output", out, *options,
                      *(arg for edition in EDITIONS for arg in ("--edition", edition)))
        result[name] = {edition: pages(out / f"{pack_id}-{edition}{variant}.pdf")
                        for edition in EDITIONS}
        for booklet in out.glob("*-booklet.pdf"):
            result[name][booklet.stem] = pages(booklet)
    return result


def _open_questions(document: list[Page]) -> list[int | None]:
    """For each page, the question still open where it begins (None: none, or a title since)."""
    current, found = None, []
    for page in document:
        found.append(current)
        for item in sorted(page.body, key=lambda i: i.top):
            if item.is_title:
                current = None
            elif item.is_question_heading and _HEADING_NUMBER.match(item.text):
                current = int(_HEADING_NUMBER.match(item.text)[1])
    return found


def notice_problems(document: list[Page]) -> list[str]:
    """What is wrong with the continued notices of `document`, page by page."""
    problems = []
    for page, open_question in zip(document, _open_questions(document)):
        inside = (open_question is not None and page.first is not None
                  and not page.opens_with_heading())
        expected = [open_question] if inside else []
        opens = f"inside question {open_question}" if inside else "with no question open"
        head = [int(n) for n in _CONTINUED.findall(" ".join(page.head.split()))]
        if head != expected:
            problems.append(f"page {page.number} opens {opens}; its head says {page.head!r}")
        if page.number > 1:
            before = document[page.number - 2]
            foot = [int(n) for n in _CONTINUES.findall(" ".join(before.foot.split()))]
            if foot != expected:
                problems.append(f"page {before.number}'s foot says {before.foot!r}, yet page "
                                f"{page.number} opens {opens}")
    if _CONTINUES.search(document[-1].foot):
        problems.append(f"the last page says a question continues: {document[-1].foot!r}")
    return problems


CASES = [(name, edition) for name in BUILDS for edition in EDITIONS]


@pytest.mark.parametrize("name, edition", CASES)
def test_a_page_opening_inside_a_question_names_it_and_the_page_before_says_it_continues(
        built, name, edition):
    document = built[name][edition]
    assert notice_problems(document) == []


@pytest.mark.parametrize("name, edition", CASES)
def test_no_page_ends_with_a_question_heading_or_a_title(built, name, edition):
    ends = [(page.number, page.last.text) for page in built[name][edition]
            if page.last is not None and (page.last.is_question_heading or page.last.is_title)]
    assert ends == []


@pytest.mark.parametrize("name", list(BUILDS))
def test_no_worksheet_page_is_left_half_empty_before_a_question(built, name):
    document = built[name]["worksheet"]
    empty = [(page.number, round(page.free_mm())) for page, after in zip(document, document[1:])
             if page.free_mm() > page.body_mm() / 2 and after.opens_with_heading()]
    assert empty == []


@pytest.mark.parametrize("name, edition", [(n, e) for n in BUILDS if "tables" in n
                                           for e in EDITIONS])
def test_a_split_table_keeps_two_rows_on_each_side_and_its_header(built, content, name, edition):
    rows: dict[int, dict[int, int]] = {}  # table -> page -> body rows on it
    headers: dict[int, set[int]] = {}  # table -> pages showing its header row
    for page in built[name][edition]:
        text = " ".join(item.text for item in page.body)
        for row, table in _ROW.findall(text):
            rows.setdefault(int(table), {}).setdefault(page.number, 0)
            rows[int(table)][page.number] += 1
        for table in _HEADER.findall(text):
            headers.setdefault(int(table), set()).add(page.number)
    split = {table: on for table, on in rows.items() if len(on) > 1}
    assert split, "the generated pack splits no table: the test would check nothing"
    # A worksheet's blank row of four ruled lines or more, in a table of two or three rows, may
    # stand alone (breaks.css).
    tall = _tall_rows(content / f"{BUILDS[name][0]}.yaml") if edition == "worksheet" else {}
    for table, on in split.items():
        count, tall_rows = tall.get(table, (0, set()))
        first, last = min(on), max(on)
        assert on[first] >= 2 or 1 in tall_rows, (table, on, tall_rows)
        assert on[last] >= 2 or count in tall_rows, (table, on, tall_rows)
        assert set(on) <= headers[table], (table, on, headers[table])


def _tall_rows(pack: Path) -> dict[int, tuple[int, set[int]]]:
    """Generated table number -> (its rows, the numbers of the rows that may stand alone: of 4
    lines or more, in a table of 2 or 3 rows)."""
    tables = {}
    for part in load_pack(pack).parts():
        for item in part.items:
            for block in item.question.answer:
                if block.kind == "table" and (number := _HEADER.search(block.table.columns[0])):
                    space = blank_table(block.table)
                    tables[int(number[1])] = (len(space.rows), {
                        i for i, row in enumerate(space.rows, 1) if space.may_stand_alone(row)})
    return tables


def test_the_notices_are_running_heads_not_content(built):
    """Both notices are margin boxes: outside the body, on every paper, so they never push the
    writing space or an answer about (and pdfua.py makes them pagination artifacts)."""
    document = built["seed-a4"]["worksheet"]
    assert any(_CONTINUED.search(page.head) for page in document)
    assert not any(_CONTINUED.search(item.text) or _CONTINUES.search(item.text)
                   for page in document for item in page.body)


@pytest.mark.parametrize("name", [name for name, (_, options) in BUILDS.items()
                                  if "--seed" not in options])
def test_a_question_kept_whole_is_never_split_and_a_split_one_keeps_three_lines(
        built, content, name):
    """studypack/breaks.py's short questions stay on one page; the others, where they split,
    leave three ruled lines at least (about 27 mm) on the page before and carry on the next."""
    pack_id = BUILDS[name][0]
    loaded = load_pack(content / f"{pack_id}.yaml")
    items = [item for part in loaded.parts() for item in part.items]
    writing_space = make_environment().globals["writing_space"]  # wherever it is defined
    whole = {item.number for item in items
             if breaks.kept_whole(item.question, writing_space(item.question))}
    assert whole and len(whole) < len(items), "the pack tries only one of the two kinds"
    document = built[name]["worksheet"]
    continued = {number for page, number in zip(document, _open_questions(document))
                 if number is not None and not page.opens_with_heading()}
    assert not continued & whole
    for page, after in zip(document, document[1:]):
        numbers = page.question_numbers()
        if numbers and _CONTINUED.findall(after.head) == [str(numbers[-1])]:
            heading = max((i for i in page.body if i.is_question_heading),
                          key=lambda i: i.top)
            space = [i for i in page.body if not i.text and i.top > heading.bottom]
            assert max(i.bottom for i in space) - heading.bottom > 25, (page.number, numbers)


def test_a_booklet_keeps_every_notice_of_its_edition(built):
    """A booklet's sheets show the edition's pages as they are: each notice, once."""
    for edition in EDITIONS:
        notices = [n for page in built["seed-a4"][edition]
                   for n in _CONTINUED.findall(page.head) + _CONTINUES.findall(page.foot)]
        sheets = built["seed-a4"][f"aws-lambda-{edition}-booklet"]
        assert notices
        assert sorted(n for sheet in sheets
                      for n in _CONTINUED.findall(sheet.head) + _CONTINUES.findall(sheet.foot)
                      ) == sorted(notices)
