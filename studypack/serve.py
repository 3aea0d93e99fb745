"""`--serve`: the real printed pages in the browser, rebuilt on every save like --watch.

The rebuild is --watch's own (watch.watch, followed through its `on_build` hook); the server
(starlette on uvicorn, in a thread) only shows what the builds wrote: each page of each edition's
PDF as an image (pypdfium2, cached per PDF content hash), the PDFs themselves, the pack's content
errors in place of stale pages, and a server-sent event after every finished rebuild that makes
the open pages reload (keeping their scroll position).

Safety: 127.0.0.1 unless --host; only the preview's own pages, images and the output folder's
PDFs, looked up by name among known ones (a path is never joined from the request); a request
whose Host header is not the served address is refused (DNS rebinding); all pack text is escaped.
"""

from __future__ import annotations

import asyncio
import hashlib
import html
import io
import socket
import sys
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO
from urllib.parse import quote, unquote

from .assets import TEMPLATES
from .build import BuildOptions, BuildResult, find_packs
from .exitcodes import UsageError
from .options import EDITION_TITLES
from .paths import display_path, output_name

DEFAULT_PORT = 8000
SCALE = 110 / 72  # page images at 110 dpi: sharp on screen, small enough to load fast
CACHE_BYTES = 64 * 2**20  # rendered PNGs kept in memory, least recently used dropped first
PING_SECONDS = 15.0  # an SSE comment this often, so a vanished client is noticed and dropped
PREVIEWED = ("guide", "worksheet", "answer-key", "flashcards")  # the editions printed as PDFs


@dataclass
class PackState:
    path: Path
    errors: list[str] = field(default_factory=list)  # `file:line:col: message`, as printed
    failures: list[str] = field(default_factory=list)
    pdfs: dict[str, Path] = field(default_factory=dict)  # edition -> the PDF the build made
    built_at: float = 0.0  # when its last build finished (an up-to-date PDF keeps its old mtime)


class Preview:
    """What the builds made, as the server shows it; changed only by `built`, under a lock."""

    def __init__(self, options: BuildOptions):
        self.options = options
        self.lock = threading.Lock()
        self.packs: dict[str, PackState] = {}
        self.building = True
        self.generation = 0  # one more after every finished build: the pages' reload signal

    def editions(self) -> tuple[str, ...]:
        return tuple(e for e in self.options.editions if e in PREVIEWED)

    def built(self, packs: tuple[str, ...], result: BuildResult | None) -> None:
        """watch()'s hook: a rebuild of `packs` (empty: all) starts (result None) or finished."""
        with self.lock:
            if result is None:
                self.building = True
                return
            try:
                found = {p.stem: p for p in find_packs(self.options.content, self.options.packs)}
            except UsageError:
                found = {}
            rebuilt = set(packs) if packs else set(found)
            for name in list(self.packs):
                if name not in found:
                    del self.packs[name]
            for name, path in found.items():
                state = self.packs.setdefault(name, PackState(path))
                if name in rebuilt:
                    state.built_at = time.time()
                    state.errors = [str(e) for e in result.errors if Path(e.file).stem == name]
                    state.failures = [str(f) for f in result.failures
                                      if Path(f.pack_path).stem == name]
                for pdf in (*result.written, *result.up_to_date):
                    for edition in self.editions():
                        if _made_for(pdf, name, edition, set(found)):
                            state.pdfs[edition] = pdf
            self.building = False
            self.generation += 1


def _made_for(pdf: Path, pack: str, edition: str, packs: set[str]) -> bool:
    """Whether `pdf` is `pack`'s `edition` (plain or a variant, never a booklet)."""
    name, plain = pdf.name, output_name(pack, edition)
    if pdf.suffix != ".pdf" or name.endswith("-booklet.pdf"):
        return False
    if name == plain:
        return True
    stem = plain.removesuffix(".pdf") + "-"
    # a variant (`-seed-7`), and not another pack whose id merely starts the same way
    return name.startswith(stem) and not any(
        other != pack and other.startswith(pack + "-")
        and name.startswith(output_name(other, edition).removesuffix(".pdf"))
        for other in packs)


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


def make_app(preview: Preview, allowed_hosts: set[str], stopping: threading.Event):
    from starlette.applications import Starlette
    from starlette.responses import HTMLResponse, Response, StreamingResponse
    from starlette.routing import Route

    images = PageImages()
    e = html.escape

    def q(text: str) -> str:  # a name in a link: URL-quoted, then escaped for the attribute
        return e(quote(text, safe=""))

    def not_found() -> Response:
        return Response("not found", status_code=404, media_type="text/plain")

    def lookup(request) -> tuple[PackState, str, str] | None:
        pack, edition = request.path_params["pack"], request.path_params["edition"]
        with preview.lock:
            state = preview.packs.get(pack)
        if state is None or edition not in preview.editions():
            return None
        return state, pack, edition

    def page(title: str, body: str) -> HTMLResponse:
        with preview.lock:
            generation = preview.generation
        return HTMLResponse(
            f"<!doctype html><html lang=en><head><meta charset=utf-8><title>{e(title)}</title>"
            f"<style>{STYLE}</style></head><body data-generation={generation}>{body}"
            f"<script>{SCRIPT}</script></body></html>",
            headers={"Cache-Control": "no-store"})

    def state_line(state: PackState) -> str:
        if state.errors or state.failures:
            count = len(state.errors) + len(state.failures)
            return f"<span class=bad>{count} error{'s' if count > 1 else ''}</span>"
        return "<span class=ok>built</span>" if state.pdfs else "<span>not built</span>"

    def index(request):
        with preview.lock:
            packs = dict(preview.packs)
            building = preview.building
        rows = []
        for name, state in packs.items():
            links = " · ".join(
                f"<a href='/{q(name)}/{q(ed)}/'>{e(EDITION_TITLES[ed])}</a>"
                for ed in preview.editions())
            rows.append(f"<li><b>{e(name)}</b> ({e(display_path(state.path))}): "
                        f"{state_line(state)}<br>{links}</li>")
        status = "<p class=busy>building…</p>" if building else ""
        return page("studypack preview", f"<h1>studypack preview</h1>{status}"
                    f"<ul class=packs>{''.join(rows) or '<li>no packs yet</li>'}</ul>")

    def edition_page(request):
        found = lookup(request)
        if found is None:
            return not_found()
        state, pack, edition = found
        title = f"{pack}: {EDITION_TITLES[edition]}"
        head = f"<p><a href='/'>all packs</a></p><h1>{e(title)}</h1>"
        if state.errors or state.failures:
            items = "".join(f"<li><code>{e(m)}</code></li>" for m in state.errors + state.failures)
            return page(title, head + f"<div class=errors><h2>Content errors: the pages are not "
                               f"shown until they are fixed</h2><ul>{items}</ul></div>")
        pdf = state.pdfs.get(edition)
        read = images.read(pdf) if pdf else None
        if read is None:
            return page(title, head + "<p>Not built yet.</p>")
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
            cells = list(card_cells(preview.options.paper, preview.options.back_offset_mm))
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
        return page(title, head + notice + link + f"<div class=pages>{body}</div>")

    def png_response(png: bytes | None) -> Response:
        if png is None:
            return not_found()
        return Response(png, media_type="image/png", headers={"Cache-Control": "no-cache"})

    def current_pdf(request) -> tuple[bytes, str] | None:
        found = lookup(request)
        if found is None or found[0].errors:
            return None
        pdf = found[0].pdfs.get(found[2])
        return images.read(pdf) if pdf else None

    def page_image(request):
        number = request.path_params["number"]
        read = current_pdf(request) if number.isdigit() else None
        if read is None:
            return not_found()
        return png_response(images.png(*read, int(number) - 1))

    def card_image(request):
        sheet, cell, side = (request.path_params[k] for k in ("sheet", "cell", "side"))
        cells = list(card_cells(preview.options.paper, preview.options.back_offset_mm))
        if (request.path_params["edition"] != "flashcards" or not sheet.isdigit()
                or not cell.isdigit() or not 1 <= int(cell) <= len(cells)
                or side not in ("front", "back")):
            return not_found()
        read = current_pdf(request)
        if read is None:
            return not_found()
        front, back = cells[int(cell) - 1]
        index = (int(sheet) - 1) * 2 + (side == "back")
        return png_response(images.png(*read, index, front if side == "front" else back))

    def pdf_file(request):
        name = request.path_params["name"]
        with preview.lock:
            known = {p.name: p for s in preview.packs.values() for p in s.pdfs.values()}
        pdf = known.get(name)  # looked up among the PDFs the builds wrote: never a joined path
        data = images.read(pdf) if pdf else None
        if data is None:
            return not_found()
        return Response(data[0], media_type="application/pdf",
                        headers={"Cache-Control": "no-cache",
                                 "Content-Disposition": f"inline; filename=\"{pdf.name}\""})

    async def events(request):
        async def stream():
            with preview.lock:
                seen = preview.generation
            yield f"retry: 500\ndata: {seen}\n\n"
            waited = 0.0
            while not stopping.is_set():
                if await request.is_disconnected():
                    return
                with preview.lock:
                    now = preview.generation
                if now != seen:
                    seen = now
                    waited = 0.0
                    yield f"data: {now}\n\n"
                    continue
                await asyncio.sleep(0.1)
                waited += 0.1
                if waited >= PING_SECONDS:
                    waited = 0.0
                    yield ": ping\n\n"

        return StreamingResponse(stream(), media_type="text/event-stream",
                                 headers={"Cache-Control": "no-store"})

    app = Starlette(routes=[
        Route("/", index),
        Route("/events", events),
        Route("/pdf/{name}", pdf_file),
        Route("/{pack}/{edition}/", edition_page),
        Route("/{pack}/{edition}/page/{number}.png", page_image),
        Route("/{pack}/{edition}/card/{sheet}/{cell}/{side}.png", card_image),
    ])
    app.router.redirect_slashes = False
    return guard(app, allowed_hosts)


def guard(app, allowed_hosts: set[str]):
    """Refuse a foreign Host (421) and any traversal or encoded separator (404) before routing."""

    async def guarded(scope, receive, send):
        if scope["type"] == "http":
            headers = dict(scope.get("headers") or [])
            host = headers.get(b"host", b"").decode("latin-1").lower()
            raw = scope.get("raw_path") or scope["path"].encode()
            raw_text = raw.decode("latin-1").lower()
            decoded = unquote(raw_text)
            if host not in allowed_hosts:
                return await _plain(send, 421, "this preview only answers to "
                                    + " or ".join(sorted(allowed_hosts)))
            if (scope["method"] not in ("GET", "HEAD") or "%2f" in raw_text or "%5c" in raw_text
                    or "%00" in raw_text or "\\" in decoded or "//" in decoded
                    or any(part in (".", "..") for part in decoded.split("/"))
                    or any(part in (".", "..") for part in scope["path"].split("/"))):
                return await _plain(send, 404, "not found")
        await app(scope, receive, send)

    return guarded


async def _plain(send, status: int, text: str) -> None:
    body = text.encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"text/plain; charset=utf-8"),
                            (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


def host_names(host: str, port: int) -> set[str]:
    """The Host header values that name this server."""
    names = {host}
    if host in ("127.0.0.1", "localhost"):
        names |= {"127.0.0.1", "localhost"}
    if host == "::1":
        names |= {"[::1]"}
    return {f"{n}:{port}" for n in names if ":" not in n or n.startswith("[")}


def serve(options: BuildOptions, host: str = "127.0.0.1", port: int = DEFAULT_PORT,
          out: TextIO = sys.stdout, err: TextIO = sys.stderr, quiet: bool = False,
          stop: threading.Event | None = None, templates: Path = TEMPLATES,
          ready: threading.Event | None = None, address: list | None = None) -> int:
    """Build, serve the preview and rebuild on every change until Ctrl-C (or `stop`)."""
    import uvicorn

    from .watch import watch

    if host not in ("127.0.0.1", "localhost", "::1"):
        print(f"warning: serving on {host}: anyone who can reach this machine can read the "
              "preview; the default, 127.0.0.1, is only this machine", file=err, flush=True)
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise UsageError(f"cannot listen on {host}:{port}: {exc.strerror}") from None
    port = sock.getsockname()[1]
    url_host = f"[{host}]" if ":" in host else host
    url = f"http://{url_host}:{port}/"
    if address is not None:
        address.append(url)

    preview = Preview(options)
    stopping = threading.Event()
    app = make_app(preview, host_names(url_host, port), stopping)
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False,
                                           timeout_graceful_shutdown=2, lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]},
                              name="studypack-serve", daemon=True)
    thread.start()
    first = [True]

    def built(packs: tuple[str, ...], result: BuildResult | None) -> None:
        preview.built(packs, result)
        if result is not None and first[0]:
            first[0] = False
            deadline = time.monotonic() + 10
            while not server.started and thread.is_alive() and time.monotonic() < deadline:
                time.sleep(0.02)
            print(f"Serving on {url}", file=err, flush=True)
            if ready is not None:
                ready.set()

    try:
        return watch(options, out, err, quiet=quiet, stop=stop, templates=templates,
                     on_build=built)
    finally:
        stopping.set()
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


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
