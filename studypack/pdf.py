"""WeasyPrint behind a locked-down fetcher: HTML becomes a PDF, written atomically."""

from __future__ import annotations

import contextlib
import gc
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn
from urllib.parse import unquote, urlsplit

from .assets import TEMPLATES
from .atomic import write_atomic  # noqa: F401 (the writer lives with the other "nothing lost" code)

SYSTEM_LIBRARIES = "libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0"


class MissingSystemLibraries(RuntimeError):
    """WeasyPrint is installed but the native libraries it loads are not."""


@contextlib.contextmanager
def _sonames_only():
    """On Linux, skip ctypes.util.find_library while WeasyPrint loads its libraries.

    WeasyPrint tries short names first ('pango-1.0'); for each one dlopen cannot open, cffi asks
    find_library, which runs ldconfig and gcc: a dozen processes, 0.15 s of a 0.5 s import. Its
    list also names the sonames ('libpango-1.0.so.0'), which dlopen opens directly: the same
    libraries are loaded either way.
    """
    if not sys.platform.startswith("linux"):
        yield
        return
    import ctypes.util

    real = ctypes.util.find_library
    ctypes.util.find_library = lambda name: None
    try:
        yield
    finally:
        ctypes.util.find_library = real


def import_weasyprint():
    """The weasyprint module, or MissingSystemLibraries with what to install."""
    try:
        with _sonames_only():
            import weasyprint
    except OSError as exc:  # cffi could not dlopen pango or harfbuzz
        raise MissingSystemLibraries(
            f"WeasyPrint cannot load its system libraries ({exc}).\n"
            f"On Debian or Ubuntu install them with: apt-get install {SYSTEM_LIBRARIES}\n"
            "Other systems: https://doc.courtbouillon.org/weasyprint/stable/first_steps.html"
        ) from None
    return weasyprint


class RefusedResource(Exception):
    """The renderer asked for something outside the builder's files and the pack's images."""

    def __init__(self, refused: list[str]):
        super().__init__("; ".join(refused))
        self.refused = refused


def make_fetcher(weasyprint, roots: list[Path]):
    """A URLFetcher that serves only regular files inside `roots`, by `file:` URL.

    Every other request (http, https, ftp, data, a file outside the roots, a symlink leading
    out, a device) is refused: the refusal is kept in `refused`, for the caller to report, and
    raised as fatal so that WeasyPrint stops instead of skipping the resource.
    """
    from weasyprint.urls import FatalURLFetchingError, URLFetcher

    allowed = [root.resolve() for root in roots]

    class LockedFetcher(URLFetcher):
        def __init__(self, **options):
            super().__init__(**options)
            self.refused: list[str] = []

        def fetch(self, url, headers=None):
            parts = urlsplit(url)
            if parts.scheme.lower() != "file" or parts.netloc not in ("", "localhost"):
                self.refuse(url, f"studypack fetches no {parts.scheme or 'relative'} URL")
            try:
                path = Path(unquote(parts.path)).resolve()
            except (OSError, ValueError, RuntimeError):  # a NUL byte, a symlink loop
                self.refuse(url, "not a usable file path")
            if not any(path.is_relative_to(root) for root in allowed):
                self.refuse(url, "studypack reads no file outside its templates and the "
                                 "content folder")
            if not path.is_file():
                self.refuse(url, "not a regular file")
            return super().fetch(path.as_uri(), headers)

        def refuse(self, url: str, reason: str) -> NoReturn:
            self.refused.append(f"{reason}: {url[:200]}")
            raise FatalURLFetchingError(self.refused[-1])

    return LockedFetcher(allowed_protocols=["file"], allow_redirects=False, timeout=5)


@dataclass(frozen=True)
class Pdf:
    data: bytes
    pages: int
    layout_seconds: float = 0.0
    write_seconds: float = 0.0


@contextlib.contextmanager
def collector_paused():
    """No cyclic garbage collection inside: layout makes millions of objects and frees few."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


@contextlib.contextmanager
def _locked_renderer(content_root: Path):
    """WeasyPrint and a locked fetcher; on leaving, RefusedResource if anything was refused, even
    where WeasyPrint itself would only log it (inside an SVG image, drawn while writing, say)."""
    weasyprint = import_weasyprint()
    fetcher = make_fetcher(weasyprint, [TEMPLATES, content_root])
    try:
        yield weasyprint, fetcher
    except weasyprint.urls.FatalURLFetchingError:
        if not fetcher.refused:
            raise
    if fetcher.refused:
        raise RefusedResource(fetcher.refused)


def _html(weasyprint, fetcher, html: str):
    return weasyprint.HTML(string=html, base_url=TEMPLATES.as_uri() + "/", url_fetcher=fetcher)


def render_document(html: str, content_root: Path):
    """The laid-out WeasyPrint document of `html` (stylesheet and fonts from templates/, images
    from the pack), nothing written: its pages' `anchors` give the box of every element with an id."""
    with collector_paused(), _locked_renderer(content_root) as (weasyprint, fetcher):
        return _html(weasyprint, fetcher, html).render()


def html_to_pdf(html: str, content_root: Path) -> Pdf:
    """The tagged (PDF/UA-1) PDF of `html`; raises RefusedResource for any refused fetch.

    Layout and writing are timed in CPU seconds: other processes on the machine do not count."""
    with collector_paused(), _locked_renderer(content_root) as (weasyprint, fetcher):
        started = time.process_time()
        document = _html(weasyprint, fetcher, html).render()
        laid_out = time.process_time()
        data = document.write_pdf(pdf_variant="pdf/ua-1")
        pages = len(document.pages)
        written = time.process_time()
        del document  # a finished document kept alive slows the next layout
    return Pdf(data, pages, laid_out - started, written - laid_out)
