"""PDF/UA-1 repairs WeasyPrint 70 cannot make itself, done on the written PDF with pikepdf.

Each repair works on any structure tree (it looks at structure types, not at our templates):

- Margin-box content (running heads, footers, "Page X of Y"): WeasyPrint gives it MCIDs and
  structure elements that it then leaves out of the tree. Marked content whose element the tree
  does not reach becomes `/Artifact <</Type /Pagination>>`, and leaves the parent tree.
- Link annotations: every one gets the Print flag; one whose structure parent is not a `/Link`
  element is put inside one (a `/Span` holding it becomes the `/Link`, otherwise a new `/Link`
  element takes its place in the parent).
- A table split across pages is one `/Table` element again: WeasyPrint tags each page's part as
  a table of its own, with the repeated header row as content. A table that follows another in
  reading order with nothing between them, no caption, and a header row as wide, is its
  continuation: its rows join the first part (their `/Headers` renamed to the first part's header
  cells) and its repeated header row becomes a pagination artifact. (A caption alone at the foot
  of a page takes the whole table that follows it.)
- Table header cells (`/TH`) without a `/Scope` get one: `/Row` in a row that has data cells,
  `/Column` otherwise (the rule the templates' `scope` attributes follow).
- Structure elements with no content, no children and no alternate text (the key's empty score
  boxes, empty spans) are removed; table cells, rows and figures stay, so tables keep their grid.

The same input gives the same bytes (no clock, deterministic file id): tests/test_reproducible.py.
"""

from __future__ import annotations

import io

import pikepdf
from pikepdf import Array, Dictionary, Name

PAGINATION = Dictionary(Type=Name.Pagination)
PRINT_FLAG = 4  # annotation flags, bit 3 (ISO 32000-1, 12.5.3)
_KEPT_WHEN_EMPTY = {"/TD", "/TH", "/TR", "/THead", "/TBody", "/TFoot", "/Table", "/Figure",
                    "/Formula", "/Form", "/Document"}


def conform(data: bytes) -> bytes:
    """`data` (a tagged PDF) with the repairs above; a PDF without structure comes back as is."""
    with pikepdf.open(io.BytesIO(data)) as pdf:
        if "/StructTreeRoot" not in pdf.Root:
            return data
        root = pdf.Root.StructTreeRoot
        parents = _parent_tree(root)
        _join_split_tables(root)
        reached = _reachable(root)
        for page in pdf.pages:
            _pagination_artifacts(pdf, page, parents, reached)
        _links(pdf, root, parents)
        _scope_headers(root)
        _drop_empty(root)
        _store_parent_tree(pdf, root, parents)
        out = io.BytesIO()
        pdf.save(out, deterministic_id=True, object_stream_mode=pikepdf.ObjectStreamMode.generate)
    return out.getvalue()


def _kids(element) -> list:
    kids = element.get("/K")
    if kids is None:
        return []
    return list(kids) if isinstance(kids, Array) else [kids]


def _is_element(obj) -> bool:
    return isinstance(obj, Dictionary) and "/S" in obj


def _elements(root):
    """Every structure element under `root` (the tree's root, or an element), in reading order."""
    stack = [kid for kid in reversed(_kids(root)) if _is_element(kid)]
    while stack:
        element = stack.pop()
        yield element
        stack.extend(kid for kid in reversed(_kids(element)) if _is_element(kid))


def _reachable(root) -> set:
    return {element.objgen for element in _elements(root)}


def _parent_tree(root) -> dict[int, object]:
    """The parent tree's number -> value (a page's MCID array, or an annotation's element)."""
    tree = root.get("/ParentTree")
    entries: dict[int, object] = {}
    if tree is None:
        return entries
    stack = [tree]
    while stack:
        node = stack.pop()
        nums = node.get("/Nums")
        if nums is not None:
            for i in range(0, len(nums) - 1, 2):
                entries[int(nums[i])] = nums[i + 1]
        stack.extend(node.get("/Kids", []))
    return entries


def _store_parent_tree(pdf, root, entries: dict[int, object]) -> None:
    nums = Array()
    for key in sorted(entries):
        nums.append(key)
        nums.append(entries[key])
    root.ParentTree = pdf.make_indirect(Dictionary(Nums=nums))
    root.ParentTreeNextKey = max(entries, default=-1) + 1


def _pagination_artifacts(pdf, page, parents, reached) -> None:
    """Marked content whose element is outside the tree -> a pagination artifact."""
    if "/StructParents" not in page:
        return
    mcids = parents.get(int(page.StructParents))
    if mcids is None:
        return
    orphans = {i for i, element in enumerate(mcids)
               if isinstance(element, Dictionary) and element.objgen not in reached}
    if not orphans:
        return
    instructions = pikepdf.parse_content_stream(page)
    changed = False
    for index, (operands, operator) in enumerate(instructions):
        if (str(operator) == "BDC" and len(operands) == 2
                and isinstance(operands[1], Dictionary) and "/MCID" in operands[1]
                and int(operands[1].MCID) in orphans):
            instructions[index] = pikepdf.ContentStreamInstruction(
                [Name.Artifact, PAGINATION], pikepdf.Operator("BDC"))
            changed = True
    if changed:
        page.Contents = pdf.make_stream(pikepdf.unparse_content_stream(instructions))
    for i in orphans:
        mcids[i] = None  # null: no element for this MCID, the numbers of the others stay


def _links(pdf, root, parents) -> None:
    document = next((kid for kid in _kids(root) if _is_element(kid)), None)
    for page in pdf.pages:
        for annotation in page.get("/Annots", []):
            annotation.F = int(annotation.get("/F", 0)) | PRINT_FLAG
            if annotation.get("/Subtype") != Name.Link:
                continue
            key = annotation.get("/StructParent")
            parent = parents.get(int(key)) if key is not None else None
            if isinstance(parent, Dictionary) and parent.get("/S") == Name.Link:
                continue
            if isinstance(parent, Dictionary) and parent.get("/S") == Name.Span:
                parent.S = Name.Link  # the span's text is the link's text
                continue
            holder = parent if isinstance(parent, Dictionary) else document
            if holder is None:
                continue
            objr = pdf.make_indirect(Dictionary(Type=Name.OBJR, Obj=annotation, Pg=page.obj))
            link = pdf.make_indirect(Dictionary(Type=Name.StructElem, S=Name.Link, P=holder,
                                                Pg=page.obj, K=Array([objr])))
            kids = _kids(holder)
            place = next((i for i, kid in enumerate(kids) if isinstance(kid, Dictionary)
                          and kid.get("/Type") == Name.OBJR and "/Obj" in kid
                          and kid.Obj.objgen == annotation.objgen), None)
            if place is None:
                kids.append(link)
            else:
                kids[place] = link
            holder.K = Array(kids)
            if key is None:
                key = max(parents, default=-1) + 1
                annotation.StructParent = key
            parents[int(key)] = link


def _attributes(element) -> list:
    """The element's attribute dictionaries (`/A` is one, or an array of them)."""
    attributes = element.get("/A")
    if isinstance(attributes, Dictionary):
        return [attributes]
    return [entry for entry in attributes or [] if isinstance(entry, Dictionary)]


def _table_attributes(cell) -> Dictionary:
    """The cell's `/O /Table` attribute dictionary, made if missing."""
    found = _attributes(cell)
    for entry in found:
        if entry.get("/O") == Name.Table:
            return entry
    table = Dictionary(O=Name.Table)
    cell.A = Array([*found, table]) if found else table
    return cell.A if isinstance(cell.A, Dictionary) else table


def _scope_headers(root) -> None:
    for row in _elements(root):
        if row.S != Name.TR:
            continue
        cells = [kid for kid in _kids(row) if _is_element(kid)]
        scope = Name.Row if any(cell.S == Name.TD for cell in cells) else Name.Column
        for cell in cells:
            if cell.S == Name.TH:
                attributes = _table_attributes(cell)
                if "/Scope" not in attributes:
                    attributes.Scope = scope


def _drop_empty(root) -> None:
    """Remove empty elements, children first, so that a parent left empty goes too."""
    for element in reversed(list(_elements(root))):
        kept = []
        for kid in _kids(element):
            if (_is_element(kid) and str(kid.S) not in _KEPT_WHEN_EMPTY and not _kids(kid)
                    and "/Alt" not in kid and "/ActualText" not in kid):
                continue
            kept.append(kid)
        if len(kept) != len(_kids(element)):
            element.K = Array(kept)


def _has_content(element) -> bool:
    """Marked content or an annotation of its own (not through child elements)."""
    return any(not _is_element(kid) for kid in _kids(element))


def _header_cells(table) -> list:
    heads = [kid for kid in _kids(table) if _is_element(kid) and kid.S == Name.THead]
    return [cell for head in heads for cell in _elements(head) if cell.S == Name.TH]


def _join_split_tables(root) -> None:
    order = list(_elements(root))
    position = {element.objgen: i for i, element in enumerate(order)}
    head = None  # the table the next part would continue, and where its subtree ends
    for element in order:
        if element.S != Name.Table:
            continue
        start = position[element.objgen]
        if head is not None and _continues(head, element, order, start):
            _append_part(head[0], element)
        else:
            head = (element, start)
        head = (head[0], start + sum(1 for _ in _elements(element)))


def _continues(head, part, order, start) -> bool:
    table, end = head
    between = order[end + 1:start]
    kids = [kid for kid in _kids(part) if _is_element(kid)]
    if not kids or kids[0].S != Name.THead or any(kid.S == Name.Caption for kid in kids):
        return False
    if any(_has_content(element) for element in between):
        return False
    if _only_caption(table):
        return True  # the caption ended a page, the table starts the next one
    first, then = _header_cells(table), _header_cells(part)
    return bool(first) and len(first) == len(then)


def _only_caption(table) -> bool:
    return all(kid.S == Name.Caption for kid in _kids(table) if _is_element(kid))


def _append_part(table, part) -> None:
    """`part`'s body rows into `table`; its repeated header row left out of the tree."""
    if _only_caption(table):  # all of it: its header row is the first, not a repeat
        moved = [kid for kid in _kids(part) if _is_element(kid)]
        for kid in moved:
            kid.P = table
        table.K = Array([*_kids(table), *moved])
        if "/Pg" in part:
            table.Pg = part.Pg  # where its grid is drawn (the caption keeps its own page)
        _remove(part)
        return
    names = {}
    for mine, theirs in zip(_header_cells(table), _header_cells(part)):
        if "/ID" in theirs and "/ID" in mine:
            names[bytes(theirs.ID)] = mine.ID
    bodies = [kid for kid in _kids(table) if _is_element(kid) and kid.S == Name.TBody]
    rows = [row for kid in _kids(part) if _is_element(kid) and kid.S != Name.THead
            for row in ([kid] if kid.S == Name.TR else _kids(kid)) if _is_element(row)]
    for row in rows:
        for cell in _kids(row):
            for entry in _attributes(cell) if _is_element(cell) else []:
                if "/Headers" in entry:
                    entry.Headers = Array([names.get(bytes(h), h) for h in entry.Headers])
    if bodies:
        body = bodies[-1]
        for row in rows:
            row.P = body
        body.K = Array([*_kids(body), *rows])
    else:
        for row in rows:
            row.P = table
        table.K = Array([*_kids(table), *rows])
    _remove(part)


def _remove(element) -> None:
    parent = element.P
    parent.K = Array([kid for kid in _kids(parent)
                      if not (_is_element(kid) and kid.objgen == element.objgen)])
