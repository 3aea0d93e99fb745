"""Text maps of the fonts WeasyPrint embeds whole for form fields, repaired for PDF/UA.

WeasyPrint 70 embeds a font that a form field uses without subsetting it and writes its ToUnicode
map from the font's cmap alone. Two PDF/UA failures follow (page-validation's
FONT-UNICODE-VALUE and FONT-UNICODE-MAPPING rules): the cmap maps a glyph to U+0000 (or U+FEFF),
and glyphs that text shaping substitutes (ligatures, alternates), shown in the page's text, have
no entry. This module gives each such font a map without those values and with the substituted
glyphs mapped to the characters they stand for, read from the font's GSUB table."""

from __future__ import annotations

import io
import re
import zlib

INVALID = {0x0000, 0xFEFF, 0xFFFE}
BFCHAR = re.compile(rb"<([0-9a-fA-F]{4})> <([0-9a-fA-F]+)>")


def glyph_text(font_bytes: bytes) -> dict[int, str]:
    """Glyph id -> the text it stands for: the cmap, then single and ligature substitutions."""
    from fontTools.ttLib import TTFont

    font = TTFont(io.BytesIO(font_bytes), lazy=True)
    order = {name: gid for gid, name in enumerate(font.getGlyphOrder())}
    text: dict[str, str] = {}
    for code, name in sorted(font.getBestCmap().items()):
        if code not in INVALID:
            text.setdefault(name, chr(code))
    lookups = font["GSUB"].table.LookupList.Lookup if "GSUB" in font else []
    for _ in range(2):  # a substitution of a substitution: two rounds reach what fonts use
        for lookup in lookups:
            for sub in lookup.SubTable:
                sub = getattr(sub, "ExtSubTable", sub)
                for source, target in (getattr(sub, "mapping", None) or {}).items():
                    if source in text:
                        text.setdefault(target, text[source])
                for first, ligatures in (getattr(sub, "ligatures", None) or {}).items():
                    for lig in ligatures:
                        parts = [first, *lig.Component]
                        if all(p in text for p in parts):
                            text.setdefault(lig.LigGlyph, "".join(text[p] for p in parts))
    return {order[name]: value for name, value in text.items() if name in order}


def cmap_entries(cmap: bytes) -> dict[int, str]:
    """The `<glyph> <text>` pairs of a ToUnicode CMap's bfchar lists (all WeasyPrint writes)."""
    return {int(gid, 16): bytes.fromhex(text.decode()).decode("utf-16-be", "replace")
            for gid, text in BFCHAR.findall(cmap)}


def to_unicode_cmap(mapping: dict[int, str]) -> bytes:
    """A ToUnicode CMap stream's content, in batches of 100 as the PDF reference advises."""
    lines = [b"/CIDInit /ProcSet findresource begin", b"12 dict begin", b"begincmap",
             b"/CIDSystemInfo", b"<< /Registry (Adobe)", b"/Ordering (UCS)", b"/Supplement 0",
             b">> def", b"/CMapName /Adobe-Identity-UCS def", b"/CMapType 2 def",
             b"1 begincodespacerange", b"<0000> <ffff>", b"endcodespacerange"]
    items = sorted(mapping.items())
    for start in range(0, len(items), 100):
        batch = items[start:start + 100]
        lines.append(f"{len(batch)} beginbfchar".encode())
        lines += [f"<{gid:04x}> <{text.encode('utf-16-be').hex()}>".encode() for gid, text in batch]
        lines.append(b"endbfchar")
    lines += [b"endcmap", b"CMapName currentdict /CMap defineresource pop", b"end", b"end"]
    return b"\n".join(lines)


def repair_form_fonts(data: bytes) -> bytes:
    """`data` with every font of its form's resources given a valid, complete ToUnicode map."""
    import pikepdf

    with pikepdf.open(io.BytesIO(data)) as pdf:
        form = pdf.Root.get("/AcroForm")
        fonts = form.get("/DR", {}).get("/Font", {}) if form is not None else {}
        if not fonts:
            return data
        for _, font in fonts.items():
            descendants = font.get("/DescendantFonts")
            if descendants is None or "/ToUnicode" not in font:
                continue
            file = descendants[0].FontDescriptor.get("/FontFile2")
            if file is None:
                continue
            known = {gid: text for gid, text in cmap_entries(font.ToUnicode.read_bytes()).items()
                     if not INVALID & {ord(c) for c in text}}
            merged = {**glyph_text(file.read_bytes()), **known}
            font.ToUnicode.write(zlib.compress(to_unicode_cmap(merged)),
                                 filter=pikepdf.Name.FlateDecode)
        out = io.BytesIO()
        pdf.save(out, deterministic_id=True)
        return out.getvalue()
