"""Each edition's output bytes: PDFs from templates, with page maps where one edition points into another."""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass
from pathlib import Path

import jinja2

from . import pdf
from .model import LoadedPack, Part
from .options import ALL_EDITIONS, EDITIONS  # noqa: F401 (re-exported)
from .render import RenderOptions, make_environment, render_html


# Editions whose page numbers another edition prints: the answer key gives each question's
# worksheet page, a flashcard too long to finish gives the guide's.
PAGED_BY_OTHERS = ("worksheet", "guide")


@dataclass(frozen=True)
class Output:
    data: bytes
    pages: int  # 0 for files that have no pages (the Anki deck)
    html: str | None = None  # the HTML a PDF was made from, for --html
    render_seconds: float = 0.0  # CPU seconds: Jinja2, then WeasyPrint's layout and writing
    layout_seconds: float = 0.0
    write_seconds: float = 0.0


# Page maps of documents this process laid out, by the SHA-256 of their HTML: the answer key
# needs its worksheet's pages and the flashcards the guide's, and the same HTML always lays out
# the same way. A build runs the worksheet before its answer key in one process, so the key
# reuses the worksheet's layout instead of making it again.
_page_maps: dict[str, dict[int, int]] = {}
_KEPT = 8


def forget_layouts() -> None:
    """Drop the page maps kept so far: a new build may have new images behind the same HTML."""
    _page_maps.clear()


def _remember(html: str, anchors: dict[str, int]) -> dict[int, int]:
    pages = {int(name[2:]): page for name, page in anchors.items()
             if name.startswith("q-") and name[2:].isdigit()}
    _page_maps[hashlib.sha256(html.encode()).hexdigest()] = pages
    while len(_page_maps) > _KEPT:
        del _page_maps[next(iter(_page_maps))]
    return pages


def question_pages(env: jinja2.Environment, loaded: LoadedPack, parts: list[Part], edition: str,
                   options: RenderOptions, content_root: Path) -> dict[int, int]:
    """Question number -> page (from 1) where that question's heading sits in `edition`.

    The edition is laid out (not written) with the same parts and options as its own build, so
    the pages match the PDF the reader holds, variants included; when this process has just
    made that very document, its pages are reused."""
    html = render_html(env, loaded, parts, edition, options)
    known = _page_maps.get(hashlib.sha256(html.encode()).hexdigest())
    if known is not None:
        return known
    return _remember(html, pdf.anchor_pages(pdf.render_document(html, content_root)))


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
    if edition in PAGED_BY_OTHERS:
        _remember(html, made.anchor_pages)
    return Output(made.data, made.pages, html, rendered, made.layout_seconds + paging,
                  made.write_seconds)
