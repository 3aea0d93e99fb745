"""Each edition's output bytes: PDFs from templates, with page maps where one edition points into another."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import jinja2

from . import pdf
from .model import LoadedPack, Part
from .options import ALL_EDITIONS, EDITIONS  # noqa: F401 (re-exported)
from .render import RenderOptions, make_environment, render_html


@dataclass(frozen=True)
class Output:
    data: bytes
    pages: int  # 0 for files that have no pages (the Anki deck)
    html: str | None = None  # the HTML a PDF was made from, for --html
    render_seconds: float = 0.0  # CPU seconds: Jinja2, then WeasyPrint's layout and writing
    layout_seconds: float = 0.0
    write_seconds: float = 0.0


def question_pages(env: jinja2.Environment, loaded: LoadedPack, parts: list[Part], edition: str,
                   options: RenderOptions, content_root: Path) -> dict[int, int]:
    """Question number -> page (from 1) where that question's heading sits in `edition`.

    The edition is laid out (not written) with the same parts and options as its own build, so
    the pages match the PDF the reader holds, variants included."""
    html = render_html(env, loaded, parts, edition, options)
    document = pdf.render_document(html, content_root)
    pages: dict[int, int] = {}
    for index, page in enumerate(document.pages, start=1):
        for anchor in page.anchors:
            if anchor.startswith("q-") and anchor[2:].isdigit():
                pages.setdefault(int(anchor[2:]), index)
    return pages


def produce(loaded: LoadedPack, parts: list[Part], edition: str, options: RenderOptions,
            content_root: Path, env: jinja2.Environment | None = None) -> Output:
    """The bytes of one edition of one pack, for the given parts."""
    env = env or make_environment()
    if edition == "anki":
        from .anki import deck_bytes

        return Output(deck_bytes(env, loaded, parts), 0)
    if edition == "flashcards":
        from .flashcards import flashcards_pdf

        started = time.process_time()
        cards, html = flashcards_pdf(env, loaded, parts, options, content_root)
        measuring = time.process_time() - started - cards.layout_seconds - cards.write_seconds
        return Output(cards.data, cards.pages, html, 0.0, cards.layout_seconds + measuring,
                      cards.write_seconds)
    extra = {}
    started = time.process_time()
    if edition == "answer-key":  # the worksheet laid out for its page numbers: layout time too
        extra["worksheet_pages"] = question_pages(env, loaded, parts, "worksheet", options,
                                                  content_root)
    paging = time.process_time() - started
    started = time.process_time()
    html = render_html(env, loaded, parts, edition, options, **extra)
    rendered = time.process_time() - started
    made = pdf.html_to_pdf(html, content_root)
    return Output(made.data, made.pages, html, rendered, made.layout_seconds + paging,
                  made.write_seconds)
