"""Measuring flashcard texts in WeasyPrint: the height of each candidate (a text at one size) and
of its pieces, from one batch layout, or from the layout store where an earlier build laid out
the very same candidate (layoutstore.py)."""

from __future__ import annotations

import hashlib
import math
from pathlib import Path

from .flashcards import BODY_W, answer_pieces, geometry_css
from .model import Item, LoadedPack, Part
from .render import RenderOptions, render_html
from .session import RenderSession

PX_PER_MM = 96 / 25.4
BOX, END = "<!--box-->", "<!--/boxes-->"  # flashcards.html marks each measured box with them

Key = tuple  # ("q" or "a", question number, size in pt[, pieces shown])


class Measurer:
    """Heights in mm of questions and answers at given sizes, and of each answer's prefixes.

    Candidates are laid out at the card's text width in one batch document and measured from the
    boxes WeasyPrint places (`page.anchors`: the box of each element with an id). Each box is
    known by the SHA-256 of its own HTML and of the document around it (the layout store's key);
    with `target`, the boxes the last build into that file measured are not laid out again, and
    keep() stores the boxes of this one, and only those."""

    def __init__(self, session: RenderSession, loaded: LoadedPack, parts: list[Part],
                 options: RenderOptions, content_root: Path, target: Path | None = None) -> None:
        self.session, self.loaded, self.parts = session, loaded, parts
        self.options, self.content_root = options, content_root
        self.store = session.layouts if target is not None else None
        self.name = target.name if target is not None else ""
        self.known = self.store.heights(self.name) if self.store else {}
        self.used: dict[str, list[float]] = {}

    def __call__(self, wanted: list[tuple[str, Item, float]]) -> dict[Key, float]:
        boxes = [(kind, f"{kind}-{item.number}-{int(size * 10)}", size, item,
                  answer_pieces(item) if kind == "a" else ())
                 for kind, item, size in wanted]
        html = render_html(self.session.env, self.loaded, self.parts, "flashcards", self.options,
                           measure=boxes, sheets=[], body_width=BODY_W,
                           card_geometry=geometry_css())
        head, *fragments = html.split(BOX)
        fragments[-1], tail = fragments[-1].split(END, 1)
        frame = self.store.key("heights", self.loaded, head, tail) if self.store else ""
        keys = [hashlib.sha256((frame + fragment).encode()).hexdigest() for fragment in fragments]
        missing = [i for i, (key, box) in enumerate(zip(keys, boxes))
                   if len(self.known.get(key, ())) != 1 + len(box[4])]
        if missing:
            laid_out = self._layout(head + "".join(BOX + fragments[i] for i in missing) + END
                                    + tail, [boxes[i] for i in missing])
            self.known.update((keys[i], laid_out[boxes[i][1]]) for i in missing)
        heights: dict[Key, float] = {}
        for (kind, item, size), key in zip(wanted, keys):
            values = self.used[key] = self.known[key]
            heights[kind, item.number, size] = values[0]
            heights.update(((kind, item.number, size, k), h) for k, h in enumerate(values[1:], 1))
        return heights

    def _layout(self, html: str, boxes: list[tuple]) -> dict[str, list[float]]:
        """Each box's height, then the heights from its top to the end of each of its pieces."""
        document = self.session.render_document(html, self.content_root)
        found: dict[str, tuple[int, float, float]] = {}  # anchor -> first page, top, bottom there
        split: set[str] = set()  # boxes longer than a measuring page: far too long for a card
        for index, page in enumerate(document.pages):
            for name, (_, top, _, bottom) in page.anchors.items():
                if name in found:
                    split.add(name)
                else:
                    found[name] = (index, top, bottom)
        heights = {}
        for _, name, _, _, pieces in boxes:
            page, top, bottom = found[name]
            values = [math.inf if name in split else (bottom - top) / PX_PER_MM]
            for k in range(1, len(pieces) + 1):
                end_page, end, _ = found[f"{name}-{k}"]
                values.append((end - top) / PX_PER_MM if end_page == page else math.inf)
            heights[name] = values
        return heights

    def keep(self) -> None:
        if self.store:
            self.store.keep_heights(self.name, self.used)
