"""What each page of a PDF shows, where: text runs and drawings in mm from the page's top, read
with pdfium, split into the running head, the body and the running foot."""

from __future__ import annotations

import ctypes
import re
from dataclasses import dataclass, field
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

MM = 72 / 25.4
MARGIN_MM = 22.0  # print.css: 22 mm at the top and the bottom of every page
_HEADING = re.compile(r"\s*(\d+)\.")


@dataclass(frozen=True)
class Item:
    top: float
    bottom: float
    text: str = ""  # empty for a drawing
    font: str = ""
    size: float = 0.0  # in pt, as printed

    @property
    def is_question_heading(self) -> bool:
        """A line of a question's heading: bold sans at 11.5 pt (the .q-title of every edition)."""
        return "Sans-Bold" in self.font and abs(self.size - 11.5) < 0.2

    @property
    def is_title(self) -> bool:
        """A section, contents, cover or sheet title: bold sans of 16 pt or more."""
        return "Sans-Bold" in self.font and self.size >= 16


@dataclass
class Page:
    number: int
    width: float
    height: float
    body: list[Item] = field(default_factory=list)
    head: str = ""
    foot: str = ""

    @property
    def first(self) -> Item | None:
        """The first text of the body, or a drawing wholly above it (ruled lines, a table's
        grid); a drawing beside or behind that text (a title's rule, a cell) does not count."""
        texts = [item for item in self.body if item.text]
        first = min(texts, key=lambda item: (item.top, item.bottom), default=None)
        above = [item for item in self.body
                 if not item.text and (first is None or item.bottom <= first.top + 0.1)]
        return min(above, key=lambda item: item.top, default=first)

    @property
    def last(self) -> Item | None:
        return max(self.body, key=lambda item: (item.bottom, item.top), default=None)

    def opens_with_heading(self) -> bool:
        first = self.first
        return first is not None and (first.is_question_heading or first.is_title)

    def free_mm(self) -> float:
        """The empty height at the foot of the page body."""
        bottom = self.height - MARGIN_MM
        return bottom - max((item.bottom for item in self.body), default=MARGIN_MM)

    def body_mm(self) -> float:
        return self.height - 2 * MARGIN_MM

    def question_numbers(self) -> list[int]:
        """The numbers of the questions whose headings start on this page, in order."""
        found = []
        for item in sorted(self.body, key=lambda i: i.top):
            match = _HEADING.match(item.text)
            if item.is_question_heading and match:
                found.append(int(match[1]))
        return found


def _text(obj, textpage) -> str:
    length = pdfium_c.FPDFTextObj_GetText(obj.raw, textpage.raw, None, 0)
    buffer = ctypes.create_string_buffer(length)
    pdfium_c.FPDFTextObj_GetText(obj.raw, textpage.raw,
                                 ctypes.cast(buffer, ctypes.POINTER(ctypes.c_ushort)), length)
    return buffer.raw.decode("utf-16-le").rstrip("\0")


def _font(obj) -> tuple[str, float]:
    size = ctypes.c_float()
    pdfium_c.FPDFTextObj_GetFontSize(obj.raw, ctypes.byref(size))
    name = ctypes.create_string_buffer(200)
    pdfium_c.FPDFFont_GetBaseFontName(pdfium_c.FPDFTextObj_GetFont(obj.raw), name, 200)
    a, b, *_ = obj.get_matrix().get()
    return name.value.decode(errors="replace"), size.value * (a * a + b * b) ** 0.5


def pages(path: Path) -> list[Page]:
    """Every page of the PDF at `path`, its body items and its head and foot texts."""
    document = pdfium.PdfDocument(str(path))
    found = []
    try:
        for number, page in enumerate(document, start=1):
            height = page.get_height() / MM
            result = Page(number, page.get_width() / MM, height)
            textpage = page.get_textpage()
            head, foot = [], []
            objects = list(page.get_objects(max_depth=1))
            if not any(obj.type == pdfium_c.FPDF_PAGEOBJ_TEXT for obj in objects):
                # A booklet's sheet draws its pages as Form XObjects, side by side at full size
                # (so the heights of what they hold stay true): read inside them.
                objects = list(page.get_objects(max_depth=2))
            for obj in objects:
                left, bottom, right, top = obj.get_bounds()
                top_mm, bottom_mm = height - top / MM, height - bottom / MM
                if obj.type == pdfium_c.FPDF_PAGEOBJ_TEXT:
                    text = _text(obj, textpage)
                    if not text.strip():
                        continue
                    if bottom_mm <= MARGIN_MM:
                        head.append((left, text))
                    elif top_mm >= height - MARGIN_MM:
                        foot.append((left, text))
                    else:
                        result.body.append(Item(top_mm, bottom_mm, text, *_font(obj)))
                elif obj.type in (pdfium_c.FPDF_PAGEOBJ_PATH, pdfium_c.FPDF_PAGEOBJ_IMAGE,
                                  pdfium_c.FPDF_PAGEOBJ_FORM):
                    if MARGIN_MM - 1 < top_mm and bottom_mm < height - MARGIN_MM + 1:
                        result.body.append(Item(top_mm, bottom_mm))
            result.head = " ".join(text for _, text in sorted(head, key=lambda t: t[0]))
            result.foot = " ".join(text for _, text in sorted(foot, key=lambda t: t[0]))
            found.append(result)
    finally:
        document.close()
    return found
