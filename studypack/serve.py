"""`--serve`: the real printed pages in the browser, rebuilt on every save like --watch.

The rebuild is --watch's own (watch.watch, followed through its `on_build` hook); the server
(starlette on uvicorn, in a thread) only shows what the builds wrote: each page of each edition's
PDF as an image (pypdfium2, cached per PDF content hash), the PDFs themselves, the pack's content
errors in place of stale pages, and a server-sent event after every finished rebuild that makes
the open pages reload (keeping their scroll position).

The builds' state is in previewstate, the page images and the HTML in previewpages.

Safety: 127.0.0.1 unless --host; only the preview's own pages, images and the output folder's
PDFs, looked up by name among known ones (a path is never joined from the request); a request
whose Host header is not the served address is refused (DNS rebinding); all pack text is escaped.
"""

from __future__ import annotations

import asyncio
import socket
import sys
import threading
import time
from pathlib import Path
from typing import TextIO
from urllib.parse import unquote

from .assets import TEMPLATES
from .build import BuildOptions, BuildResult
from .exitcodes import UsageError
from .previewpages import PageImages, card_cells, edition_html, index_body, page_html
from .previewstate import PackState, Preview

DEFAULT_PORT = 8000
PING_SECONDS = 15.0  # an SSE comment this often, so a vanished client is noticed and dropped


def make_app(preview: Preview, allowed_hosts: set[str], stopping: threading.Event):
    from starlette.applications import Starlette
    from starlette.responses import HTMLResponse, Response, StreamingResponse
    from starlette.routing import Route

    images = PageImages()

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
        return HTMLResponse(page_html(title, body, generation),
                            headers={"Cache-Control": "no-store"})

    def index(request):
        with preview.lock:
            packs = dict(preview.packs)
            building = preview.building
        return page("studypack preview", index_body(packs, preview.editions(), building))

    def edition_page(request):
        found = lookup(request)
        if found is None:
            return not_found()
        return page(*edition_html(preview.options, images, *found))

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
    """Refuse a foreign Host (421), any traversal or encoded separator (404), a request target
    longer than any of ours (414), a body (413) and more event streams than MAX_EVENT_CLIENTS
    (503), before routing (limits.py)."""
    from .limits import MAX_EVENT_CLIENTS, MAX_REQUEST_TARGET

    streams = [0]

    async def guarded(scope, receive, send):
        if scope["type"] == "http":
            target = len(scope.get("raw_path") or b"") + len(scope.get("query_string") or b"")
            if target > MAX_REQUEST_TARGET:
                return await _plain(send, 414, "request target too long")
            headers = dict(scope.get("headers") or [])
            if headers.get(b"content-length", b"0") not in (b"0", b"") \
                    or b"transfer-encoding" in headers:
                return await _plain(send, 413, "this preview takes no request body")
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
            if scope["path"] == "/events":
                if streams[0] >= MAX_EVENT_CLIENTS:
                    return await _plain(send, 503, "too many open previews; close some pages")
                streams[0] += 1
                try:
                    return await app(scope, receive, send)
                finally:
                    streams[0] -= 1
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
