"""WeasyPrint behind a locked-down fetcher: HTML becomes a PDF, written atomically."""

from __future__ import annotations

import contextlib
import gc
import os
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from .assets import TEMPLATES

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


def make_fetcher(weasyprint, roots: list[Path]):
    """A URLFetcher that serves only `file:` URLs inside `roots` and refuses everything else."""
    from weasyprint.urls import URLFetcher

    allowed = [root.resolve() for root in roots]

    class LockedFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            parts = urlsplit(url)
            if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
                raise ValueError(f"studypack fetches no {parts.scheme or 'relative'} URL: {url}")
            path = Path(unquote(parts.path)).resolve()
            if not any(path.is_relative_to(root) for root in allowed) or not path.is_file():
                raise ValueError(f"studypack reads no file outside its folders: {url}")
            return super().fetch(path.as_uri(), headers)

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


def html_to_pdf(html: str, content_root: Path) -> Pdf:
    """The PDF of `html`, with its stylesheet and fonts from templates/ and images from the pack."""
    weasyprint = import_weasyprint()
    fetcher = make_fetcher(weasyprint, [TEMPLATES, content_root])
    with collector_paused():  # timed in CPU seconds: other processes on the machine do not count
        started = time.process_time()
        document = weasyprint.HTML(string=html, base_url=TEMPLATES.as_uri() + "/",
                                   url_fetcher=fetcher).render()
        laid_out = time.process_time()
        data = document.write_pdf()
        pages = len(document.pages)
        written = time.process_time()
        del document  # a finished document kept alive slows the next layout
    return Pdf(data, pages, laid_out - started, written - laid_out)


def write_atomic(path: Path, data: bytes) -> None:
    """Write `data` to `path` through a temporary file in the same folder, replaced at the end."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
