"""The --serve preview's pages: PDF pages as PNG images and the HTML that shows them.

`PageImages` renders each page of a PDF with pypdfium2 (a whole page, or the crop of one
flashcard cell) and keeps the PNGs in memory per content hash; the HTML of the index and of
each edition's page, its style and its reload script are made here, all pack text escaped.
"""

from __future__ import annotations

import hashlib
import html
import io
import threading
from collections import OrderedDict
from pathlib import Path
from urllib.parse import quote

from .build import BuildOptions
from .options import EDITION_TITLES
from .paths import display_path
from .previewstate import PackState

SCALE = 110 / 72  # page images at 110 dpi: sharp on screen, small enough to load fast
CACHE_BYTES = 64 * 2**20  # rendered PNGs kept in memory, least recently used dropped first


class PageImages:
    """PNG pages of PDFs, rendered with pypdfium2 and kept per (content hash, page, crop)."""

    def __init__(self, limit: int = CACHE_BYTES):
        self.limit = limit
        self.cache: OrderedDict[tuple, tuple[object, int]] = OrderedDict()  # key -> (value, size)
        self.size = 0
        self.lock = threading.Lock()  # pdfium is not thread-safe: one render at a time

    @staticmethod
    def read(pdf: Path) -> tuple[bytes, str] | None:
        try:
            data = pdf.read_bytes()
        except OSError:
            return None
        return data, hashlib.sha256(data).hexdigest()[:16]

    def page_sizes(self, data: bytes, digest: str) -> list[tuple[float, float]]:
        key = (digest, "sizes")
        with self.lock:
            if (known := self._get(key)) is not None:
                return known
            import pypdfium2

            document = pypdfium2.PdfDocument(data)
            try:
                sizes = [document.get_page_size(i) for i in range(len(document))]
            finally:
                document.close()
            self._keep(key, sizes, 64 * len(sizes))
            return sizes

    def filled(self, data: bytes, digest: str, index: int,
               boxes: list[tuple[float, float, float, float]]) -> list[bool]:
        """Whether each box (left, top, w, h in mm) of page `index` holds any text."""
        key = (digest, "filled", index, tuple(boxes))
        with self.lock:
            if (known := self._get(key)) is not None:
                return known
            import pypdfium2

            document = pypdfium2.PdfDocument(data)
            try:
                page = document[index]
                text, height, mm = page.get_textpage(), page.get_height(), 72 / 25.4
                found = [bool(text.get_text_bounded(
                    left * mm, height - (top + h) * mm, (left + w) * mm, height - top * mm).strip())
                    for left, top, w, h in boxes]
                text.close()
                page.close()
            finally:
                document.close()
            self._keep(key, found, 64 * len(found))
            return found

    def png(self, data: bytes, digest: str, index: int,
            crop_mm: tuple[float, float, float, float] | None = None) -> bytes | None:
        """Page `index` (0-based) as PNG, or the part of it `crop_mm` (left, top, w, h) shows."""
        key = (digest, index, crop_mm)
        with self.lock:
            if (known := self._get(key)) is not None:
                return known
            import pypdfium2

            document = pypdfium2.PdfDocument(data)
            try:
                if not 0 <= index < len(document):
                    return None
                page = document[index]
                image = page.render(scale=SCALE).to_pil()
                page.close()
            finally:
                document.close()
            if crop_mm:
                px = SCALE * 72 / 25.4
                left, top, width, height = crop_mm
                image = image.crop((round(left * px), round(top * px),
                                    round((left + width) * px), round((top + height) * px)))
            out = io.BytesIO()
            image.convert("RGB").save(out, format="PNG", optimize=False)
            png = out.getvalue()
            self._keep(key, png, len(png))
            return png

    def _keep(self, key: tuple, value, size: int) -> None:
        """Remember `value` (about `size` bytes), dropping the least recently used past the limit."""
        self.cache[key] = (value, size)
        self.size += size
        while self.size > self.limit and len(self.cache) > 1:
            _, (_, dropped) = self.cache.popitem(last=False)
            self.size -= dropped

    def _get(self, key: tuple):
        if key not in self.cache:
            return None
        self.cache.move_to_end(key)
        return self.cache[key][0]


def card_cells(paper: str, back_offset: tuple[float, float]):
    """Each card cell of a flashcards sheet: (front crop, back crop) in mm, in reading order.

    The back page's columns are swapped (long-edge duplex), and it carries the --back-offset."""
    from .flashcards import CARD_H, CARD_W, COLUMNS, ROWS, grid_origin

    x0, y0 = grid_origin(paper)
    dx, dy = back_offset
    for row in range(ROWS):
        for col in range(COLUMNS):
            front = (x0 + col * CARD_W, y0 + row * CARD_H, CARD_W, CARD_H)
            back = (x0 + (COLUMNS - 1 - col) * CARD_W + dx, y0 + row * CARD_H + dy, CARD_W, CARD_H)
            yield front, back


e = html.escape  # all pack text in the pages goes through this


def q(text: str) -> str:  # a name in a link: URL-quoted, then escaped for the attribute
    return e(quote(text, safe=""))


def page_html(title: str, body: str, generation: int) -> str:
    """A whole preview page: `body` under `title`, with the style and the reload script."""
    return (
        f"<!doctype html><html lang=en><head><meta charset=utf-8><title>{e(title)}</title>"
        f"<style>{STYLE}</style></head><body data-generation={generation}>{body}"
        f"<script>{SCRIPT}</script></body></html>")


def state_line(state: PackState) -> str:
    if state.errors or state.failures:
        count = len(state.errors) + len(state.failures)
        return f"<span class=bad>{count} error{'s' if count > 1 else ''}</span>"
    return "<span class=ok>built</span>" if state.pdfs else "<span>not built</span>"


def index_body(packs: dict[str, PackState], editions: tuple[str, ...], building: bool) -> str:
    """The index page: every pack, how its last build went and a link to each edition."""
    rows = []
    for name, state in packs.items():
        links = " · ".join(
            f"<a href='/{q(name)}/{q(ed)}/'>{e(EDITION_TITLES[ed])}</a>"
            for ed in editions)
        rows.append(f"<li><b>{e(name)}</b> ({e(display_path(state.path))}): "
                    f"{state_line(state)}<br>{links}</li>")
    status = "<p class=busy>building…</p>" if building else ""
    return (f"<h1>studypack preview</h1>{status}"
            f"<ul class=packs>{''.join(rows) or '<li>no packs yet</li>'}</ul>")


def edition_html(options: BuildOptions, images: PageImages, state: PackState, pack: str,
                 edition: str) -> tuple[str, str]:
    """(title, body) of one edition's page: its pages (or card pairs), or its content errors."""
    title = f"{pack}: {EDITION_TITLES[edition]}"
    head = f"<p><a href='/'>all packs</a></p><h1>{e(title)}</h1>"
    if state.errors or state.failures:
        items = "".join(f"<li><code>{e(m)}</code></li>" for m in state.errors + state.failures)
        return title, head + (f"<div class=errors><h2>Content errors: the pages are not "
                              f"shown until they are fixed</h2><ul>{items}</ul></div>")
    pdf = state.pdfs.get(edition)
    read = images.read(pdf) if pdf else None
    if read is None:
        return title, head + "<p>Not built yet.</p>"
    data, digest = read
    sizes = images.page_sizes(data, digest)
    notice = ""
    try:
        if state.path.stat().st_mtime > state.built_at:
            notice = ("<p class=stale>These pages are older than "
                      f"{e(display_path(state.path))}; they are being rebuilt.</p>")
    except OSError:
        pass
    link = (f"<p class=pdf><a href='/pdf/{q(pdf.name)}'>{e(pdf.name)}</a> · "
            f"{len(sizes)} page{'s' if len(sizes) != 1 else ''}</p>")
    base = f"/{q(pack)}/{q(edition)}"
    if edition == "flashcards":
        cells = list(card_cells(options.paper, options.back_offset_mm))
        parts = []
        for sheet in range(0, len(sizes) - 1, 2):
            parts.append(f"<h2>Sheet {sheet // 2 + 1}</h2><div class=cards>")
            used = images.filled(data, digest, sheet, [front for front, _ in cells])
            for cell in (c for c in range(len(cells)) if used[c]):
                parts.append(
                    f"<div class=pair><img alt='card {cell + 1}, front' "
                    f"src='{base}/card/{sheet // 2 + 1}/{cell + 1}/front.png?v={digest}'>"
                    f"<img alt='card {cell + 1}, back' "
                    f"src='{base}/card/{sheet // 2 + 1}/{cell + 1}/back.png?v={digest}'></div>")
            parts.append("</div>")
        body = "".join(parts)
    else:
        body = "".join(
            f"<img class=page alt='page {i + 1}' width={round(w * SCALE)} "
            f"height={round(h * SCALE)} src='{base}/page/{i + 1}.png?v={digest}'>"
            for i, (w, h) in enumerate(sizes))
    return title, head + notice + link + f"<div class=pages>{body}</div>"


STYLE = """
body{font:15px/1.4 system-ui,sans-serif;margin:0 auto;padding:1em;background:#e8e8e8;color:#222}
h1{font-size:1.3em}h2{font-size:1.05em}a{color:#0645ad}
.ok{color:#176b1e}.bad{color:#b00020;font-weight:bold}.busy,.stale{background:#fff3c4;padding:.4em}
.errors{background:#fff;border-left:5px solid #b00020;padding:.5em 1em}
.errors code{white-space:pre-wrap}
.pages{display:flex;flex-direction:column;align-items:center;gap:16px}
.page{background:#fff;box-shadow:0 1px 4px #0005;max-width:100%;height:auto}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(440px,1fr));gap:12px}
.pair{display:flex;gap:4px}.pair img{width:50%;background:#fff;box-shadow:0 1px 3px #0005}
"""

# Reload on a new build generation, keeping the scroll position (sessionStorage, per page).
SCRIPT = """
(function(){
  var key='studypack-scroll:'+location.pathname;
  var saved=sessionStorage.getItem(key);
  if(saved!==null){sessionStorage.removeItem(key);
    var y=+saved;window.scrollTo(0,y);
    window.addEventListener('load',function(){window.scrollTo(0,y);});}
  var mine=document.body.dataset.generation;
  var source=new EventSource('/events');
  source.onmessage=function(event){
    if(event.data!==mine){sessionStorage.setItem(key,String(window.scrollY));
      source.close();location.reload();}
  };
})();
"""
