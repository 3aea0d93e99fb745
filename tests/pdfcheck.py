"""Reading what a PDF holds for readers: builds without WeasyPrint warnings, text sizes, pixels."""

from __future__ import annotations

import logging
import math
from contextlib import contextmanager
from pathlib import Path

import pikepdf

from conftest import run_cli


class _Collect(logging.Handler):
    def __init__(self):
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record):
        self.messages.append(record.getMessage())


@contextmanager
def no_weasyprint_warnings():
    """Fails when WeasyPrint logs a warning or error inside the block (for module-scoped builds,
    where the function-scoped weasyprint_warnings fixture cannot reach)."""
    logger = logging.getLogger("weasyprint")
    handler = _Collect()
    logger.addHandler(handler)
    try:
        yield
    finally:
        logger.removeHandler(handler)
    assert not handler.messages, handler.messages


def build_quietly(*args: str | Path) -> None:
    """Run the CLI; it must exit 0 and WeasyPrint must not warn."""
    with no_weasyprint_warnings():
        result = run_cli(*args)
    assert result.code == 0, result.err


def _times(m, n):
    """The matrix m then n, as PDF writes them: (a, b, c, d, e, f)."""
    a, b, c, d, e, f = m
    a2, b2, c2, d2, e2, f2 = n
    return (a * a2 + b * c2, a * b2 + b * d2, c * a2 + d * c2, c * b2 + d * d2,
            e * a2 + f * c2 + e2, e * b2 + f * d2 + f2)


_IDENTITY = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
_SHOW = {"Tj", "TJ", "'", '"'}


def _shows_text(operator: str, operands) -> bool:
    if operator == "TJ":
        return any(isinstance(item, pikepdf.String) and len(bytes(item)) for item in operands[0])
    return len(bytes(operands[-1])) > 0


def _sizes_in(stream_owner, resources, ctm, found: list[tuple[float, float]]) -> None:
    """(font size, size on paper in pt) of each text-showing operator, following Form
    XObjects: pypdf's text visitor reports a form's text without the matrix it is drawn with."""
    stack, tm, font_size = [], _IDENTITY, 0.0
    for operands, operator in pikepdf.parse_content_stream(stream_owner):
        op = str(operator)
        if op == "q":
            stack.append(ctm)
        elif op == "Q":
            ctm = stack.pop()
        elif op == "cm":
            ctm = _times(tuple(float(x) for x in operands), ctm)
        elif op == "BT":
            tm = _IDENTITY
        elif op == "Tm":
            tm = tuple(float(x) for x in operands)
        elif op == "Tf":
            font_size = float(operands[1])
        elif op in _SHOW and _shows_text(op, operands):
            _, _, c, d, _, _ = _times(tm, ctm)
            found.append((font_size, font_size * math.hypot(c, d)))
        elif op == "Do":
            xobject = resources.XObject[operands[0]]
            if xobject.Subtype == "/Form":
                matrix = tuple(float(x) for x in xobject.get("/Matrix", _IDENTITY))
                _sizes_in(xobject, xobject.get("/Resources", resources), _times(matrix, ctm),
                          found)


def text_sizes(path: Path) -> list[tuple[int, float, float]]:
    """(page, font size, size on paper in pt) of every run of text drawn: the font size times
    the vertical scale of the text matrix and the current transformation, so that SVG text is
    measured at the size its scaled SVG prints it."""
    sizes = []
    with pikepdf.open(path) as pdf:
        for number, page in enumerate(pdf.pages, start=1):
            found: list[tuple[float, float]] = []
            _sizes_in(page.obj, page.Resources, _IDENTITY, found)
            sizes.extend((number, font, size) for font, size in found)
    return sizes


def render_pages(path: Path, first: int | None = None, scale: float = 0.5, grey: bool = True):
    """The pages (or the first ones) as PIL images."""
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(str(path))
    try:
        count = len(document) if first is None else min(first, len(document))
        return [document[i].render(scale=scale, grayscale=grey).to_pil() for i in range(count)]
    finally:
        document.close()
