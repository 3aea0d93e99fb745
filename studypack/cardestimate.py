"""Estimated heights of flashcard texts, from the bundled fonts' advance widths: where fitting
starts measuring (an estimate only chooses which sizes WeasyPrint lays out first, never a size)."""

from __future__ import annotations

import struct
from pathlib import Path

from .assets import TEMPLATES
from .model import Block, Item
from .render import plain_text

PT_MM = 25.4 / 72
# The fonts flashcards.css sets for card text; "Studypack Body" and friends in print.css.
BODY, BOLD, SANS_BOLD, MONO = ("CharisSIL-Regular.ttf", "CharisSIL-Bold.ttf", "Lato-Bold.ttf",
                               "NotoSansMono-Regular.ttf")
UNKNOWN_ADVANCE = 0.6  # em, for a character a font does not have (a fallback font draws it)
IMAGE_MM = 30.0  # .card-text figure.image img { max-height: 30mm }


class FontWidths:
    """Advance widths (in em) of the characters of the templates' fonts, read once per session
    with fontTools (cmap and hmtx only: a few milliseconds a font)."""

    def __init__(self, fonts: Path = TEMPLATES / "fonts") -> None:
        self.fonts = fonts
        self._widths: dict[str, dict[int, float]] = {}
        self._words: dict[tuple[str, str], tuple[float, list[float]]] = {}  # at every size
        self._plain: dict[str | None, str] = {}

    def plain(self, markdown: str | None) -> str:
        """plain_text(markdown), once per text: each is estimated at several sizes."""
        if markdown not in self._plain:
            self._plain[markdown] = plain_text(markdown)
        return self._plain[markdown]

    def of(self, name: str) -> dict[int, float]:
        if name not in self._widths:
            self._widths[name] = _advances(self.fonts / name)
        return self._widths[name]

    def words(self, text: str, font: str) -> tuple[float, list[float]]:
        """The widths in em of a space and of each word of `text` (plain), in `font`."""
        if (font, text) not in self._words:
            widths = self.of(font)
            self._words[font, text] = (
                widths.get(32, 0.25),
                [sum(widths.get(ord(c), UNKNOWN_ADVANCE) for c in word) for word in text.split()])
        return self._words[font, text]

    def lines(self, text: str, font: str, em_mm: float, width_mm: float) -> int:
        """Lines of `text` wrapped at spaces into `width_mm`, greedily, as a browser does."""
        space, words = self.words(text, font)
        space *= em_mm
        count, x = 1, 0.0
        for word in words:
            w = word * em_mm
            if x and x + space + w > width_mm:
                count, x = count + 1, w
            else:
                x = x + space + w if x else w
        return count


def _advances(path: Path) -> dict[int, float]:
    from fontTools.ttLib import TTFont

    try:
        font = TTFont(path, lazy=True)
        # unitsPerEm from the raw 'head' table: decompiling it makes fontTools warn about the
        # fonts' timestamps (the warning a build must not print).
        units = struct.unpack(">H", font.reader["head"][18:20])[0] or 1000
        metrics = font["hmtx"].metrics
        return {code: metrics[glyph][0] / units for code, glyph in font.getBestCmap().items()}
    except Exception:  # noqa: BLE001 (a font it cannot read: every character at a guessed width)
        return {}


def question_mm(widths: FontWidths, item: Item, size: float, width_mm: float) -> float:
    """A card front's estimated height: the question (bold sans, line-height 1.25), then its
    choices, if any."""
    em = size * PT_MM
    question = item.question
    height = widths.lines(widths.plain(question.question), SANS_BOLD, em, width_mm) * em * 1.25
    if question.choices:
        height += em * 1.6  # the "choose one" line
        height += sum(widths.lines(widths.plain(choice), BODY, em, width_mm - 2.1 * em) * em * 1.3
                      + 0.1 * em for choice in question.choices)
    return height


def answer_mm(widths: FontWidths, pieces: tuple[Block, ...], size: float,
              width_mm: float) -> float:
    """A card back's estimated height: its pieces at `size`, in flashcards.css's spacing."""
    return sum(_block_mm(widths, block, size * PT_MM, width_mm) for block in pieces)


def _block_mm(widths: FontWidths, block: Block, em: float, width: float) -> float:
    line = em * 1.3

    def text(markdown: str | None, w: float, font: str = BODY) -> float:
        return widths.lines(widths.plain(markdown), font, em, w) * line

    kind = block.kind
    if kind == "text":
        return sum(text(p, width) + 0.35 * em for p in block.text.split("\n\n") if p.strip())
    if kind == "list":
        return sum(text(entry, width - 1.1 * em) + 0.1 * em for entry in block.list) + 0.1 * em
    if kind == "table":
        table = block.table
        cell = width / len(table.columns) - 2.0  # 1 mm of padding each side
        rows = [(table.columns, BOLD)] + [(row, BODY) for row in table.rows]
        return ((text(table.caption, width) if table.caption else 0.0) + 0.55 * em
                + sum(max(text(c, cell, font) for c in cells) + 1.0 for cells, font in rows))
    if kind == "code":
        return sum(widths.lines(row, MONO, em, width - 3.0) * line
                   for row in block.code.text.splitlines() or [""]) + 2.0 + 0.55 * em
    if kind == "chart":
        chart = block.chart
        return ((text(chart.caption, width) if chart.caption else 0.0)
                + len(chart.data) * (line + 0.1 * em) + 0.1 * em)
    image = block.image  # an image block
    return IMAGE_MM + (text(image.caption, width) if image.caption else 0.0) + 0.6 * em
