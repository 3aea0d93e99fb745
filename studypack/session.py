"""A render session: what the documents of one build share in one process.

It owns the Jinja2 environment, the parsed stylesheets (and WeasyPrint's copies of their fonts)
and the page maps of the documents laid out so far. A build makes one in each process that
renders (a worker, or the command's own process), and closes it when the build ends: nothing
parsed or laid out by one build is seen by the next (--watch builds again in one process, and a
stylesheet or an image behind the same HTML may have changed since). What outlives a build is in
the output folder's layout store (layoutstore.py), under keys that cover all of that.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from . import pdf
from .assets import TEMPLATES
from .layoutstore import LayoutStore
from .model import LoadedPack, Part
from .render import RenderOptions, make_environment, render_html

# Documents whose page maps a session keeps; a build lays out a few per pack at most.
KEPT_PAGE_MAPS = 8


class RenderSession:
    def __init__(self, templates: Path = TEMPLATES, layouts: LayoutStore | None = None) -> None:
        self.env = make_environment(templates)
        self.stylesheets = pdf.Stylesheets()
        self.layouts = layouts  # the layouts kept in the output folder by earlier builds
        self._page_maps: dict[str, dict[int, int]] = {}  # by the SHA-256 of the HTML

    def __enter__(self) -> RenderSession:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def close(self) -> None:
        self.stylesheets.close()
        self._page_maps.clear()

    def html_to_pdf(self, html: str, content_root: Path, forms: bool = False) -> pdf.Pdf:
        return pdf.html_to_pdf(html, content_root, self.stylesheets, forms)

    def render_document(self, html: str, content_root: Path):
        return pdf.render_document(html, content_root, self.stylesheets)

    def remember(self, html: str, anchors: dict[str, int],
                 loaded: LoadedPack | None = None) -> dict[int, int]:
        """Keep the question pages of a document just laid out, for the editions that cite them
        (in this build, and in the layout store for the next)."""
        pages = {int(name[2:]): page for name, page in anchors.items()
                 if name.startswith("q-") and name[2:].isdigit()}
        self._keep(html, pages)
        if self.layouts and loaded is not None:
            self.layouts.keep_page_map(self.layouts.key("pages", loaded, html), pages)
        return pages

    def _keep(self, html: str, pages: dict[int, int]) -> None:
        self._page_maps[_digest(html)] = pages
        while len(self._page_maps) > KEPT_PAGE_MAPS:
            del self._page_maps[next(iter(self._page_maps))]

    def question_pages(self, loaded: LoadedPack, parts: list[Part], edition: str,
                       options: RenderOptions, content_root: Path) -> dict[int, int]:
        """Question number -> page (from 1) where that question's heading sits in `edition`.

        The edition is rendered with the same parts and options as its own build, so the pages
        match the PDF the reader holds, variants included. When this session has laid out that
        very document (the same HTML), or an earlier build has (the layout store), its pages are
        reused; else it is laid out, not written."""
        html = render_html(self.env, loaded, parts, edition, options)
        known = self._page_maps.get(_digest(html))
        if known is None and self.layouts:
            known = self.layouts.page_map(self.layouts.key("pages", loaded, html))
            if known is not None:
                self._keep(html, known)
        if known is not None:
            return known
        return self.remember(html, pdf.anchor_pages(self.render_document(html, content_root)),
                             loaded)


def _digest(html: str) -> str:
    return hashlib.sha256(html.encode()).hexdigest()
