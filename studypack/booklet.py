"""Saddle-stitch imposition: an edition's pages two to a landscape sheet, in booklet order."""

from __future__ import annotations

import io

import pikepdf

from . import booklettags

# Each page is drawn on its sheet as a Form XObject; the edition's structure tree comes along,
# pointing into those forms (booklettags.structure_for_forms), so the booklet is tagged PDF/UA too.
_KEPT_INFO = ("/Author", "/Subject", "/Keywords", "/Creator", "/CreationDate", "/ModDate")


def padded_count(pages: int) -> int:
    """The page count rounded up to a multiple of four: one sheet, folded, carries four pages."""
    return max(4, -(-pages // 4) * 4)


def booklet_order(pages: int) -> list[tuple[int, int]]:
    """The 1-based page numbers on each sheet side, left then right: front, back, front, back...

    For n pages (a multiple of four) sheet i has (n-2i, 2i+1) on its front and (2i+2, n-2i-1) on
    its back, so the stack, printed double-sided and folded in the middle, reads 1, 2, ..., n.
    A number above the real page count is a blank page.
    """
    n = padded_count(pages)
    sides = []
    for i in range(n // 4):
        sides.append((n - 2 * i, 2 * i + 1))
        sides.append((2 * i + 2, n - 2 * i - 1))
    return sides


def impose(pdf: bytes) -> bytes:
    """The booklet of a PDF: each landscape sheet is twice the page wide and holds two pages side
    by side at full size (A4 pages on A3 sheets, Letter pages on 11 x 17 in), so no text shrinks
    below its printed size; a home printer can still print it "fit to page" on the page size."""
    with pikepdf.open(io.BytesIO(pdf)) as source, pikepdf.new() as booklet:
        pages = source.pages
        box = pages[0].mediabox
        page_w, page_h = float(box[2] - box[0]), float(box[3] - box[1])
        sheet_w, sheet_h = 2 * page_w, page_h
        tagged = "/StructTreeRoot" in source.Root
        forms = {index: page.as_form_xobject() for index, page in enumerate(pages)}
        if tagged:
            booklettags.structure_for_forms(source, forms)
        sheets = {}
        for side in booklet_order(len(pages)):
            sheet = booklet.add_blank_page(page_size=(sheet_w, sheet_h))
            for slot, number in enumerate(side):
                if number <= len(pages):
                    half = pikepdf.Rectangle(slot * sheet_w / 2, 0, (slot + 1) * sheet_w / 2,
                                             sheet_h)
                    # Drawn as a Form XObject: fonts and images are shared, not copied per page;
                    # link annotations stay behind (they point at pages this file does not have).
                    # Named for its page number, so that the same edition gives the same bytes.
                    form = booklet.copy_foreign(forms[number - 1])
                    sheets[form.objgen] = sheet.obj
                    name = sheet.add_resource(form, pikepdf.Name.XObject,
                                              pikepdf.Name(f"/Page{number}"))
                    sheet.contents_add(sheet.calc_form_xobject_placement(form, name, half))
        if tagged:
            booklettags.adopt_structure(source, booklet, sheets)
        copy_metadata(source, booklet)
        out = io.BytesIO()
        booklet.save(out, deterministic_id=True,
                     object_stream_mode=pikepdf.ObjectStreamMode.generate)  # its tree, compressed
    return out.getvalue()


def copy_metadata(source: pikepdf.Pdf, booklet: pikepdf.Pdf) -> None:
    """Title (marked as the booklet), author, subject, keywords and language of the edition."""
    for key in _KEPT_INFO:
        if key in source.docinfo:
            booklet.docinfo[key] = str(source.docinfo[key])
    if "/Title" in source.docinfo:
        booklet.docinfo["/Title"] = f"{source.docinfo['/Title']} · booklet"
    if "/Lang" in source.Root:
        booklet.Root.Lang = pikepdf.String(str(source.Root.Lang))
    with booklet.open_metadata(set_pikepdf_as_editor=False) as meta:
        meta.load_from_docinfo(booklet.docinfo)
        if "/StructTreeRoot" in booklet.Root:
            meta["pdfuaid:part"] = "1"  # the edition's structure, kept: booklettags.adopt_structure
