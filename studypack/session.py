"""A render session: what the documents of one build share in one process.

It owns the Jinja2 environment, the parsed stylesheets (and WeasyPrint's copies of their fonts)
and the page maps of the documents laid out so far. A build makes one in each process that
renders (a worker, or the command's own process), and closes it when the build ends: nothing
parsed or laid out by one build is seen by the next (--watch builds again in one process, and a
stylesheet or an image behind the same HTML may have changed since).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from . import pdf
from .assets import TEMPLATES
from .model import LoadedPack, Part
from .render import RenderOptions, make_environment, render_html

# Documents whose page maps a session keeps; a build lays out a few per pack at most.
KEPT_PAGE_MAPS = 8


class RenderSession:
    def __init__(self, templates: Path = TEMPLATES) -> None:
        self.env = make_environment(templates)
        self.stylesheets = pdf.Stylesheets()
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

    def remember(self, html: str, anchors: dict[str, int]) -> dict[int, int]:
        """Keep the question pages of a document just laid out, for the editions that cite them."""
        pages = {int(name[2:]): page for name, page in anchors.items()
                 if name.startswith("q-") and name[2:].isdigit()}
        self._page_maps[_digest(html)] = pages
        while len(self._page_maps) > KEPT_PAGE_MAPS:
            del self._page_maps[next(iter(self._page_maps))]
        return pages

    def question_pages(self, loaded: LoadedPack, parts: list[Part], edition: str,
                       options: RenderOptions, content_root: Path) -> dict[int, int]:
        """Question number -> page (from 1) where that question's heading sits in `edition`.

        The edition is rendered with the same parts and options as its own build, so the pages
        match the PDF the reader holds, variants included. When this session has laid out that
        very document (the same HTML), its pages are reused; else it is laid out, not written."""
        html = render_html(self.env, loaded, parts, edition, options)
        known = self._page_maps.get(_digest(html))
        if known is not None:
            return known
        return self.remember(html, pdf.anchor_pages(self.render_document(html, content_root)))


def _digest(html: str) -> str:
    return hashlib.sha256(html.encode()).hexdigest()
