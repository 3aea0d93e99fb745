"""Tagged PDFs merged into one, as a class set needs: every variant's pages, structure tree
(renumbered), form fields (under a parent field named for the variant) and bookmarks."""

from __future__ import annotations

import io
import warnings
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pikepdf


def merge(documents: list[tuple[str, bytes]], title: str) -> bytes:
    """One tagged PDF of the documents, in order: each from an odd page (a blank page after an
    odd-paged one), one bookmark per document holding its own bookmarks, one structure tree
    (a Part per document under one Document), and the same bytes for the same input."""
    import pikepdf

    from .record import VARIANT_KEY

    merged = pikepdf.open(io.BytesIO(documents[0][1]))
    tree = merged.Root.StructTreeRoot
    top = merged.make_indirect(pikepdf.Dictionary(
        Type=pikepdf.Name.StructElem, S=pikepdf.Name.Document, P=tree, K=pikepdf.Array()))
    nums = pikepdf.Array()
    outline: list[tuple[str, int, list]] = []
    next_key = 0
    first_form = merged.Root.get("/AcroForm")
    form_fields, form_resources = pikepdf.Array(), pikepdf.Dictionary()
    for index, (label, data) in enumerate(documents):
        if index and len(merged.pages) % 2:
            last = merged.pages[-1].mediabox
            merged.add_blank_page(page_size=(float(last[2] - last[0]), float(last[3] - last[1])))
        source = merged if index == 0 else pikepdf.open(io.BytesIO(data))
        first = len(merged.pages) if index else 0
        pages = {page.objgen: i for i, page in enumerate(source.pages)}
        marks = _outline_marks(source, pages)
        src_tree = source.Root.StructTreeRoot
        kids, keyed = _as_array(src_tree.K), _number_tree(src_tree.ParentTree)
        form = source.Root.get("/AcroForm", pikepdf.Dictionary())
        fields, resources = _as_array(form.get("/Fields", pikepdf.Array())), form.get("/DR")
        code = str(source.docinfo.get(VARIANT_KEY) or f"variant-{index + 1}").replace(".", "-")
        if source is not merged:
            with warnings.catch_warnings():  # the fields are gathered below, not by pikepdf
                warnings.simplefilter("ignore", pikepdf.PageCopyWarning)
                merged.pages.extend(source.pages)  # one copier per source: /Pg points at copies
            kids = merged.copy_foreign(source.make_indirect(kids))
            keyed = merged.copy_foreign(source.make_indirect(keyed))
            fields = merged.copy_foreign(source.make_indirect(fields))  # the copied widgets
            if resources is not None:
                resources = merged.copy_foreign(source.make_indirect(resources))
        _add_fields(merged, form_fields, form_resources, code, fields, resources)
        offset, highest = next_key, next_key - 1
        for page in merged.pages[first:]:
            _shift(page.obj, "/StructParents", offset)
            for annot in page.obj.get("/Annots", []):
                _shift(annot, "/StructParent", offset)
        for i in range(0, len(keyed), 2):
            nums.append(int(keyed[i]) + offset)
            nums.append(keyed[i + 1])
            highest = max(highest, int(keyed[i]) + offset)
        next_key = highest + 1
        part = pikepdf.Dictionary(Type=pikepdf.Name.StructElem, S=pikepdf.Name.Part, P=top,
                                  T=pikepdf.String(label), K=pikepdf.Array())
        part = merged.make_indirect(part)
        for kid in kids:
            if isinstance(kid, pikepdf.Dictionary):
                kid.P = part
            part.K.append(kid)
        top.K.append(part)
        outline.append((label, first, [(t, first + p, dest, sub) for t, p, dest, sub in marks]))
    tree.K = pikepdf.Array([top])
    tree.ParentTree = merged.make_indirect(pikepdf.Dictionary(Nums=nums))
    tree.ParentTreeNextKey = next_key
    if first_form is not None and len(form_fields):  # the key's /DA, NeedAppearances kept
        first_form.Fields, first_form.DR = form_fields, form_resources
    if "/Names" in merged.Root:  # the per-document named destinations would clash
        del merged.Root["/Names"]
    _write_outline(merged, outline)
    with merged.open_metadata(set_pikepdf_as_editor=False) as meta:
        meta["dc:title"] = title
    merged.docinfo["/Title"] = title
    buffer = io.BytesIO()
    merged.save(buffer, deterministic_id=True)
    return buffer.getvalue()


def _add_fields(merged: pikepdf.Pdf, fields: pikepdf.Array, resources: pikepdf.Dictionary,
                code: str, variant_fields: pikepdf.Array, variant_resources) -> None:
    """The variant's form fields under one parent field named for it (`seed-7.score.q1`, one
    name per variant), and its field resources (fonts) under names not yet taken: WeasyPrint
    names a font by a hash of it, so one name is one font."""
    import pikepdf

    if not len(variant_fields):
        return
    parent = merged.make_indirect(pikepdf.Dictionary(T=pikepdf.String(code), Kids=pikepdf.Array()))
    for field in variant_fields:
        field.Parent = parent
        parent.Kids.append(field)
    fields.append(parent)
    for kind, named in (variant_resources or pikepdf.Dictionary()).items():
        if kind not in resources:
            resources[kind] = pikepdf.Dictionary()
        for name, value in named.items():
            if name not in resources[kind]:
                resources[kind][name] = value


def _as_array(value) -> pikepdf.Array:
    import pikepdf

    return pikepdf.Array(list(value)) if isinstance(value, pikepdf.Array) else pikepdf.Array([value])


def _number_tree(node) -> pikepdf.Array:
    """The flat [key, value, ...] of a number tree, its kids in order."""
    import pikepdf

    flat = pikepdf.Array()
    for item in node.get("/Nums", []):
        flat.append(item)
    for kid in node.get("/Kids", []):
        for item in _number_tree(kid):
            flat.append(item)
    return flat


def _shift(obj, key: str, offset: int) -> None:
    if key in obj:
        obj[key] = int(obj[key]) + offset


def _outline_marks(source: pikepdf.Pdf, pages: dict) -> list:
    """(title, page index, destination after the page, children) of each bookmark of `source`."""
    import pikepdf

    with source.open_outline() as outline:
        def marks(items):
            found = []
            for item in items:
                dest = item.destination
                if (isinstance(dest, pikepdf.Array) and len(dest)
                        and isinstance(dest[0], pikepdf.Dictionary)):
                    page, rest = pages.get(dest[0].objgen, 0), list(dest)[1:]
                else:  # a named destination: the document's first page
                    page, rest = 0, []
                found.append((item.title, page, rest, marks(item.children)))
            return found
        return marks(outline.root)


def _write_outline(merged: pikepdf.Pdf, variants: list) -> None:
    import pikepdf

    def item(title: str, page: int, rest: list, children: list) -> pikepdf.OutlineItem:
        made = pikepdf.OutlineItem(title)
        made.destination = pikepdf.Array([merged.pages[page].obj, *rest]) if rest else \
            pikepdf.Array([merged.pages[page].obj, pikepdf.Name.Fit])
        made.children.extend(item(*child) for child in children)
        return made

    with merged.open_outline() as outline:
        outline.root.clear()
        for label, first, marks in variants:
            outline.root.append(item(label, first, [], marks))
