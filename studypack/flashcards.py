"""Duplex flashcards: 8 cards a sheet, questions on the front page, answers mirrored on the back."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path

from .model import Block, Item, LoadedPack, Part
from .multiple_choice import answer_blocks
from .render import RenderOptions, plain_text, render_html
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
PX_PER_MM = 96 / 25.4
_MD_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")  # ASCII punctuation: CommonMark escapes it


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


# --- Fitting: every candidate size of every card measured in one layout ----------------------

Key = tuple  # ("q" or "a", question number, size in pt[, pieces shown])


def _measure(session: RenderSession, loaded: LoadedPack, parts: list[Part], wanted: list[tuple[str, Item, float]],
             options: RenderOptions, content_root: Path) -> dict[Key, float]:
    """Heights in mm of questions and answers at the given sizes, and of each answer's prefixes.

    Every candidate is laid out at the card's text width in one batch document and measured from
    the boxes WeasyPrint places (`page.anchors`: the box of each element with an id)."""
    boxes = [(kind, f"{kind}-{item.number}-{int(size * 10)}", size, item,
              answer_pieces(item) if kind == "a" else ())
             for kind, item, size in wanted]
    html = render_html(session.env, loaded, parts, "flashcards", options, measure=boxes,
                       sheets=[], body_width=BODY_W, card_geometry=geometry_css())
    document = session.render_document(html, content_root)
    found: dict[str, tuple[int, float, float]] = {}  # anchor -> first page, top, bottom there
    split: set[str] = set()  # boxes longer than a measuring page: far too long for a card
    for index, page in enumerate(document.pages):
        for name, (_, top, _, bottom) in page.anchors.items():
            if name in found:
                split.add(name)
            else:
                found[name] = (index, top, bottom)
    heights: dict[Key, float] = {}
    for (kind, item, size), (_, name, _, _, pieces) in zip(wanted, boxes):
        page, top, bottom = found[name]
        heights[kind, item.number, size] = (math.inf if name in split
                                            else (bottom - top) / PX_PER_MM)
        for k in range(1, len(pieces) + 1):
            end_page, end, _ = found[f"{name}-{k}"]
            heights[kind, item.number, size, k] = ((end - top) / PX_PER_MM if end_page == page
                                                   else math.inf)
    return heights


def _fitted_sizes(measure, items: list[Item], room: float) -> tuple[dict[Key, float | None],
                                                                   dict[Key, float]]:
    """The largest size at which each question and answer fits, or None; and the heights.

    A text's height grows with its size, so the largest size that fits is the one that fits
    while the next larger does not (or the largest of all). Batches find it with few layouts:
    first every text at its largest size; then, for those that do not fit, the size the first
    height predicts (heights grow about as the square of the size) and the one above it; then,
    rarely, one more size each for the texts whose boundary is not yet found. A text that fits
    at no size is measured at the smallest, whose pieces' heights the card's cut needs."""
    ranges = {"q": QUESTION_SIZES, "a": ANSWER_SIZES}
    texts = [(kind, item) for item in items for kind in ranges]
    heights = measure([(kind, item, ranges[kind][0]) for kind, item in texts])

    def height(kind: str, item: Item, i: int) -> float | None:
        return heights.get((kind, item.number, ranges[kind][i]))

    def result(kind: str, item: Item) -> tuple[bool, int | None]:
        """(found, index of the largest size that fits, None when none does)."""
        sizes = ranges[kind]
        fitting = [i for i in range(len(sizes))
                   if (h := height(kind, item, i)) is not None and h <= room]
        if fitting:
            best = min(fitting)
            return best == 0 or (height(kind, item, best - 1) or 0.0) > room, best
        return height(kind, item, len(sizes) - 1) is not None, None

    def wanted_next(kind: str, item: Item) -> list[int]:
        sizes = ranges[kind]
        found, best = result(kind, item)
        if found:
            return []
        if best is not None:  # the one above the largest that fits so far
            return [best - 1]
        measured = [i for i in range(len(sizes)) if height(kind, item, i) is not None]
        if measured == [0]:  # predict from the largest size's height
            first = height(kind, item, 0)
            guess = next((i for i, size in enumerate(sizes)
                          if first * (size / sizes[0]) ** 2 <= room), len(sizes) - 1)
            return sorted({max(guess, 1), max(guess - 1, 1)} - {0})
        return [max(measured) + 1]

    while True:
        batch = [(kind, item, ranges[kind][i]) for kind, item in texts
                 for i in wanted_next(kind, item)]
        if not batch:
            break
        heights.update(measure(batch))
    best = {}
    for kind, item in texts:
        index = result(kind, item)[1]
        best[kind, item.number] = None if index is None else ranges[kind][index]
    return best, heights


def fit_cards(session: RenderSession, loaded: LoadedPack, parts: list[Part],
              options: RenderOptions, content_root: Path) -> list[Card]:
    """Each card's font sizes: the largest that fits, down to 8 pt; beyond that, part of the
    answer and a note giving the question's page in the study guide of the same selection."""
    items = [item for part in parts for item in part.items]
    titles = {part.id: part.section.title for part in parts}
    room = BODY_H - 0.5  # a hair of slack against rounding
    best, heights = _fitted_sizes(
        lambda wanted: _measure(session, loaded, parts, wanted, options, content_root), items, room)
    guide_pages: dict[int, int] | None = None
    smallest = ANSWER_SIZES[-1]
    cards = []
    for item in items:
        q_size = best["q", item.number]
        front = Face(q_size or QUESTION_SIZES[-1], (),
                     None if q_size else _whole_lines(room, QUESTION_SIZES[-1]))
        pieces = answer_pieces(item)
        a_size = best["a", item.number]
        if a_size is not None:
            back = Face(a_size, pieces)
        else:
            if guide_pages is None:
                guide_pages = session.question_pages(loaded, parts, "guide", options,
                                                     content_root)
            shown = max((k for k in range(1, len(pieces) + 1)
                         if heights["a", item.number, smallest, k] <= room - NOTE_H), default=0)
            page = guide_pages.get(item.number)
            where = f", page {page}" if page else ""
            note = f"Continued in the study guide, question {item.number}{where}."
            if shown:
                back = Face(smallest, pieces[:shown], None, note)
            else:  # one block longer than the card: its opening, cut after whole lines
                first = _opening(pieces[0], heights["a", item.number, smallest, 1],
                                 room - NOTE_H, smallest)
                back = Face(smallest, (first,), _whole_lines(room - NOTE_H, smallest), note)
        cards.append(Card(item, titles[item.section_id], front, back))
    return cards


def _line_mm(size: float) -> float:
    return size * 1.3 * 25.4 / 72  # .card-text line-height: 1.3


def _whole_lines(room: float, size: float) -> float:
    """The height in mm of as many whole lines as fit in `room`."""
    return math.floor(room / _line_mm(size)) * _line_mm(size)


def _opening(block: Block, height: float, room: float, size: float) -> Block:
    """The start of a text block too long for any card, as plain words ending at a sentence.

    The words kept are estimated from the measured height, a line short of the room; the card
    still cuts after whole lines, so a wrong estimate can hide a few words, never half a line."""
    if block.kind != "text":
        return block
    words = plain_text(block.text).split()
    lines = max(1.0, height / _line_mm(size))
    keep = max(1, math.floor(len(words) * (math.floor(room / _line_mm(size)) - 1) / lines))
    text = " ".join(words[:keep])
    sentence_end = max(text.rfind(". "), text.rfind("? "), text.rfind("! "))
    if keep < len(words):
        text = text[:sentence_end + 1] if sentence_end > len(text) * 0.6 else text + " …"
    return Block(text=_MD_PUNCTUATION.sub(r"\\\1", text))  # plain words stay plain in markdown


def sheets_html(session: RenderSession, loaded: LoadedPack, parts: list[Part],
                options: RenderOptions, cards: list[Card]) -> str:
    """The HTML of the printed sheets of fitted cards."""
    return render_html(session.env, loaded, parts, "flashcards", options, measure=[],
                       sheets=sheets(cards, options.paper, options.back_offset_mm),
                       body_width=BODY_W, card_geometry=geometry_css())


def flashcards_pdf(session: RenderSession, loaded: LoadedPack, parts: list[Part],
                   options: RenderOptions, content_root: Path):
    """The flashcards PDF (sheets in front/back pairs) and the HTML it was made from."""
    cards = fit_cards(session, loaded, parts, options, content_root)
    html = sheets_html(session, loaded, parts, options, cards)
    return session.html_to_pdf(html, content_root), html
