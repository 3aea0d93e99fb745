"""Saddle-stitch imposition: an edition's pages two to a landscape sheet, in booklet order."""

from __future__ import annotations

import io

from pypdf import PdfReader, PdfWriter, Transformation
from pypdf.generic import NameObject, TextStringObject

# The edition file keeps its PDF/UA tags; the imposed file is for printing only and drops them
# (a page merged into another page's content stream has no structure of its own).
_KEPT_INFO = ("/Author", "/Subject", "/Keywords", "/Creator", "/CreationDate", "/ModDate")


def booklet_name(pack_id: str, edition: str) -> str:
    return f"{pack_id}-{edition}-booklet.pdf"


def padded_count(pages: int) -> int:
    """The page count rounded up to a multiple of four: one sheet, folded, carries four pages."""
    return max(4, -(-pages // 4) * 4)


def booklet_order(pages: int) -> list[tuple[int, int]]:
    """The 1-based page numbers on each sheet side, left then right: front, back, front, back...

    For n pages (a multiple of four) sheet i has (n-2i, 2i+1) on its front and (2i+2, n-2i-1) on
    its back, so the stack, printed double-sided and folded in the middle, reads 1, 2, ..., n.
    """
    n = padded_count(pages)
    sides = []
    for i in range(n // 4):
        sides.append((n - 2 * i, 2 * i + 1))
        sides.append((2 * i + 2, n - 2 * i - 1))
    return sides


def impose(pdf: bytes) -> bytes:
    """The booklet of a PDF: each sheet is the page size turned landscape, holding two pages
    scaled to fit side by side (1/sqrt(2) for A-series paper: two A5 pages on an A4 sheet)."""
    reader = PdfReader(io.BytesIO(pdf))
    pages = reader.pages
    box = pages[0].mediabox
    page_w, page_h = float(box.width), float(box.height)
    sheet_w, sheet_h = max(page_w, page_h), min(page_w, page_h)
    half = sheet_w / 2
    scale = min(half / page_w, sheet_h / page_h)
    writer = PdfWriter()
    for side in booklet_order(len(pages)):
        sheet = writer.add_blank_page(sheet_w, sheet_h)
        for slot, number in enumerate(side):
            if number > len(pages):
                continue  # a blank page that pads the booklet to a multiple of four
            page = pages[number - 1]
            source = page.mediabox
            x = slot * half + (half - float(source.width) * scale) / 2
            y = (sheet_h - float(source.height) * scale) / 2
            place = (Transformation().translate(-float(source.left), -float(source.bottom))
                     .scale(scale).translate(x, y))
            sheet.merge_transformed_page(page, place)
        # Links point at pages of the edition, which this file does not have; paper has no links.
        if "/Annots" in sheet:
            del sheet[NameObject("/Annots")]
    info = reader.metadata or {}
    writer.add_metadata({key: value for key, value in info.items() if key in _KEPT_INFO})
    if "/Title" in info:
        writer.add_metadata({"/Title": f"{info['/Title']} · booklet"})
    if "/Lang" in reader.root_object:
        writer.root_object[NameObject("/Lang")] = TextStringObject(reader.root_object["/Lang"])
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
