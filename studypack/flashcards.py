"""Duplex flashcards: 8 cards a sheet, questions on the front page, answers mirrored on the back
(the cards and their sheets; their texts are fitted in cardfit.py)."""

from __future__ import annotations

from dataclasses import dataclass

from .model import Block, Item, LoadedPack, Part
from .multiple_choice import answer_blocks
from .render import RenderOptions, render_html
from .session import RenderSession

# Card geometry in mm. One card size for A4 and Letter (2 x 4 cards fit both), centred on the
# sheet, so that a card's back lands on its front when the sheet is turned over its long edge.
CARD_W, CARD_H = 95.0, 64.0
COLUMNS, ROWS = 2, 4
PER_SHEET = COLUMNS * ROWS
PAPER_MM = {"a4": (210.0, 297.0), "letter": (215.9, 279.4)}
PAD_X, BODY_TOP, PAD_BOTTOM = 5.0, 10.0, 4.5
BODY_W = CARD_W - 2 * PAD_X
BODY_H = CARD_H - BODY_TOP - PAD_BOTTOM
NOTE_H = 7.5  # room kept for the "continued in the study guide" line
MARK_GAP, MARK_LEN = 1.5, 4.0  # cut marks start this far outside the grid, and are this long



def geometry_css() -> str:
    """The card geometry above as CSS custom properties, for flashcards.css: stated once."""
    values = {"card-w": CARD_W, "card-h": CARD_H, "card-pad-x": PAD_X, "card-body-top": BODY_TOP,
              "card-pad-bottom": PAD_BOTTOM, "card-body-w": BODY_W, "card-body-h": BODY_H}
    return ":root { " + " ".join(f"--{name}: {value:g}mm;" for name, value in values.items()) + " }"


QUESTION_SIZES = (13.0, 12.0, 11.0, 10.0, 9.0, 8.0)
ANSWER_SIZES = (10.0, 9.5, 9.0, 8.5, 8.0)


@dataclass(frozen=True)
class Face:
    """What one side of a card shows."""

    size: float  # font size in pt
    pieces: tuple[Block, ...]  # the answer's blocks, or nothing for a question
    clip_mm: float | None = None  # a text too long even at 8 pt is cut after whole lines
    note: str | None = None  # where to read the rest


@dataclass(frozen=True)
class Card:
    item: Item
    section_title: str
    front: Face
    back: Face


@dataclass(frozen=True)
class Placed:
    card: Card
    left: float
    top: float


@dataclass(frozen=True)
class Sheet:
    """One printed page: the fronts of up to 8 cards, or their backs."""

    side: str  # "front" or "back"
    cards: tuple[Placed, ...]
    marks: tuple[tuple[float, float, float, float], ...]  # cut marks: left, top, width, height


def answer_pieces(item: Item) -> tuple[Block, ...]:
    """The answer split where a card may stop: between paragraphs and between list items."""
    pieces: list[Block] = []
    for block in answer_blocks(item.question) + list(item.question.answer):
        if block.kind == "text" and "```" not in block.text and "\n\n" in block.text.strip():
            pieces.extend(Block(text=p) for p in block.text.strip().split("\n\n") if p.strip())
        elif block.kind == "list":
            pieces.extend(Block(list=[entry]) for entry in block.list)
        else:
            pieces.append(block)
    return tuple(pieces)


def grid_origin(paper: str) -> tuple[float, float]:
    width, height = PAPER_MM[paper]
    return (width - COLUMNS * CARD_W) / 2, (height - ROWS * CARD_H) / 2


def cut_marks(paper: str, dx: float = 0.0, dy: float = 0.0) -> tuple[tuple[float, ...], ...]:
    """Short ticks in the margin on every line a cut follows, clear of the cards themselves."""
    x0, y0 = grid_origin(paper)
    x0, y0 = x0 + dx, y0 + dy
    marks = []
    for c in range(COLUMNS + 1):
        x = x0 + c * CARD_W
        marks.append((x, y0 - MARK_GAP - MARK_LEN, 0.0, MARK_LEN))
        marks.append((x, y0 + ROWS * CARD_H + MARK_GAP, 0.0, MARK_LEN))
    for r in range(ROWS + 1):
        y = y0 + r * CARD_H
        marks.append((x0 - MARK_GAP - MARK_LEN, y, MARK_LEN, 0.0))
        marks.append((x0 + COLUMNS * CARD_W + MARK_GAP, y, MARK_LEN, 0.0))
    return tuple(marks)


def sheets(cards: list[Card], paper: str, back_offset: tuple[float, float]) -> list[Sheet]:
    """Front and back pages in pairs; on a back the columns are mirrored for long-edge duplex."""
    x0, y0 = grid_origin(paper)
    dx, dy = back_offset
    out: list[Sheet] = []
    for start in range(0, len(cards), PER_SHEET):
        chunk = cards[start:start + PER_SHEET]
        fronts, backs = [], []
        for index, card in enumerate(chunk):
            row, column = divmod(index, COLUMNS)
            top = y0 + row * CARD_H
            fronts.append(Placed(card, x0 + column * CARD_W, top))
            backs.append(Placed(card, x0 + (COLUMNS - 1 - column) * CARD_W + dx, top + dy))
        out.append(Sheet("front", tuple(fronts), cut_marks(paper)))
        out.append(Sheet("back", tuple(backs), cut_marks(paper, dx, dy)))
    return out


def sheets_html(session: RenderSession, loaded: LoadedPack, parts: list[Part],
                options: RenderOptions, cards: list[Card]) -> str:
    """The HTML of the printed sheets of fitted cards."""
    return render_html(session.env, loaded, parts, "flashcards", options, measure=[],
                       sheets=sheets(cards, options.paper, options.back_offset_mm),
                       body_width=BODY_W, card_geometry=geometry_css())
