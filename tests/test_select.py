"""Variants: sections, tags, an exact count and a seeded order, the same in worksheet and key."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT, SEED_PACK, normalize, run_cli, small_pack, write_pack, output_files
from fast_text import page_texts, pdf_text
from studypack.load import load_pack
from studypack.select import Selection, SelectionError, select, variant_code


def shuffle_pack() -> dict:
    """Two sections of eight questions each, tagged so that tags cut across sections."""
    sections = []
    for s, title in enumerate(("First part", "Second part")):
        questions = [{"id": f"s{s}q{n}", "question": f"Question {s}-{n}?", "answer": f"Answer {s}-{n}.",
                      "tags": ["even" if n % 2 == 0 else "odd", "Cold Start"] if n == 3 else
                      ["even" if n % 2 == 0 else "odd"]}
                     for n in range(8)]
        sections.append({"title": title, "id": f"part-{s}", "questions": questions})
    return {"title": "Shuffled", "sections": sections}


@pytest.fixture
def loaded(tmp_path):
    return load_pack(write_pack(tmp_path, "shuffled", shuffle_pack()), "shuffled.yaml")


def ids(parts) -> list[str]:
    return [item.id for part in parts for item in part.items]


def test_no_selection_is_the_whole_pack_in_pack_order(loaded):
    assert select(loaded, Selection()) == loaded.parts()
    assert variant_code(loaded, Selection()) is None


def test_a_seed_shuffles_within_sections_and_is_reproducible(loaded):
    first = select(loaded, Selection(seed="7"))
    assert ids(first) == ids(select(loaded, Selection(seed="7")))
    assert ids(first) != ids(loaded.parts())
    assert ids(first) != ids(select(loaded, Selection(seed="8")))
    assert [p.id for p in first] == ["part-0", "part-1"]
    assert [i.section_id for i in first[0].items] == ["part-0"] * 8  # shuffled within sections
    assert [i.number for p in first for i in p.items] == list(range(1, 17))
    assert ids(select(loaded, Selection(seed="Monday"))) == ids(select(loaded, Selection(seed="monday")))


def test_a_seed_gives_the_same_order_in_another_process(loaded):
    """random.Random(str) hashes with SHA-512, not the salted hash(): check across processes."""
    script = (f"import sys; sys.path.insert(0, {str(ROOT)!r})\n"
              "from studypack.load import load_pack\n"
              "from studypack.select import Selection, select\n"
              f"p = load_pack(__import__('pathlib').Path({loaded.path!r}), 'x')\n"
              "print(' '.join(i.id for part in select(p, Selection(seed='7')) for i in part.items))")
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True,
                         env={"PYTHONHASHSEED": "12345", "PATH": "/usr/bin:/bin"})
    assert out.stdout.split() == ids(select(loaded, Selection(seed="7")))


def test_count_is_exact_and_seeded_samples_are_reproducible(loaded):
    first = select(loaded, Selection(count=5))
    assert ids(first) == ["s0q0", "s0q1", "s0q2", "s0q3", "s0q4"]
    sample = select(loaded, Selection(count=5, seed="3"))
    assert len(ids(sample)) == 5
    assert ids(sample) == ids(select(loaded, Selection(count=5, seed="3")))
    assert [i.number for p in sample for i in p.items] == [1, 2, 3, 4, 5]
    assert len(ids(select(loaded, Selection(count=16)))) == 16


def test_sections_and_tags_choose_questions(loaded):
    by_title = select(loaded, Selection(sections=("second PART",)))
    assert ids(by_title) == [f"s1q{n}" for n in range(8)]
    assert ids(select(loaded, Selection(sections=("part-1",)))) == ids(by_title)
    odd = select(loaded, Selection(tags=("odd",), sections=("part-0",)))
    assert ids(odd) == ["s0q1", "s0q3", "s0q5", "s0q7"]
    assert ids(select(loaded, Selection(tags=("cold start",)))) == ["s0q3", "s1q3"]


@pytest.mark.parametrize("selection, message", [
    (Selection(sections=("third",)), "--section 'third': pack 'shuffled' has no such section "
                                     "(sections: part-0, part-1)"),
    (Selection(tags=("blue",)), "--tag 'blue': no question of pack 'shuffled' has it "
                                "(tags: cold start, even, odd)"),
    (Selection(count=17), "--count 17: the selection holds only 16 questions of pack 'shuffled'"),
    (Selection(count=0), "--count 0: give a number of questions from 1"),
    (Selection(seed="a b"), "--seed 'a b': use 1 to 24 letters or digits, e.g. --seed 7"),
])
def test_impossible_selections_say_why(loaded, selection, message):
    with pytest.raises(SelectionError) as caught:
        select(loaded, selection)
    assert str(caught.value) == message


def test_variant_codes_are_short_stable_and_distinct(loaded):
    code = lambda **kw: variant_code(loaded, Selection(**kw))  # noqa: E731
    assert code(seed="7") == "seed-7"
    assert code(count=5) == "count-5"
    assert code(seed="7", count=5) == "seed-7-count-5"
    tagged = code(tags=("odd",))
    assert re.fullmatch(r"sel-[0-9a-f]{8}", tagged)
    assert code(tags=("ODD",)) == tagged
    assert code(sections=("part-0", "part-1")) == code(sections=("Second part", "First part"))
    codes = {code(tags=("odd",)), code(tags=("even",)), code(sections=("part-0",)),
             code(sections=("part-0",), tags=("odd",)), code(seed="7"), code(seed="8")}
    assert len(codes) == 6


def headings(path: Path) -> list[tuple[str, str]]:
    """The numbered question headings in reading order: number and the heading's first words."""
    return [(n, rest[:24]) for n, rest in re.findall(r"(?m)^(\d+)\.\s+(.+)$", pdf_text(path))]


@pytest.fixture(scope="module")
def seed_7(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("seed-7")
    result = run_cli("--content", SEED_PACK.parent, "--output", out, "--seed", "7",
                     "--edition", "worksheet", "--edition", "answer-key", "aws-lambda")
    assert result.code == 0, result.err
    return out


def test_worksheet_and_key_of_a_seed_share_names_order_and_code(seed_7):
    worksheet = seed_7 / "aws-lambda-worksheet-seed-7.pdf"
    key = seed_7 / "aws-lambda-answer-key-seed-7.pdf"
    assert output_files(seed_7) == sorted([worksheet.name, key.name])
    on_sheet, in_key = headings(worksheet), headings(key)
    assert len(on_sheet) == 20
    assert on_sheet == in_key
    for path in (worksheet, key):
        for text in page_texts(path):
            assert "Variant seed-7" in normalize(text)


def test_a_seed_changes_the_order_from_the_plain_build(seed_7, seed_build):
    plain = [q for _, q in headings(seed_build / "aws-lambda-worksheet.pdf")]
    shuffled = [q for _, q in headings(seed_7 / "aws-lambda-worksheet-seed-7.pdf")]
    assert sorted(plain) == sorted(shuffled) and plain != shuffled
    assert "Variant" not in pdf_text(seed_build / "aws-lambda-worksheet.pdf")


def test_count_through_the_command_line_is_exact(tmp_path):
    write_pack(tmp_path / "content", "shuffled", shuffle_pack())
    result = run_cli("--content", tmp_path / "content", "--output", tmp_path / "out", "--count", "3",
                     "--tag", "odd", "--edition", "worksheet", "shuffled")
    assert result.code == 0, result.err
    (sheet,) = [tmp_path / "out" / name for name in output_files(tmp_path / "out")]
    assert re.fullmatch(r"shuffled-worksheet-count-3-sel-[0-9a-f]{8}\.pdf", sheet.name)
    assert [n for n, _ in headings(sheet)] == ["1", "2", "3"]
    assert "3 questions" in normalize(pdf_text(sheet))


@pytest.mark.parametrize("args, message", [
    (["--section", "Nope"], "--section 'Nope': pack 'net' has no such section (sections: layers, addressing)"),
    (["--tag", "x"], "--tag 'x': no question of pack 'net' has it (tags: none)"),
    (["--count", "4"], "--count 4: the selection holds only 3 questions of pack 'net'"),
])
def test_impossible_selections_are_usage_errors(tmp_path, args, message):
    write_pack(tmp_path / "content", "net", small_pack())
    result = run_cli("--content", tmp_path / "content", "--output", tmp_path / "out", *args, "net")
    assert result.code == 2
    assert f"build.py: error: {message}" in result.err
    assert not (tmp_path / "out").exists()
    checked = run_cli("--content", tmp_path / "content", "--check", *args, "net")
    assert checked.code == 2
