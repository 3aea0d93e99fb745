"""WeasyPrint behind a locked-down fetcher: HTML becomes a PDF, written atomically."""

from __future__ import annotations

import contextlib
import gc
import logging
import sys
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import NoReturn
from urllib.parse import unquote, urlsplit

from . import pdfua
from .assets import TEMPLATES
from .atomic import (
    write_atomic,  # noqa: F401 (the writer lives with the other "nothing lost" code)
)
from .stylesheets import (  # noqa: F401 (Stylesheets re-exported)
    Stylesheets,
    stylesheets_for,
)

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


def _page_references_once() -> None:
    """Make pydyf's `PDF.page_references` compute its tuple once per page count, not per call.

    The property builds a tuple of every page's reference each time it is read, and WeasyPrint
    reads it once per tagged element when it writes the PDF/UA structure tree: quadratic in
    pages. For a 552-page guide that was 37 million references built, about 9 of the 28 seconds
    of writing (docs/performance.md). Pages are only ever appended to `Kids`, so the tuple is kept
    with the length it was made for, and made again when the length changes: the same values,
    hence the same bytes. Only pydyf's own property is replaced, and only once.
    """
    import pydyf

    current = pydyf.PDF.__dict__.get("page_references")
    if not isinstance(current, property) or getattr(current.fget, "studypack", False):
        return  # not the property this was written for, or replaced already

    def page_references(pdf) -> tuple[bytes, ...]:
        kids = pdf.pages["Kids"]
        known = pdf.__dict__.get("_studypack_page_references")
        if known is None or known[0] is not kids or known[1] != len(kids):
            known = (kids, len(kids), current.fget(pdf))
            pdf.__dict__["_studypack_page_references"] = known
        return known[2]

    page_references.studypack = True
    page_references.original = current
    pydyf.PDF.page_references = property(page_references, doc=current.__doc__)


HARFBUZZ_SUBSET_MISSING = (
    "HarfBuzz-subset is missing (on Debian or Ubuntu: sudo apt-get install libharfbuzz-subset0): "
    "studypack needs it to embed its fonts the same way on every machine")


def import_weasyprint():
    """The weasyprint module, or MissingSystemLibraries with what to install.

    HarfBuzz-subset is required, not optional as WeasyPrint 70 has it: without it WeasyPrint
    subsets the fonts with fontTools, into other bytes than on every other machine, printing a
    warning per font (and fontTools a line per font about its timestamp)."""
    try:
        with _sonames_only(), warnings.catch_warnings():
            # WeasyPrint's own note that HarfBuzz-subset will be required: it is here already
            warnings.simplefilter("ignore", DeprecationWarning)
            import weasyprint
            from weasyprint.text import ffi
        _page_references_once()
    except OSError as exc:  # cffi could not dlopen pango or harfbuzz
        raise MissingSystemLibraries(
            f"WeasyPrint cannot load its system libraries ({exc}).\n"
            f"On Debian or Ubuntu install them with: sudo apt-get install {SYSTEM_LIBRARIES}\n"
            "Other systems: https://doc.courtbouillon.org/weasyprint/stable/first_steps.html"
        ) from None
    if ffi.harfbuzz_subset is None:
        raise MissingSystemLibraries(HARFBUZZ_SUBSET_MISSING)
    _quiet_font_dates()
    return weasyprint


def _quiet_font_dates() -> None:
    """WeasyPrint reads a form field's font (embedded whole) with fontTools, which says "'created'
    timestamp seems very low" of a font dated in Unix time: a fact of the font file, not of the
    user's pack, so it is not printed."""
    head_log = logging.getLogger("fontTools.ttLib.tables._h_e_a_d")
    if not any(isinstance(f, _FontDateFilter) for f in head_log.filters):
        head_log.addFilter(_FontDateFilter())


class _FontDateFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return "timestamp seems very low" not in record.getMessage()


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
    anchor_pages: dict[str, int] = field(default_factory=dict)  # id -> page (from 1) it starts on


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
def importing():
    """For imports: no collections while they run, and what they loaded (modules, classes,
    functions: it lives as long as the process) frozen out of every later collection, before
    the collector is back on; also what fork's copy-on-write wants (gc.freeze's documentation)."""
    with collector_paused():
        yield
        gc.freeze()


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


def anchor_pages(document) -> dict[str, int]:
    """Each element id of a laid-out document -> the page (from 1) where its box starts."""
    pages: dict[str, int] = {}
    for index, page in enumerate(document.pages, start=1):
        for anchor in page.anchors:
            pages.setdefault(anchor, index)
    return pages


def render_document(html: str, content_root: Path, stylesheets: Stylesheets | None = None):
    """The laid-out WeasyPrint document of `html` (stylesheet and fonts from templates/, images
    from the pack), nothing written: its pages' `anchors` give the box of every element with an id."""
    with (collector_paused(), stylesheets_for(stylesheets) as sheets,
          _locked_renderer(content_root) as (weasyprint, fetcher)):
        return sheets.layout(weasyprint, fetcher, html)


def html_to_pdf(html: str, content_root: Path, stylesheets: Stylesheets | None = None,
                forms: bool = False) -> Pdf:
    """The tagged (PDF/UA-1) PDF of `html`; raises RefusedResource for any refused fetch.

    With `forms`, its <input> elements become AcroForm fields and its other <meta> names custom
    keys of the Info dictionary (the answer key's score fields, pack and variant).

    Layout and writing are timed in CPU seconds: other processes on the machine do not count."""
    with (collector_paused(), stylesheets_for(stylesheets) as sheets,
          _locked_renderer(content_root) as (weasyprint, fetcher)):
        started = time.process_time()
        document = sheets.layout(weasyprint, fetcher, html)
        laid_out = time.process_time()
        extra = {"pdf_forms": True, "custom_metadata": True} if forms else {}
        # What WeasyPrint cannot tag itself is repaired on the written file: studypack/pdfua.py.
        data = pdfua.conform(document.write_pdf(pdf_variant="pdf/ua-1", **extra))
        pages = len(document.pages)
        anchors = anchor_pages(document)
        # Free the laid-out document now, as part of its cost: its boxes are millions of
        # objects in reference cycles, that only the cyclic collector frees (about 20 ms for a
        # 10-page document). Kept alive, or left to a later collection, they would slow the
        # next layout and hold the memory of every earlier document.
        del document
        gc.collect(0)  # everything it made is in the youngest generation: paused since
        if forms:
            from .formfonts import repair_form_fonts

            data = repair_form_fonts(data)
        written = time.process_time()
    return Pdf(data, pages, laid_out - started, written - laid_out, anchors)
