"""Each edition's output bytes: PDFs from templates, with page maps where one edition points into another."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .model import LoadedPack, Part
from . import pdf
from .render import EDITIONS, RenderOptions, make_environment, render_html

# The template editions, then those made from them: every edition, in build order.
ALL_EDITIONS = (*EDITIONS, "flashcards", "anki")


@dataclass(frozen=True)
class Output:
    data: bytes
    pages: int  # 0 for files that have no pages (the Anki deck)
    html: str | None = None  # the HTML a PDF was made from, for --html


def question_pages(loaded: LoadedPack, parts: list[Part], edition: str, options: RenderOptions,
                   content_root: Path) -> dict[int, int]:
    """Question number -> page (from 1) where that question's heading sits in `edition`.

    The edition is laid out (not written) with the same parts and options as its own build, so
    the pages match the PDF the reader holds, variants included."""
    html = render_html(make_environment(), loaded, parts, edition, options)
    document = pdf.render_document(html, content_root)
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

        cards, html = flashcards_pdf(loaded, parts, options, content_root)
        return Output(cards.data, cards.pages, html)
    extra = {}
    if edition == "answer-key":
        extra["worksheet_pages"] = question_pages(loaded, parts, "worksheet", options, content_root)
    html = render_html(make_environment(), loaded, parts, edition, options, **extra)
    made = pdf.html_to_pdf(html, content_root)
    return Output(made.data, made.pages, html)
