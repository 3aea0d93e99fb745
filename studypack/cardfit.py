"""Fitting each flashcard's text: the largest font size at which it fits its card, found by
laying out as few candidates as the estimates allow; beyond 8 pt, part of the answer and a note."""

from __future__ import annotations

import math
import re
from pathlib import Path

from .cardestimate import FontWidths, answer_mm, question_mm
from .cardmeasure import Key, Measurer
from .flashcards import (
    ANSWER_SIZES,
    BODY_H,
    BODY_W,
    NOTE_H,
    QUESTION_SIZES,
    Card,
    Face,
    answer_pieces,
    sheets_html,
)
from .model import Block, Item, LoadedPack, Part
from .render import RenderOptions, plain_text
from .session import RenderSession

_MD_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")  # ASCII punctuation: CommonMark escapes it

def _fitted_sizes(measure, estimate, items: list[Item], room: float
                  ) -> tuple[dict[Key, float | None], dict[Key, float]]:
    """The largest size at which each question and answer fits, or None; and the heights.

    A text's height grows with its size, so the largest size that fits is the one that fits
    while the next larger does not (or the largest of all); a text that fits at no size is
    measured at the smallest, whose pieces' heights the card's cut needs. Only measured heights
    decide. The estimates (`estimate(kind, item, size)`, in mm) choose which sizes to measure
    first: the size the estimate says is the largest that fits, with the one above it (or, when
    none fits, the smallest alone); when a measurement proves the estimate wrong, the estimates
    scaled by that measurement choose the next. Each round is one layout of every text's next
    candidates; most texts are settled by the first."""
    ranges = {"q": QUESTION_SIZES, "a": ANSWER_SIZES}
    texts = [(kind, item) for item in items for kind in ranges]
    heights: dict[Key, float] = {}
    estimates: dict[Key, float] = {}

    def height(kind: str, item: Item, i: int) -> float | None:
        return heights.get((kind, item.number, ranges[kind][i]))

    def estimated(kind: str, item: Item, i: int) -> float:
        key = (kind, item.number, ranges[kind][i])
        if key not in estimates:
            estimates[key] = estimate(kind, item, ranges[kind][i])
        return estimates[key]

    def result(kind: str, item: Item) -> tuple[bool, int | None]:
        """(found, index of the largest size that fits, None when none does)."""
        sizes = ranges[kind]
        fitting = [i for i in range(len(sizes))
                   if (h := height(kind, item, i)) is not None and h <= room]
        if fitting:
            best = min(fitting)
            return best == 0 or (height(kind, item, best - 1) or 0.0) > room, best
        return height(kind, item, len(sizes) - 1) is not None, None

    def guesses(kind: str, item: Item, after: int, scale: float) -> list[int]:
        """The sizes to measure below index `after`: the largest whose scaled estimate fits,
        with the one above it when that is not known yet; or the smallest."""
        last = len(ranges[kind]) - 1
        guess = next((i for i in range(after + 1, last + 1)
                      if scale * estimated(kind, item, i) <= room), None)
        if guess is None:
            return [last]
        return [guess] if guess == after + 1 else [guess - 1, guess]

    def wanted_next(kind: str, item: Item) -> list[int]:
        found, best = result(kind, item)
        if found:
            return []
        if best is not None:  # the one above the largest that fits so far
            return [best - 1]
        measured = [i for i in range(len(ranges[kind])) if height(kind, item, i) is not None]
        if not measured:
            return guesses(kind, item, -1, 1.0)
        last = max(measured)  # too tall there: the estimates, scaled to fit that measurement
        guessed = estimated(kind, item, last)
        return guesses(kind, item, last, height(kind, item, last) / guessed if guessed > 0 else 1.0)

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
              options: RenderOptions, content_root: Path, target: Path | None = None
              ) -> list[Card]:
    """Each card's font sizes: the largest that fits, down to 8 pt; beyond that, part of the
    answer and a note giving the question's page in the study guide of the same selection.
    `target`: the PDF they go to, whose last build's measurements the layout store kept."""
    items = [item for part in parts for item in part.items]
    titles = {part.id: part.section.title for part in parts}
    room = BODY_H - 0.5  # a hair of slack against rounding
    widths, pieces = FontWidths(), {item.number: answer_pieces(item) for item in items}

    def estimate(kind: str, item: Item, size: float) -> float:
        if kind == "q":
            return question_mm(widths, item, size, BODY_W)
        return answer_mm(widths, pieces[item.number], size, BODY_W)

    measure = Measurer(session, loaded, parts, options, content_root, target)
    best, heights = _fitted_sizes(measure, estimate, items, room)
    measure.keep()
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




def flashcards_pdf(session: RenderSession, loaded: LoadedPack, parts: list[Part],
                   options: RenderOptions, content_root: Path, target: Path | None = None):
    """The flashcards PDF (sheets in front/back pairs) and the HTML it was made from."""
    cards = fit_cards(session, loaded, parts, options, content_root, target)
    html = sheets_html(session, loaded, parts, options, cards)
    return session.html_to_pdf(html, content_root), html
