"""Flashcards: front and back pages in pairs, backs mirrored for long-edge duplex, long answers shrunk."""

from __future__ import annotations

import pypdfium2 as pdfium
import pytest

from conftest import normalize, run_cli, write_pack
from fast_text import page_texts, pdf_text
from studypack.flashcards import CARD_W, PAPER_MM, grid_origin, sheets

MM = 72 / 25.4
LONG = " ".join(f"Sentence {i} of a very long answer that no card can hold at any size." for i in range(60))


def many_pack(count: int = 10, long_at: int | None = None) -> dict:
    """One section of `count` short questions; question `long_at` gets an answer of many paragraphs."""
    questions = []
    for n in range(1, count + 1):
        answer = f"Answer number {n} is short."
        if n == long_at:
            answer = [{"text": f"Opening paragraph of answer {n}."},
                      {"list": [f"Point {i} of the long answer, with a few more words." for i in range(40)]},
                      {"text": LONG}]
        questions.append({"id": f"q{n}", "question": f"Question number {n}?", "answer": answer,
                          "tags": ["even" if n % 2 == 0 else "odd"]})
    return {"title": "Many Questions", "sections": [{"title": "All", "id": "all", "questions": questions}]}


def label_box(page, label: str):
    text = page.get_textpage()
    found = text.search(label, match_case=True, match_whole_word=True).get_next()
    assert found, f"{label} not on the page"
    return text.get_charbox(found[0])  # left, bottom, right, top in pt


@pytest.fixture(scope="module")
def cards(tmp_path_factory):
    root = tmp_path_factory.mktemp("cards")
    write_pack(root / "content", "many", many_pack(10, long_at=10))
    result = run_cli("--content", root / "content", "--output", root / "out",
                     "--edition", "flashcards", "--edition", "guide", "many")
    assert result.code == 0, result.err
    return root / "out"


def test_pages_come_in_front_and_back_pairs_with_mirrored_columns(cards):
    pdf = pdfium.PdfDocument(cards / "many-flashcards.pdf")
    assert len(pdf) == 4  # 10 cards: two sheets, each a front and a back
    width, height = pdf[0].get_size()
    assert (round(width / MM), round(height / MM)) == (210, 297)
    for number in range(1, 11):
        sheet = (number - 1) // 8
        front, back = pdf[2 * sheet], pdf[2 * sheet + 1]
        q = label_box(front, f"Q{number}")
        a = label_box(back, f"A{number}")
        assert abs(q[3] - a[3]) < 0.5, "a card's back is in the same row as its front"
        column = (number - 1) % 2
        shift = CARD_W * MM if column == 0 else -CARD_W * MM
        assert abs((a[0] - q[0]) - shift) < 0.5, f"the back of card {number} is not mirrored"
        assert f"Question number {number}?" in front.get_textpage().get_text_range()
        assert f"Q{number}" not in back.get_textpage().get_text_range().split()
        if number != 10:
            assert f"Answer number {number} is short." in back.get_textpage().get_text_range()


def test_a_long_answer_points_to_its_page_in_the_guide(cards):
    backs = pdfium.PdfDocument(cards / "many-flashcards.pdf")[3].get_textpage().get_text_range()
    text = normalize(backs)
    assert "Opening paragraph of answer 10." in text
    assert "Sentence 59" not in text
    guide = [normalize(text) for text in page_texts(cards / "many-guide.pdf")]
    page = next(i for i, t in enumerate(guide, 1) if "Opening paragraph of answer 10." in t)
    assert f"Continued in the study guide, question 10, page {page}." in text


def test_short_answers_are_not_shrunk_and_long_ones_stop_at_8_pt(cards):
    pdf = pdfium.PdfDocument(cards / "many-flashcards.pdf")
    sizes = {}
    for index in (1, 3):
        text = pdf[index].get_textpage()
        for n in range(1, 11):
            found = text.search(f"Answer number {n}", match_case=True).get_next() if n != 10 else \
                text.search("Opening paragraph", match_case=True).get_next()
            if found:
                box = text.get_charbox(found[0])
                sizes[n] = box[3] - box[1]
    assert len(sizes) == 10
    assert sizes[10] < sizes[1]  # the long answer is set smaller than a short one


def test_letter_paper_and_back_offset(tmp_path):
    write_pack(tmp_path / "content", "many", many_pack(3))
    plain = run_cli("--content", tmp_path / "content", "--output", tmp_path / "a",
                    "--edition", "flashcards", "--paper", "letter", "many")
    shifted = run_cli("--content", tmp_path / "content", "--output", tmp_path / "b",
                      "--edition", "flashcards", "--paper", "letter", "--back-offset", "2,-1.5", "many")
    assert plain.code == 0 and shifted.code == 0, plain.err + shifted.err
    first = pdfium.PdfDocument(tmp_path / "a" / "many-flashcards.pdf")
    second = pdfium.PdfDocument(tmp_path / "b" / "many-flashcards.pdf")
    assert len(first) == 2
    width, height = first[0].get_size()
    assert (round(width), round(height)) == (612, 792)
    front_a, front_b = label_box(first[0], "Q3"), label_box(second[0], "Q3")
    back_a, back_b = label_box(first[1], "A3"), label_box(second[1], "A3")
    assert front_a == pytest.approx(front_b, abs=0.01), "the offset moves backs only"
    assert back_b[0] - back_a[0] == pytest.approx(2 * MM, abs=0.2)  # right
    assert back_b[1] - back_a[1] == pytest.approx(1.5 * MM, abs=0.2)  # -1.5 mm down is up


@pytest.mark.parametrize("value", ["2", "a,b", "30,0"])
def test_a_bad_back_offset_is_a_usage_error(tmp_path, value):
    result = run_cli("--content", tmp_path, "--back-offset", value)
    assert result.code == 2
    assert "--back-offset" in result.err


def test_sheets_mirror_columns_and_centre_the_grid():
    class Card:  # sheets() only places cards; any object stands in for one
        pass

    placed = sheets([Card() for _ in range(9)], "a4", (0.0, 0.0))
    assert [s.side for s in placed] == ["front", "back", "front", "back"]
    x0, y0 = grid_origin("a4")
    assert x0 == pytest.approx(PAPER_MM["a4"][0] - x0 - 2 * CARD_W)  # centred: mirror is exact
    front, back = placed[0], placed[1]
    for f, b in zip(front.cards, back.cards):
        assert f.card is b.card and f.top == b.top
        assert b.left == pytest.approx(PAPER_MM["a4"][0] - f.left - CARD_W)
    assert len(placed[2].cards) == len(placed[3].cards) == 1


def test_flashcards_text_reads_in_card_order(cards):
    text = normalize(pdf_text(cards / "many-flashcards.pdf"))
    assert text.index("Question number 1?") < text.index("Question number 2?") < text.index("Answer number 1")


def test_no_card_text_is_smaller_than_8_pt(cards):
    import pypdfium2.raw as raw

    sizes = set()
    for page in pdfium.PdfDocument(cards / "many-flashcards.pdf"):
        text = page.get_textpage()
        sizes |= {raw.FPDFText_GetFontSize(text, i) for i in range(text.count_chars())
                  if not chr(raw.FPDFText_GetUnicode(text, i)).isspace()}
    # WeasyPrint sets text in CSS px under a 0.75 page matrix: 8 pt is 10.67 here
    assert min(sizes) * 0.75 >= 7.99
    assert max(sizes) * 0.75 == pytest.approx(13, abs=0.01)  # short questions at the largest size


def test_a_paragraph_longer_than_a_card_ends_at_a_sentence_and_charts_list_their_data(
        tmp_path, weasyprint_warnings):
    pack = {"title": "Edge cases", "sections": [{"title": "S", "questions": [
        {"question": "Tell me everything?", "answer": LONG + " <b>raw</b> *emphasis*"},
        {"question": "Who leads the market?", "answer": [
            {"text": "The shares:"},
            {"chart": {"caption": "Market share", "unit": "%", "data": {"AWS": 32, "Azure": 22}}}]},
    ]}]}
    write_pack(tmp_path / "content", "edge", pack)
    result = run_cli("--content", tmp_path / "content", "--output", tmp_path / "out",
                     "--edition", "flashcards", "edge")
    assert result.code == 0, result.err
    back = normalize(page_texts(tmp_path / "out" / "edge-flashcards.pdf")[1])
    assert "Sentence 0 of a very long answer" in back
    shown = back[back.index("A1"):back.index("Continued")]
    assert shown.rstrip().endswith("at any size.")  # cut at a sentence: nothing hidden half-way
    assert "Sentence 59" not in back and "raw" not in back
    assert "Continued in the study guide, question 1, page" in back
    assert "AWS: 32%" in back and "Azure: 22%" in back


def test_the_card_geometry_is_stated_once_in_python():
    """flashcards.css takes every card dimension from the custom properties flashcards.py
    writes, so the fitting (Python) and the printing (CSS) cannot disagree."""
    from studypack import flashcards
    from studypack.assets import TEMPLATES

    css = (TEMPLATES / "flashcards.css").read_text()
    for value in {flashcards.CARD_W, flashcards.CARD_H, flashcards.BODY_W, flashcards.BODY_H}:
        assert f"{value:g}mm" not in css
    declared = flashcards.geometry_css()
    for name in ("card-w", "card-h", "card-pad-x", "card-body-top", "card-pad-bottom",
                 "card-body-w", "card-body-h"):
        assert f"var(--{name})" in css and f"--{name}: " in declared
    assert f"--card-body-w: {flashcards.CARD_W - 2 * flashcards.PAD_X:g}mm" in declared
