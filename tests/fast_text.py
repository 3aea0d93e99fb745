"""PDF text through pdfium: the same words pypdf reads, some fifty times faster on these files."""

from __future__ import annotations

from pathlib import Path

import pypdfium2 as pdfium


def page_texts(path: Path) -> list[str]:
    """The text of each page, lines separated by '\\n'."""
    document = pdfium.PdfDocument(path)
    try:
        return [page.get_textpage().get_text_range().replace("\r\n", "\n") for page in document]
    finally:
        document.close()


def pdf_text(path: Path) -> str:
    return "\n".join(page_texts(path))
