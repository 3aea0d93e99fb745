"""Each edition's output bytes: PDFs from templates, with page maps where one edition points into another."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from .model import LoadedPack, Part
from .options import EDITION, PAGED_BY_OTHERS
from .render import RenderOptions, render_html
from .session import RenderSession




@dataclass(frozen=True)
class Output:
    data: bytes
    pages: int  # 0 for files that have no pages (the Anki deck)
    html: str | None = None  # the HTML a PDF was made from, for --html
    render_seconds: float = 0.0  # CPU seconds: Jinja2, then WeasyPrint's layout and writing
    layout_seconds: float = 0.0
    write_seconds: float = 0.0


def produce(session: RenderSession, loaded: LoadedPack, parts: list[Part], edition: str,
            options: RenderOptions, content_root: Path, target: Path | None = None) -> Output:
    """The bytes of one edition of one pack, for the given parts; `target`: the file they will
    replace (the deck's notes keep their times where they did not change)."""
    env = session.env
    if edition == "anki":
        from .anki import deck_bytes

        return Output(deck_bytes(env, loaded, parts, target), 0)
    if edition == "flashcards":
        from .cardfit import flashcards_pdf

        started = time.process_time()
        cards, html = flashcards_pdf(session, loaded, parts, options, content_root, target)
        measuring = time.process_time() - started - cards.layout_seconds - cards.write_seconds
        return Output(cards.data, cards.pages, html, 0.0, cards.layout_seconds + measuring,
                      cards.write_seconds)
    extra = {}
    started = time.process_time()
    if edition == "answer-key":  # the worksheet laid out for its page numbers: layout time too
        extra["worksheet_pages"] = session.question_pages(loaded, parts, "worksheet", options,
                                                          content_root)
    paging = time.process_time() - started
    started = time.process_time()
    html = render_html(env, loaded, parts, edition, options, **extra)
    rendered = time.process_time() - started
    made = session.html_to_pdf(html, content_root, forms=EDITION[edition].forms)
    if edition in PAGED_BY_OTHERS:
        session.remember(html, made.anchor_pages, loaded)
    return Output(made.data, made.pages, html, rendered, made.layout_seconds + paging,
                  made.write_seconds)
