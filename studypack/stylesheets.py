"""The templates' stylesheets, parsed once per render session, and the fonts they load."""

from __future__ import annotations

import contextlib
import re
import shutil

from .assets import STYLESHEET_LINK, TEMPLATES


class Stylesheets:
    """The templates' stylesheets, parsed once per render session, with the fonts they declare.

    Parsing print.css and loading its eight fonts is about 0.07 s a document; a build makes
    several documents per process (and the flashcards lay out several to measure). Passed to
    WeasyPrint as user stylesheets, in the order the HTML links them: only the templates'
    inline <style> and style attributes come after them in the cascade, as they did, and those
    set what the stylesheets do not. A session's stylesheets are never reused by another build
    (--watch builds again in one process after an edit), and close() removes the copies of the
    fonts WeasyPrint keeps in a temporary folder (only its finalizer would, and worker
    processes end without running it)."""

    def __init__(self) -> None:
        self.font_config = None
        self.parsed: dict[str, object] = {}

    def close(self) -> None:
        folder = getattr(self.font_config, "_folder", None)  # weasyprint/text/fonts.py
        self.font_config, self.parsed = None, {}
        if folder:
            shutil.rmtree(folder, ignore_errors=True)

    def split(self, weasyprint, fetcher, html: str) -> tuple[str, list]:
        """`html` without its links to the templates' stylesheets, and those stylesheets."""
        if self.font_config is None:
            from weasyprint.text.fonts import FontConfiguration

            self.font_config = FontConfiguration()
        sheets = []

        def take(link: re.Match) -> str:
            name = link[1]
            if name not in self.parsed:
                if not (TEMPLATES / name).is_file():
                    return link[0]  # left to WeasyPrint, which reports it
                self.parsed[name] = weasyprint.CSS(filename=str(TEMPLATES / name),
                                                   url_fetcher=fetcher,
                                                   font_config=self.font_config)
            sheets.append(self.parsed[name])
            return ""

        return STYLESHEET_LINK.sub(take, html), sheets

    def layout(self, weasyprint, fetcher, html: str):
        """The laid-out document of `html`, with the templates' stylesheets parsed once."""
        html, sheets = self.split(weasyprint, fetcher, html)
        return weasyprint.HTML(string=html, base_url=TEMPLATES.as_uri() + "/",
                               url_fetcher=fetcher).render(stylesheets=sheets,
                                                           font_config=self.font_config)


@contextlib.contextmanager
def stylesheets_for(given: Stylesheets | None):
    """The session's stylesheets, or ones made for this one document and closed after it."""
    if given is not None:
        yield given
        return
    own = Stylesheets()
    try:
        yield own
    finally:
        own.close()
