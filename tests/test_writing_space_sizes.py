"""How much writing space each answer block gets (studypack/writing_space.py), without a PDF: the
rules the printed pages of tests/test_writing_space.py are measured against."""

from __future__ import annotations

import math

from hypothesis import given, settings
from hypothesis import strategies as st

from studypack.model import Question, Table
from studypack.writing_space import BlankTable, Slots, blank_table, slot_lines, writing_space

words = st.lists(st.sampled_from(["queue", "Lambda", "role", "a", "S3", "event"]), max_size=200)


def _question(*answer) -> Question:
    return Question.model_validate({"question": "Q?", "answer": list(answer)})


@settings(max_examples=60, deadline=None)
@given(st.lists(words.map(" ".join).filter(str.strip), min_size=1, max_size=12))
def test_each_slot_gets_what_its_own_item_needs(items):
    (space,) = writing_space(_question({"list": items}))
    assert isinstance(space, Slots)
    assert space.lines == tuple(max(1, min(20, math.ceil(len(i.split()) / 9))) for i in items)


def test_a_30_word_item_beside_short_ones_gets_4_lines():
    (space,) = writing_space(_question({"list": ["Go", " ".join(["word"] * 30), "Two words"]}))
    assert space.lines == (1, 4, 1)
    assert slot_lines("[the guide](https://example.com/many/words/in/a/link/address)") == 1


def _table(mode: str | None, columns: int, rows: list[list[str]]) -> BlankTable:
    data = {"columns": [f"C{i}" for i in range(columns)], "rows": rows}
    if mode:
        data["worksheet"] = mode
    return blank_table(Table.model_validate(data))


def test_rows_are_as_tall_as_their_own_hidden_cells_need():
    long = " ".join(["word"] * 12)  # 12 words in a column of 36 %: about 3 words a line
    space = _table(None, 3, [["Label", long, "short"], ["Other", "a", "b"]])
    assert space.mode == "header-and-first-column"
    assert [(r.label, r.lines) for r in space.rows] == [("Label", 4), ("Other", 2)]
    assert space.blank_columns == 2 and not space.row_headers  # 4 data cells, 5 headers


def test_header_and_blank_hide_the_first_column_and_blank_the_headings_too():
    rows = [[" ".join(["word"] * 9), "x"], ["y", "z"]]
    header = _table("header", 2, rows)
    assert [(r.label, r.lines) for r in header.rows] == [(None, 4), (None, 2)]
    assert header.blank_columns == 2
    blank = _table("blank", 2, rows)
    assert blank.mode == "blank" and blank.heading_lines == 1 and blank.blank_columns == 2


def test_a_table_of_one_column_is_left_blank_and_rows_stay_within_bounds():
    space = _table(None, 1, [["a"], [" ".join(["word"] * 400)]])
    assert space.mode == "header" and space.blank_columns == 1
    assert [r.lines for r in space.rows] == [2, 10]
