"""The layout store: layouts kept between builds are reused only for the very same layout, and the
PDFs are byte for byte those of a build without it; flashcards fit with as few layouts as their
estimates allow, to the sizes measuring every candidate would give."""

from __future__ import annotations

import json

import pytest
from PIL import Image

from conftest import run_cli, small_pack, write_pack
from fast_text import pdf_text
from studypack import session as sessions
from studypack.layoutstore import FOLDER, KEPT, LayoutStore

LONG = " ".join(f"Sentence {i} of an answer far too long for any card." for i in range(40))


def cards_pack(long_answer: str = LONG) -> dict:
    """Short answers that fit, one at a smaller size, one that needs the guide's page number."""
    pack = small_pack()
    questions = pack["sections"][1]["questions"]
    questions.append({"question": "Explain the long one.", "answer": long_answer})
    questions.append({"question": "A middling answer?",
                      "answer": " ".join(["Words that fill a card at about nine points."] * 9)})
    return pack


@pytest.fixture
def layouts(monkeypatch):
    """Every layout a build makes (in this process: --jobs 1), by the edition of its HTML."""
    made: list[str] = []
    real = sessions.RenderSession.render_document

    def recorded(self, html, content_root):
        made.append("measure" if "<!--box-->" in html else
                    "guide" if 'class="edition-guide"' in html else "other")
        return real(self, html, content_root)

    monkeypatch.setattr(sessions.RenderSession, "render_document", recorded)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    return made


def build(content, out, *args):
    run = run_cli("--content", content, "--output", out, "--jobs", "1", "-q", *args)
    assert run.code == 0, run.err
    return run


def test_warm_builds_lay_out_nothing_again_and_write_the_same_bytes(tmp_path, layouts):
    content = tmp_path / "content"
    write_pack(content, "net", cards_pack())
    cold, warm = tmp_path / "cold", tmp_path / "warm"
    build(content, cold, "--edition", "flashcards")
    assert layouts.count("measure") >= 1 and "guide" in layouts  # a card cites a guide page
    assert "Continued in the study guide, question 4, page" in pdf_text(cold / "net-flashcards.pdf")
    build(content, warm, "--edition", "guide")
    layouts.clear()
    build(content, warm, "--edition", "flashcards")
    assert "guide" not in layouts  # the guide's page map, kept by the guide's own build
    assert (warm / "net-flashcards.pdf").read_bytes() == (cold / "net-flashcards.pdf").read_bytes()
    (warm / "net-flashcards.pdf").unlink()
    layouts.clear()
    build(content, warm, "--edition", "flashcards")
    assert layouts == []  # every measured box and the page map were kept
    assert (warm / "net-flashcards.pdf").read_bytes() == (cold / "net-flashcards.pdf").read_bytes()
    layouts.clear()
    build(content, warm, "--edition", "flashcards", "--force")  # --force reads nothing kept
    assert "guide" in layouts and "measure" in layouts
    assert (warm / "net-flashcards.pdf").read_bytes() == (cold / "net-flashcards.pdf").read_bytes()


def test_an_edited_pack_measures_only_what_changed_and_builds_as_from_scratch(tmp_path, layouts):
    content, warm, fresh = tmp_path / "content", tmp_path / "warm", tmp_path / "fresh"
    write_pack(content, "net", cards_pack())
    build(content, warm, "--edition", "guide", "--edition", "flashcards")
    boxes = json.loads((warm / FOLDER / "heights-net-flashcards.pdf.json").read_text())["boxes"]
    edited = cards_pack(LONG.replace("Sentence 3 ", "Sentence three, much longer now, "))
    edited["sections"][0]["questions"][0]["answer"] = "A short answer now."
    write_pack(content, "net", edited)
    layouts.clear()
    build(content, warm, "--edition", "guide", "--edition", "flashcards")
    kept = json.loads((warm / FOLDER / "heights-net-flashcards.pdf.json").read_text())["boxes"]
    assert len(set(kept) - set(boxes)) <= 4  # the two edited answers' boxes, not all twelve
    assert set(kept) & set(boxes)
    build(content, fresh, "--edition", "guide", "--edition", "flashcards")
    for name in ("net-guide.pdf", "net-flashcards.pdf"):
        assert (warm / name).read_bytes() == (fresh / name).read_bytes()
    assert "A short answer now." in pdf_text(warm / "net-flashcards.pdf")


def test_a_changed_image_behind_the_same_html_is_laid_out_again(tmp_path, layouts):
    content, out = tmp_path / "content", tmp_path / "out"
    pack = cards_pack()
    pack["sections"][0]["intro"] = [{"image": {"src": "tall.png", "alt": "A bar"}}]
    content.mkdir()
    Image.new("RGB", (40, 10), (0, 0, 0)).save(content / "tall.png")
    write_pack(content, "net", pack)
    build(content, out, "--edition", "guide")
    Image.new("RGB", (10, 400), (0, 0, 0)).save(content / "tall.png")  # same name, same HTML
    layouts.clear()
    build(content, out, "--edition", "flashcards")
    assert "guide" in layouts  # not the page map of the guide with the small image
    fresh = tmp_path / "fresh"
    build(content, fresh, "--edition", "flashcards")
    assert (out / "net-flashcards.pdf").read_bytes() == (fresh / "net-flashcards.pdf").read_bytes()


def test_keys_cover_the_builder_and_the_images(tmp_path):
    from conftest import SEED_PACK
    from studypack.load import load_pack

    loaded = load_pack(SEED_PACK)
    one, other = LayoutStore(tmp_path, "builder-a"), LayoutStore(tmp_path, "builder-b")
    assert one.key("pages", loaded, "<html>") != other.key("pages", loaded, "<html>")
    assert one.key("pages", loaded, "<html>") != one.key("heights", loaded, "<html>")
    assert one.key("pages", loaded, "<html>") != one.key("pages", loaded, "<html> ")


def test_entries_are_checked_bounded_and_unreadable_ones_ignored(tmp_path):
    store = LayoutStore(tmp_path, "builder")
    for n in range(KEPT + 5):
        store.keep_page_map(f"{n:064x}", {1: n})
    kept = sorted((tmp_path / FOLDER).glob("pages-*.json"))
    assert len(kept) == KEPT
    assert store.page_map(f"{KEPT + 4:064x}") == {1: KEPT + 4}
    assert store.page_map(f"{0:064x}") is None  # the oldest went
    (tmp_path / FOLDER / f"pages-{'a' * 64}.json").write_text('{"key": "other", "pages": {"1": 2}}')
    assert store.page_map("a" * 64) is None  # a file whose key is not its name's
    (tmp_path / FOLDER / f"pages-{'b' * 64}.json").write_text("{not json")
    assert store.page_map("b" * 64) is None
    (tmp_path / FOLDER / "heights-x.pdf.json").write_text('{"boxes": {"k": ["tall"], "j": [1.5]}}')
    assert store.heights("x.pdf") == {"j": [1.5]}
    assert LayoutStore(tmp_path, "builder", read=False).page_map(f"{KEPT + 4:064x}") is None
    assert not list((tmp_path / FOLDER).glob(".*"))  # written atomically: no temporary left


def test_fitting_settles_most_texts_with_one_layout(tmp_path, layouts):
    """Estimates from the fonts' advance widths choose the sizes measured first: the seed pack's
    40 texts need 47 measured boxes in two layouts, not 72 (every text at its largest size, then
    two more sizes of each answer that does not fit)."""
    from conftest import SEED_PACK
    from studypack.cardfit import fit_cards
    from studypack.load import load_pack
    from studypack.render import RenderOptions

    loaded = load_pack(SEED_PACK)
    with sessions.RenderSession() as session:
        cards = fit_cards(session, loaded, loaded.parts(), RenderOptions(), SEED_PACK.parent)
    assert layouts.count("measure") <= 3
    assert {card.back.size for card in cards} >= {10.0, 8.0}
