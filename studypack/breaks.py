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
_HEADING_LINE_MM = 6.0  # a line of a question heading (11.5 pt at line-height 1.2, and margin)
_HEADING_CHARS = 75  # characters a heading line holds across the text width
_CHOICE_MM = 6.2  # a line of multiple choice
_PIECE_MM = {"lines": 2.0, "slots": 6.0, "table": 10.0, "code": 1.0}  # margins, hint, header row


def _lines(space) -> int:
    """The lines of writing a piece of space holds (studypack/writing_space.py)."""
    kind = space.kind
    if kind == "slots":
        return sum(space.lines)
    if kind == "table":
        return sum(row.lines for row in space.rows) + space.heading_lines
    return space.lines if kind == "code" else space.count


def slot_keeps(lines: tuple[int, ...]) -> list[tuple[int, str]]:
    """Each slot's lines, with the classes that keep it to its neighbours (breaks.css): the slots
    before a break hold three lines at least, and so do those after it; no slot is split."""
    keeps = []
    for index, count in enumerate(lines):
        keep = []
        if index < len(lines) - 1 and sum(lines[:index + 1]) < 3:
            keep.append("keep-next")
        if index > 0 and sum(lines[index:]) < 3:
            keep.append("keep-prev")
        keeps.append((count, " ".join(keep)))
    return keeps


def _piece_mm(space) -> float:
    from .writing_space import RULE_GAP_MM  # it uses render, which imports this module

    return _lines(space) * RULE_GAP_MM + _PIECE_MM.get(space.kind, 0.0)


def worksheet_height_mm(question: Question, spaces: list) -> float:
    """About how tall a question is on the worksheet: heading, choices and its writing space
    (`spaces`, from writing_space.writing_space)."""
    heading = math.ceil((len(question.question) + 12) / _HEADING_CHARS) * _HEADING_LINE_MM + 2
    choices = (len(question.choices) * _CHOICE_MM + 8) if question.choices else 0.0
    return heading + choices + sum(_piece_mm(space) for space in spaces)


def kept_whole(question: Question, spaces: list) -> bool:
    """True when the question is short enough to be kept on one page (break-inside: avoid)."""
    return worksheet_height_mm(question, spaces) <= WHOLE_BELOW_MM


TEMPLATE_GLOBALS = {"kept_whole": kept_whole, "slot_keeps": slot_keeps}
