"""Writing space on the worksheet, shaped like the answer it replaces: ruled lines, slots, grids."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from .model import Block, Question, Table
from .render import plain_text

# Handwriting fits about 9 words on a ruled line across the answer's width (the text width less
# the answer indent), on lines 9 mm apart: every ruled line of the worksheet is RULE_GAP_MM below
# the one above (8 mm at least, for a hand), given to print.css as --rule-gap (base.html).
WORDS_PER_LINE = 9
RULE_GAP_MM = 9.0
# A blank table's first column takes this share of its width, the others split the rest.
FIRST_COLUMN = 0.28


def word_count(text: str) -> int:
    return len(re.findall(r"\w+", text))


def visible_words(text: str) -> int:
    """The words a reader sees in a markdown text: a link's address or an image's path is none."""
    return word_count(plain_text(text))


@dataclass(frozen=True)
class Lines:
    count: int
    kind: str = "lines"


@dataclass(frozen=True)
class Slots:
    """One numbered slot per list item, each with the lines its own item needs."""

    lines: tuple[int, ...]
    names: str | None = None
    kind: str = "slots"

    @property
    def count(self) -> int:
        return len(self.lines)


TALL_ROW_LINES = 4  # a blank row this tall (36 mm) is room enough to write in on its own


@dataclass(frozen=True)
class BlankRow:
    label: str | None  # the first cell, printed; None where it is part of the answer
    lines: int  # ruled lines in each blank cell of the row


@dataclass(frozen=True)
class BlankTable:
    """A table to fill in; `mode` is the table's `worksheet:` key (what it prints)."""

    columns: tuple[str, ...]
    rows: tuple[BlankRow, ...]
    mode: str = "header-and-first-column"
    heading_lines: int = 1  # `blank`: lines of the row where the candidate writes the headings
    kind: str = "table"

    @property
    def row_headers(self) -> bool:
        return self.mode == "header-and-first-column" and row_headers(len(self.columns),
                                                                      len(self.rows))

    def may_stand_alone(self, row: BlankRow) -> bool:
        """Whether a break may leave `row` alone on its page (breaks.css: a table keeps two rows
        on each side). Only in a table of two or three rows, where two on each side cannot be,
        and only a row of TALL_ROW_LINES or more: else the whole table moves on and may leave
        half a page empty."""
        return len(self.rows) < 4 and row.lines >= TALL_ROW_LINES

    @property
    def blank_columns(self) -> int:
        """The columns whose body cells are left to write in."""
        return len(self.columns) - (self.mode == "header-and-first-column")


@dataclass(frozen=True)
class CodeBox:
    lines: int
    kind: str = "code"


def row_headers(columns: int, rows: int) -> bool:
    """Whether a table's first column is tagged as row headers: only where its data cells are at
    least as many as its header cells. In a table of two columns, or of one or two rows, the
    first column is data (a checker reads more headers than data as a table whose headers were
    shredded, docs/accessibility-and-print.md); it is printed bold either way."""
    return rows * (columns - 1) >= columns + rows


def lines_for(text: str) -> int:
    """Handwriting needs about 9 words a ruled line; a little slack, within sensible bounds."""
    return max(2, min(20, math.ceil(visible_words(text) / WORDS_PER_LINE) + 1))


def slot_lines(item: str) -> int:
    """The lines of one list slot: what the item's own words need, at least one."""
    return max(1, min(20, math.ceil(visible_words(item) / WORDS_PER_LINE)))


def _column_shares(columns: int) -> list[float]:
    if columns == 1:
        return [1.0]
    return [FIRST_COLUMN] + [(1 - FIRST_COLUMN) / (columns - 1)] * (columns - 1)


def _cell_lines(text: str, share: float) -> int:
    """Lines a cell's words need in a column that takes `share` of the answer's width."""
    return math.ceil(visible_words(text) / max(2.0, WORDS_PER_LINE * share))


def blank_table(table: Table) -> BlankTable:
    """The table with what its `worksheet:` key hides left blank, each row as tall as the words
    hidden in it need (two lines at least: a row is also room to think), up to 10."""
    # A table of one column has no first column apart from its data: nothing would be left blank.
    mode = "header" if len(table.columns) == 1 else table.worksheet
    shares = _column_shares(len(table.columns))
    first_blank = 1 if mode == "header-and-first-column" else 0  # the first cell left blank
    rows = []
    for row in table.rows:
        need = max((_cell_lines(cell, share)
                    for cell, share in list(zip(row, shares))[first_blank:]), default=1)
        rows.append(BlankRow(row[0] if first_blank else None, max(2, min(10, need))))
    heading = max(_cell_lines(c, share) for c, share in zip(table.columns, shares))
    return BlankTable(tuple(table.columns), tuple(rows), mode, max(1, min(3, heading)))


def _is_lead_in(block: Block, following: list[Block]) -> bool:
    """A short sentence introducing a list or table ("There are four parts:") needs no lines."""
    return (visible_words(block.text) < 16 and bool(following)
            and following[0].kind in ("list", "table"))


def writing_space(question: Question) -> list:
    """The writing space for an answer: ruled lines for prose, slots for lists, blank tables.

    A multiple-choice question is answered by ticking; its answer is an explanation, so it gets
    lines only when `lines:` asks for them."""
    if question.choices:
        return [Lines(question.lines)] if question.lines else []
    space: list = []
    text_at: int | None = None
    text_lines = 0
    blocks = question.answer
    for index, block in enumerate(blocks):
        kind = block.kind
        if kind == "text" and _is_lead_in(block, blocks[index + 1:index + 2]):
            continue
        if kind == "text":
            if text_at is None:
                text_at = len(space)
                space.append(None)
            text_lines += lines_for(block.text)
        elif kind == "list":
            space.append(Slots(tuple(slot_lines(item) for item in block.list), question.names))
        elif kind == "table":
            space.append(blank_table(block.table))
        elif kind == "code":
            # as many lines as the code has, two more for a hand's larger writing
            space.append(CodeBox(max(3, min(25, len(block.code.text.splitlines()) + 2))))
        else:  # a chart or image in an answer: room to sketch it
            space.append(Lines(6))
    if question.lines is not None:
        text_lines = question.lines
        if text_at is None:
            text_at = len(space)
            space.append(None)
    if text_at is not None:
        space[text_at] = Lines(text_lines)
    return space
