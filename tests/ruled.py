"""The ruled lines of a PDF as a reader sees them: long horizontal strokes found in rendered pages,
with the text around them, for the worksheet's writing-space tests."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pypdfium2 as pdfium
from PIL import Image

DPI = 300
PX = 25.4 / DPI  # mm per pixel
BLOCK = 6  # pixels (0.5 mm) of a row averaged into one sample; a rule inks every sample it crosses
DARK = 200  # a grey level (0-255) darker than this is ink; the palest rule is #999 (153)


@dataclass(frozen=True)
class Rule:
    """A horizontal line on a page: its height from the top and its extent, in mm."""

    page: int
    y: float
    x0: float
    x1: float

    def overlap(self, other: Rule) -> float:
        return min(self.x1, other.x1) - max(self.x0, other.x0)


@dataclass(frozen=True)
class Word:
    page: int
    text: str
    x0: float
    x1: float
    top: float
    bottom: float


@dataclass(frozen=True)
class Page:
    number: int
    rules: tuple[Rule, ...]
    words: tuple[Word, ...]


def _rules(number: int, image, min_length: float) -> list[Rule]:
    """Rows of ink at least `min_length` long, each rule the rows it covers merged into one."""
    ink = image.point(lambda v: 255 if v < DARK else 0)
    width, height = ink.size
    per_row = width // BLOCK
    samples = ink.resize((per_row, height), resample=Image.Resampling.BOX).tobytes()
    run = re.compile(rb"[\xfa-\xff]{%d,}" % max(2, round(min_length / (BLOCK * PX))))
    open_rules: list[list[int]] = []  # [first row, last row, first sample, last sample]
    found = []
    for row in range(height):
        base = row * per_row
        runs = [(m.start() - base, m.end() - 1 - base)
                for m in run.finditer(samples, base, base + per_row)]
        still_open = []
        for rule in open_rules:
            joined = [r for r in runs if min(r[1], rule[3]) > max(r[0], rule[2])]
            if joined:
                rule[1:] = [row, min(rule[2], *(r[0] for r in joined)),
                            max(rule[3], *(r[1] for r in joined))]
                runs = [r for r in runs if r not in joined]
                still_open.append(rule)
            else:
                found.append(rule)
        open_rules = still_open + [[row, row, a, b] for a, b in runs]
    found.extend(open_rules)
    return sorted((Rule(number, (first + last) / 2 * PX, a * BLOCK * PX, (b + 1) * BLOCK * PX)
                   for first, last, a, b in found), key=lambda r: (r.y, r.x0))


def _words(number: int, page) -> list[Word]:
    text = page.get_textpage()
    words, current = [], []
    height = page.get_height()

    def flush():
        if current:
            boxes = [box for _, box in current]
            words.append(Word(number, "".join(c for c, _ in current),
                              min(b[0] for b in boxes) * 25.4 / 72,
                              max(b[2] for b in boxes) * 25.4 / 72,
                              (height - max(b[3] for b in boxes)) * 25.4 / 72,
                              (height - min(b[1] for b in boxes)) * 25.4 / 72))
            current.clear()

    for i in range(text.count_chars()):
        char = text.get_text_range(i, 1)
        if not char.strip():
            flush()
            continue
        box = text.get_charbox(i)
        if current and box[0] - current[-1][1][2] > 1.5:  # a gap wider than a space: a new word
            flush()
        current.append((char, box))
    flush()
    return words


def pages(path: Path, min_length: float = 12.0) -> list[Page]:
    """Every page's rules at least `min_length` mm long and its words, top to bottom."""
    document = pdfium.PdfDocument(str(path))
    try:
        result = []
        for index in range(len(document)):
            page = document[index]
            image = page.render(scale=DPI / 72, grayscale=True).to_pil().convert("L")
            result.append(Page(index + 1, tuple(_rules(index + 1, image, min_length)),
                               tuple(_words(index + 1, page))))
        return result
    finally:
        document.close()


def text_between(page: Page, upper: Rule, lower: Rule) -> bool:
    """Whether any word stands between two rules, over the stretch where both run."""
    x0, x1 = max(upper.x0, lower.x0), min(upper.x1, lower.x1)
    return any(w.x1 > x0 and w.x0 < x1 and upper.y < (w.top + w.bottom) / 2 < lower.y
               for w in page.words)


def writing_lines(page: Page) -> list[tuple[Rule, Rule]]:
    """Pairs of rules with nothing between them, the lower one the next below the upper over at
    least 10 mm of their width: each pair bounds one line a candidate writes on."""
    pairs = []
    for i, upper in enumerate(page.rules):
        below = [r for r in page.rules[i + 1:] if r.y - upper.y > 0.5 and r.overlap(upper) >= 10]
        if not below:
            continue
        lower = min(below, key=lambda r: r.y)
        if not text_between(page, upper, lower):
            pairs.append((upper, lower))
    return pairs
