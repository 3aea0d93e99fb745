"""What a pack will cost to lay out, measured on its plain data before anything is rendered.

Every count has its bound in limits.py; a pack over one is refused at load (and by --check) with
the position of the first thing past the bound, instead of taking minutes and gigabytes to lay out.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from .limits import (MAX_BLOCK_CHARS, MAX_INLINE_RUN, MAX_LIST_ITEMS, MAX_LIST_ITEMS_EACH,
                     MAX_QUESTIONS, MAX_SECTIONS, MAX_TABLE_CELLS, MAX_TABLE_CELLS_EACH, over)

if TYPE_CHECKING:
    from .yamlread import Loc, Source

_MARKUP_CHARS = "`*_[]<"  # what can start or end a piece of inline markup
_SPACE = re.compile(r"\s")


class _Totals:
    def __init__(self, src: Source):
        self.src = src
        self.counts: dict[str, int] = {}
        self.crossed: dict[str, tuple[Loc, int]] = {}

    def add(self, what: str, n: int, limit: int, loc: Loc, *, indexed: bool = True) -> None:
        """Count `n` more of `what` (the entries of the list at `loc`); the first entry past
        `limit` is reported, with the pack's total once it is known."""
        before = self.counts.get(what, 0)
        self.counts[what] = before + n
        if before <= limit < before + n:
            self.crossed[what] = (loc + (limit - before,) if indexed else loc, limit)

    def report(self) -> None:
        for what, (loc, limit) in self.crossed.items():
            self.src.error(loc, over(f"{what} in a pack", self.counts[what], limit))


def check_cost(data: dict, src: Source) -> None:
    """Report, into `src`, every count of the pack over its bound and every text too long."""
    totals = _Totals(src)
    sections = data.get("sections")
    if isinstance(sections, list):
        totals.add("sections", len(sections), MAX_SECTIONS, ("sections",))
        for si, section in enumerate(sections):
            if not isinstance(section, dict):
                continue
            questions = section.get("questions")
            loc = ("sections", si)
            _blocks(section.get("intro"), loc + ("intro",), totals)
            if not isinstance(questions, list):
                continue
            totals.add("questions", len(questions), MAX_QUESTIONS, loc + ("questions",))
            for qi, question in enumerate(questions):
                if isinstance(question, dict):
                    qloc = loc + ("questions", qi)
                    _blocks(question.get("answer"), qloc + ("answer",), totals)
                    _list(question.get("key_points"), qloc + ("key_points",), totals)
    totals.report()
    _texts(data, (), src)


def raw_blocks(blocks: object):
    """(index, block) of each block that is a mapping, in a pack's data not yet validated: a lone
    block stands for a list of one."""
    if isinstance(blocks, dict):
        blocks = [blocks]
    if isinstance(blocks, list):
        yield from ((bi, block) for bi, block in enumerate(blocks) if isinstance(block, dict))


def _blocks(blocks: object, loc: Loc, totals: _Totals) -> None:
    for bi, block in raw_blocks(blocks):
        _list(block.get("list"), loc + (bi, "list"), totals)
        table = block.get("table")
        if isinstance(table, dict):
            _table(table, loc + (bi, "table"), totals)


def _list(items: object, loc: Loc, totals: _Totals) -> None:
    if not isinstance(items, list):
        return
    if len(items) > MAX_LIST_ITEMS_EACH:
        totals.src.error(loc + (MAX_LIST_ITEMS_EACH,), over(
            "items in one list", len(items), MAX_LIST_ITEMS_EACH,
            split="make it several lists, or a table"))
    totals.add("list items and key points", len(items), MAX_LIST_ITEMS, loc)


def _table(table: dict, loc: Loc, totals: _Totals) -> None:
    columns, rows = table.get("columns"), table.get("rows")
    width = len(columns) if isinstance(columns, list) else 0
    cells = width
    if isinstance(rows, list):
        for ri, row in enumerate(rows):
            before = cells
            cells += len(row) if isinstance(row, list) else 0
            if before <= MAX_TABLE_CELLS_EACH < cells:
                totals.src.error(loc + ("rows", ri), over(
                    "cells in one table (headings included)", _cells(table), MAX_TABLE_CELLS_EACH,
                    split="split it into several tables"))
    totals.add("table cells", cells, MAX_TABLE_CELLS, loc, indexed=False)


def _cells(table: dict) -> int:
    columns, rows = table.get("columns"), table.get("rows")
    return (len(columns) if isinstance(columns, list) else 0) + sum(
        len(row) for row in rows if isinstance(row, list)) if isinstance(rows, list) else 0


def _texts(value: object, loc: Loc, src: Source, in_code: bool = False) -> None:
    """Every text of the pack: at most MAX_BLOCK_CHARS long, and (outside code) no run of more
    than MAX_INLINE_RUN pieces of markup without a space. (The reader bounds the depth to 64.)"""
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(item, str) or len(item) > MAX_INLINE_RUN:
                _texts(item, loc + (key,), src, in_code or key == "code")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            if not isinstance(item, str) or len(item) > MAX_INLINE_RUN:
                _texts(item, loc + (index,), src, in_code)
    elif isinstance(value, str):
        if len(value) > MAX_BLOCK_CHARS:
            src.error(loc, over("characters in one text", len(value), MAX_BLOCK_CHARS,
                                split="split it into several blocks or questions"))
        elif not in_code and sum(map(value.count, _MARKUP_CHARS)) > MAX_INLINE_RUN:
            run = longest_markup_run(value)
            if run > MAX_INLINE_RUN:
                src.error(loc, over(
                    "pieces of markup (code spans, emphasis, links) with no space between them",
                    run, MAX_INLINE_RUN, split="put spaces between them, or use a code block"))


def longest_markup_run(text: str) -> int:
    """The most pieces of inline markup (and the text between them) in one run without a space
    or a line break, as markdown-it parses `text`."""
    from .render import MARKDOWN

    longest = run = 0
    tokens = [child for token in MARKDOWN.parseInline(text) for child in token.children or ()]
    for token in tokens:
        if token.type in ("softbreak", "hardbreak"):
            run = 0
        elif token.type == "text" and _SPACE.search(token.content):
            run = 0 if _SPACE.match(token.content[-1]) else 1
        else:
            run += 1
            longest = max(longest, run)
    return longest
