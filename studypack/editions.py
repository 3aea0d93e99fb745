"""Each edition's output bytes: PDFs from templates, with page maps where one edition points into another."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .assets import TEMPLATES
from .model import LoadedPack, Part
from .render import EDITIONS, RenderOptions, make_environment, render_html

# The template editions, then those made from them: every edition, in build order.
ALL_EDITIONS = (*EDITIONS, "flashcards", "anki")


@dataclass(frozen=True)
class Output:
    data: bytes
    pages: int  # 0 for files that have no pages (the Anki deck)


def layout(html: str, content_root: Path):
    """The laid-out WeasyPrint document of `html`, fetching as `pdf.html_to_pdf` does; its
    pages' `anchors` give the box of every element with an id. Nothing is written."""
    from .pdf import import_weasyprint, make_fetcher

    weasyprint = import_weasyprint()
    fetcher = make_fetcher(weasyprint, [TEMPLATES, content_root])
    return weasyprint.HTML(string=html, base_url=TEMPLATES.as_uri() + "/",
                           url_fetcher=fetcher).render()


def question_pages(loaded: LoadedPack, parts: list[Part], edition: str, options: RenderOptions,
                   content_root: Path) -> dict[int, int]:
    """Question number -> page (from 1) where that question's heading sits in `edition`.

    The edition is laid out (not written) with the same parts and options as its own build, so
    the pages match the PDF the reader holds, variants included."""
    html = render_html(make_environment(), loaded, parts, edition, options)
    document = layout(html, content_root)
    pages: dict[int, int] = {}
    for index, page in enumerate(document.pages, start=1):
        for anchor in page.anchors:
            if anchor.startswith("q-") and anchor[2:].isdigit():
                pages.setdefault(int(anchor[2:]), index)
    return pages


def produce(loaded: LoadedPack, parts: list[Part], edition: str, options: RenderOptions,
            content_root: Path) -> Output:
    """The bytes of one edition of one pack, for the given parts."""
    if edition == "anki":
        from .anki import deck_bytes

        return Output(deck_bytes(loaded, parts), 0)
    if edition == "flashcards":
        from .flashcards import flashcards_pdf

        pdf = flashcards_pdf(loaded, parts, options, content_root)
        return Output(pdf.data, pdf.pages)
    from .pdf import html_to_pdf

    extra = {}
    if edition == "answer-key":
        extra["worksheet_pages"] = question_pages(loaded, parts, "worksheet", options, content_root)
    html = render_html(make_environment(), loaded, parts, edition, options, **extra)
    pdf = html_to_pdf(html, content_root)
    return Output(pdf.data, pdf.pages)
