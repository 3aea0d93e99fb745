"""--booklet: the pages of an edition imposed two to a landscape sheet, in saddle-stitch order."""

from __future__ import annotations

import re
from pathlib import Path

import pikepdf
import pypdfium2 as pdfium
import pytest
from pypdf import PdfReader

from conftest import run_cli, small_pack, write_pack, output_files
from pdfcheck import build_quietly, render_pages
from studypack.booklet import booklet_order, impose, padded_count

A4 = (595.28, 841.89)
LETTER = (612.0, 792.0)


@pytest.mark.parametrize("pages, padded", [(1, 4), (3, 4), (4, 4), (5, 8), (11, 12), (16, 16)])
def test_pages_are_padded_to_a_multiple_of_four(pages, padded):
    assert padded_count(pages) == padded
    assert len(booklet_order(pages)) == padded // 2  # two sides a sheet


@pytest.mark.parametrize("pages", range(1, 41))
def test_folded_stack_reads_in_order(pages):
    """Fold the printed stack (sheet 0 outside) and turn the leaves: the pages come out 1..n."""
    sides = booklet_order(pages)
    fronts, backs = sides[0::2], sides[1::2]
    first_half = [page for front, back in zip(fronts, backs) for page in (front[1], back[0])]
    second_half = [page for front, back in reversed(list(zip(fronts, backs)))
                   for page in (back[1], front[0])]
    assert first_half + second_half == list(range(1, padded_count(pages) + 1))


def test_order_of_an_eight_page_booklet():
    assert booklet_order(8) == [(8, 1), (2, 7), (6, 3), (4, 5)]


def halves(path: Path) -> list[tuple[str, str]]:
    """The text on the left and on the right half of each sheet side."""
    document = pdfium.PdfDocument(str(path))
    try:
        sides = []
        for page in document:
            width, height = page.get_size()
            text = page.get_textpage()
            sides.append((text.get_text_bounded(0, 0, width / 2, height),
                          text.get_text_bounded(width / 2, 0, width, height)))
        return sides
    finally:
        document.close()


def page_number(text: str, total: int) -> int | None:
    """The number in the footer 'Page k of n' of an imposed page, None for a blank page."""
    if not text.strip():
        return None
    found = re.findall(rf"Page (\d+) of {total}\b", text)
    assert len(found) == 1, text
    return int(found[0])


@pytest.fixture(scope="module")
def booklets(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("booklet")
    content = root / "content"
    pack = small_pack()
    # a third section: the guide is cover, contents and one page a section, 5 pages to pad to 8
    pack["sections"].append({"title": "Routing", "questions": [
        {"question": "What does a router do?", "answer": "It forwards packets between networks."}]})
    write_pack(content, "net", pack)
    out = root / "out"
    build_quietly("--content", content, "--output", out, "--booklet", "net")
    build_quietly("--content", content, "--output", root / "letter", "--booklet",
                  "--paper", "letter", "--edition", "answer-key", "net")
    return root


@pytest.mark.parametrize("edition", ["guide", "worksheet", "answer-key"])
def test_booklet_holds_every_page_in_booklet_order(booklets, edition):
    edition_pdf = booklets / "out" / f"net-{edition}.pdf"
    booklet = booklets / "out" / f"net-{edition}-booklet.pdf"
    pages = len(PdfReader(edition_pdf).pages)
    reader = PdfReader(booklet)
    assert len(reader.pages) == padded_count(pages) // 2
    assert len(reader.pages) % 2 == 0  # whole sheets, printed on both sides
    for sheet in reader.pages:
        assert (float(sheet.mediabox.width), float(sheet.mediabox.height)) == \
            pytest.approx((2 * A4[0], A4[1]), abs=0.01)  # A3 landscape
    seen = [(page_number(left, pages), page_number(right, pages))
            for left, right in halves(booklet)]
    expected = [tuple(n if n <= pages else None for n in side) for side in booklet_order(pages)]
    assert seen == expected


def test_a_booklet_that_needs_blank_pages_gets_them(booklets):
    pages = len(PdfReader(booklets / "out" / "net-guide.pdf").pages)
    assert pages % 4, "the test pack should need padding"
    blanks = [side for pair in halves(booklets / "out" / "net-guide-booklet.pdf")
              for side in pair if not side.strip()]
    assert len(blanks) == padded_count(pages) - pages


def test_pages_keep_their_size_on_a_double_width_sheet(booklets):
    """A4 pages on A3 landscape sheets, at full size: no text shrinks below 8 pt."""
    reader = PdfReader(booklets / "out" / "net-guide-booklet.pdf")
    for sheet in reader.pages:
        assert (float(sheet.mediabox.width), float(sheet.mediabox.height)) == \
            pytest.approx((2 * A4[0], A4[1]), abs=0.01)
    content = reader.pages[0].get_contents().get_data().decode("latin-1")
    scales = re.findall(r"^([\d.]+) 0(?:\.0)? 0(?:\.0)? \1 [-\d.]+ [-\d.]+ cm$", content, re.M)
    assert not scales or float(scales[0]) == pytest.approx(1, abs=0.001)


def test_letter_booklet_is_on_tabloid_landscape(booklets):
    reader = PdfReader(booklets / "letter" / "net-answer-key-booklet.pdf")
    for sheet in reader.pages:
        assert (float(sheet.mediabox.width), float(sheet.mediabox.height)) == \
            pytest.approx((2 * LETTER[0], LETTER[1]))


def test_edition_keeps_its_tags_and_booklet_keeps_its_metadata(booklets):
    with pikepdf.open(booklets / "out" / "net-guide.pdf") as edition:
        assert "/StructTreeRoot" in edition.Root
    with pikepdf.open(booklets / "out" / "net-guide-booklet.pdf") as booklet:
        assert str(booklet.docinfo["/Title"]) == "Networking Basics · Study guide · booklet"
        assert str(booklet.Root.Lang) == "en"
        assert all("/Annots" not in page for page in booklet.pages)  # links led nowhere


def test_output_lists_the_booklet_and_leaves_no_temporary_files(booklets):
    names = output_files(booklets / "out")
    assert names == sorted([f"net-{e}{s}.pdf" for e in ("guide", "worksheet", "answer-key")
                            for s in ("", "-booklet")] + ["net-flashcards.pdf", "net.apkg"])


def test_no_booklet_unless_asked(tmp_path, weasyprint_warnings):
    write_pack(tmp_path / "content", "net", small_pack())
    result = run_cli("--content", tmp_path / "content", "--output", tmp_path / "out",
                     "--edition", "answer-key", "net")
    assert result.code == 0, result.err
    assert output_files(tmp_path / "out") == ["net-answer-key.pdf"]
    assert "-booklet.pdf" not in result.out


def test_booklet_sheets_show_two_pages_side_by_side(booklets):
    """Pixels: 5 pages padded to 8 print as (8 blank, 1), (2, 7 blank), (6 blank, 3), (4, 5)."""
    sides = render_pages(booklets / "out" / "net-guide-booklet.pdf", scale=0.3)
    width, height = sides[0].size

    def inked(image, box):
        return image.crop(box).getextrema()[0] < 128

    left, right = (0, 0, width // 2, height), (width // 2, 0, width, height)
    assert [(inked(side, left), inked(side, right)) for side in sides] == \
        [(False, True), (True, False), (False, True), (True, True)]


def test_same_edition_gives_the_same_booklet(booklets):
    edition = (booklets / "out" / "net-worksheet.pdf").read_bytes()
    assert impose(edition) == impose(edition) == (booklets / "out" /
                                                 "net-worksheet-booklet.pdf").read_bytes()
