"""The structure tree of an edition carried into its booklet (studypack/booklet.py imposes the
pages two to a sheet as Form XObjects): marked content is re-pointed into the forms, so the
booklet is tagged PDF/UA like the edition. Uses pdfua's tree helpers."""

from __future__ import annotations

import pikepdf
from pikepdf import Array, Dictionary, Name

from .pdfua import (
    _drop_empty,
    _elements,
    _kids,
    _parent_tree,
    _store_parent_tree,
)


def structure_for_forms(source: pikepdf.Pdf, forms: dict[int, pikepdf.Object]) -> None:
    """Make `source`'s structure tree point into Form XObjects instead of pages, for imposition.

    `forms` maps a page index to the Form XObject of that page (`page.as_form_xobject()`, made in
    `source`). Each marked-content reference becomes an `/MCR` with `/Stm` (the form), each form
    gets the page's `/StructParents`, and what an imposed file cannot keep goes: the elements'
    `/Pg`, annotation references (the imposed sheets have no annotations: a `/Link` without its
    annotation is a `/Span`) and their parent-tree entries. Copy the tree afterwards with
    `adopt_structure`, after the forms (pikepdf then maps both to the same copies)."""
    root = source.Root.StructTreeRoot
    by_page = {page.obj.objgen: forms.get(index) for index, page in enumerate(source.pages)}
    entries = _parent_tree(root)
    kept_keys = {}
    for index, page in enumerate(source.pages):
        if index in forms and "/StructParents" in page:
            key = int(page.StructParents)
            forms[index].StructParents = key
            if key in entries:
                kept_keys[key] = entries[key]
    for element in list(_elements(root)):
        page_form = by_page.get(element.Pg.objgen) if "/Pg" in element else None
        kids = []
        for kid in _kids(element):
            if isinstance(kid, int) or (isinstance(kid, pikepdf.Object) and
                                        not isinstance(kid, Dictionary) and kid.is_integer()):
                if page_form is not None:
                    kids.append(Dictionary(Type=Name.MCR, MCID=int(kid), Stm=page_form))
            elif isinstance(kid, Dictionary) and kid.get("/Type") == Name.MCR:
                form = by_page.get(kid.Pg.objgen) if "/Pg" in kid else page_form
                if form is not None:
                    kids.append(Dictionary(Type=Name.MCR, MCID=kid.MCID, Stm=form))
            elif isinstance(kid, Dictionary) and kid.get("/Type") == Name.OBJR:
                continue
            else:
                kids.append(kid)
        element.K = Array(kids)
        if "/Pg" in element:
            del element.Pg
        if element.S in (Name.Link, Name.Form):  # their annotations stay behind
            element.S = Name.Span
    _drop_empty(root)  # a form field's element, left without its widget
    _store_parent_tree(source, root, kept_keys)


def adopt_structure(source: pikepdf.Pdf, booklet: pikepdf.Pdf, sheets: dict) -> None:
    """Copy `source`'s structure tree (prepared by `structure_for_forms`) into `booklet`; `sheets`
    maps each copied form's objgen to the sheet page it is drawn on (the `/Pg` of its MCRs)."""
    root = booklet.copy_foreign(source.Root.StructTreeRoot)
    booklet.Root.StructTreeRoot = root
    for element in _elements(root):
        for kid in _kids(element):
            if isinstance(kid, Dictionary) and kid.get("/Type") == Name.MCR and "/Stm" in kid:
                kid.Pg = sheets[kid.Stm.objgen]
    booklet.Root.MarkInfo = Dictionary(Marked=True)
    booklet.Root.ViewerPreferences = Dictionary(DisplayDocTitle=True)
