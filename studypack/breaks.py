"""Where a question may break across pages: which worksheet questions are kept whole.

The continued notices themselves need no code: named strings in templates/breaks.css carry them
into the running head and foot in the one layout pass (docs/accessibility-and-print.md).
"""

from __future__ import annotations

import math

from .model import Question

# A third of the smallest page body (Letter: 279.4 mm less 44 mm of margins, 235 mm): a question
# no taller than this fits in any free third of a page, so keeping it whole never leaves a page
# more than a third empty; a taller one may split between its lines, slots or rows.
WHOLE_BELOW_MM = 75.0
_LINE_MM = 9.0  # a ruled line, or a line of the code box or a blank table's cell (at most)
_HEADING_LINE_MM = 6.0  # a line of a question heading (11.5 pt at line-height 1.2, and margin)
_HEADING_CHARS = 75  # characters a heading line holds across the text width
_CHOICE_MM = 6.2  # a line of multiple choice
_PIECE_MM = {"lines": 2.0, "slots": 6.0, "table": 10.0, "code": 1.0}  # margins, hint, header row


def _lines(space) -> int:
    """The lines of writing a piece of space holds. Slots and blank tables are read in either
    shape the writing space has had: a count of lines per slot or row (`lines_each`,
    `lines_per_row`), or each slot's and row's own (`lines`, `rows`)."""
    kind = space.kind
    if kind == "slots":
        each = getattr(space, "lines", None)
        return sum(each) if each is not None else space.count * space.lines_each
    if kind == "table":
        rows = getattr(space, "rows", None)
        if rows is not None:
            return sum(row.lines for row in rows) + getattr(space, "heading_lines", 0)
        return len(space.labels) * space.lines_per_row
    return space.lines if kind == "code" else space.count


def _piece_mm(space) -> float:
    return _lines(space) * _LINE_MM + _PIECE_MM.get(space.kind, 0.0)


def worksheet_height_mm(question: Question, spaces: list) -> float:
    """About how tall a question is on the worksheet: heading, choices and its writing space
    (`spaces`, from render.writing_space)."""
    heading = math.ceil((len(question.question) + 12) / _HEADING_CHARS) * _HEADING_LINE_MM + 2
    choices = (len(question.choices) * _CHOICE_MM + 8) if question.choices else 0.0
    return heading + choices + sum(_piece_mm(space) for space in spaces)


def kept_whole(question: Question, spaces: list) -> bool:
    """True when the question is short enough to be kept on one page (break-inside: avoid)."""
    return worksheet_height_mm(question, spaces) <= WHOLE_BELOW_MM


TEMPLATE_GLOBALS = {"kept_whole": kept_whole}
