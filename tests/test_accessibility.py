"""Every edition is a tagged PDF/UA-1 file a screen reader can use, readable without colour."""

from __future__ import annotations

import re
from pathlib import Path

import pikepdf
import pytest
from PIL import Image, ImageChops

from conftest import SEED_PACK, small_pack, write_pack
from pdfcheck import build_quietly, render_pages, text_sizes
from studypack.render import EDITION_TITLES, EDITIONS

CHART_CAPTION = "Packets lost per hour"
IMAGE_ALT = "Three boxes joined by arrows: client, resolver, name server"


@pytest.fixture(scope="module")
def small_build(tmp_path_factory) -> Path:
    """A German pack with an author, tags, a chart in an answer, an image and a markdown heading."""
    root = tmp_path_factory.mktemp("a11y")
    content = root / "content"
    content.mkdir()
    Image.new("L", (120, 60), 200).save(content / "resolver.png")
    pack = small_pack(language="de", author="Ada Lovelace", description="Ein *kleines* Paket.")
    questions = pack["sections"][1]["questions"]
    questions[0]["tags"] = ["dns", "names"]
    questions.append({
        "question": "How lossy is each link?", "tags": ["links"],
        "answer": [
            {"text": "# Measured\n\nOver one week."},
            {"chart": {"caption": CHART_CAPTION, "unit": "%",
                       "data": {"Copper": 1.5, "Fibre": 0.25, "Wireless link": 4}}},
            {"image": {"src": "resolver.png", "alt": IMAGE_ALT, "caption": "How names resolve"}},
        ]})
    write_pack(content, "net", pack)
    out = root / "out"
    build_quietly("--content", content, "--output", out, "net")
    return out


def structure(pdf: pikepdf.Pdf) -> list[pikepdf.Dictionary]:
    """Every structure element, depth first in document (reading) order."""
    found = []

    def walk(node):
        if isinstance(node, pikepdf.Array):
            for kid in node:
                walk(kid)
        elif isinstance(node, pikepdf.Dictionary):
            if "/S" in node:
                found.append(node)
            if "/K" in node:
                walk(node.K)

    walk(pdf.Root.StructTreeRoot.K)
    return found


def heading_levels(pdf: pikepdf.Pdf) -> list[int]:
    return [int(str(e.S)[2:]) for e in structure(pdf) if re.fullmatch(r"/H[1-6]", str(e.S))]


def figures(pdf: pikepdf.Pdf) -> list[pikepdf.Dictionary]:
    return [e for e in structure(pdf) if e.S == "/Figure"]


def xmp(pdf: pikepdf.Pdf) -> dict:
    with pdf.open_metadata() as meta:
        return {key.split("}")[-1]: meta[key] for key in meta}


def check_tagged(path: Path, language: str, title: str, author: str) -> pikepdf.Pdf:
    pdf = pikepdf.open(path)
    assert pdf.Root.MarkInfo.Marked is True
    assert str(pdf.Root.Lang) == language
    assert pdf.Root.ViewerPreferences.DisplayDocTitle is True
    assert pdf.Root.StructTreeRoot.K[0].S == "/Document"
    meta = xmp(pdf)
    assert meta["part"] == "1"  # pdfuaid:part, the PDF/UA-1 claim
    assert meta["title"] == str(pdf.docinfo["/Title"]) == title
    assert meta["creator"] == [author] and str(pdf.docinfo["/Author"]) == author
    for key, info in (("description", "/Subject"), ("Keywords", "/Keywords")):
        assert meta[key] and meta[key] == str(pdf.docinfo[info])
    return pdf


@pytest.mark.parametrize("edition", EDITIONS)
def test_seed_editions_are_tagged_pdf_ua(seed_build, edition):
    title = f"AWS Lambda Interview Questions · {EDITION_TITLES[edition]}"
    author = 'Based on "Top 20 AWS Lambda Interview Questions and Answers for 2025" (DataCamp)'
    pdf = check_tagged(seed_build / f"aws-lambda-{edition}.pdf", "en", title, author)
    meta = xmp(pdf)
    assert "A study pack covering AWS Lambda" in meta["description"]
    assert meta["Keywords"].startswith("aws-lambda, ")
    assert "cold-start" in meta["Keywords"]  # a question tag
    if edition in ("guide", "worksheet", "answer-key"):
        assert heading_levels(pdf).count(2) == 20  # one h2 a question


@pytest.mark.parametrize("edition", (*EDITIONS, "flashcards"))
def test_language_author_and_subject_come_from_the_pack(small_build, edition):
    pdf = check_tagged(small_build / f"net-{edition}.pdf", "de",
                       f"Networking Basics · {EDITION_TITLES[edition]}", "Ada Lovelace")
    meta = xmp(pdf)
    assert meta["description"].endswith("Ein kleines Paket.")
    assert meta["Keywords"].split(", ")[-3:] == ["dns", "names", "links"]


@pytest.mark.parametrize("edition", EDITIONS)
def test_headings_never_skip_a_level(seed_build, small_build, edition):
    for path in (seed_build / f"aws-lambda-{edition}.pdf", small_build / f"net-{edition}.pdf"):
        levels = heading_levels(pikepdf.open(path))
        assert levels[0] == 1, path.name
        assert all(b <= a + 1 for a, b in zip(levels, levels[1:])), (path.name, levels)


def test_markdown_heading_in_an_answer_is_no_document_heading(small_build):
    levels = heading_levels(pikepdf.open(small_build / "net-guide.pdf"))
    # cover, contents, two sections; four questions: nothing from "# Measured"
    assert levels == [1, 1, 1, 2, 2, 1, 2, 2]


def test_chart_is_a_figure_whose_alt_gives_caption_and_data(seed_build, small_build):
    seed = pikepdf.open(seed_build / "aws-lambda-guide.pdf")
    (chart,) = figures(seed)
    assert str(chart.Alt) == ("Cloud infrastructure services market share, Q2 2023 (source: "
                              "Statista): AWS: 32%; Microsoft Azure: 22%; Google Cloud: 11%; "
                              "Alibaba Cloud: 4%")
    for edition in ("guide", "answer-key"):
        small = pikepdf.open(small_build / f"net-{edition}.pdf")
        alts = [str(f.Alt) for f in figures(small)]
        assert alts == [f"{CHART_CAPTION}: Copper: 1.5%; Fibre: 0.25%; Wireless link: 4%",
                        IMAGE_ALT]


def test_every_figure_has_alt_text(seed_build, small_build):
    for path in [*seed_build.glob("*.pdf"), *small_build.glob("*.pdf")]:
        pdf = pikepdf.open(path)
        for figure in figures(pdf):
            assert str(figure.get("/Alt", "")).strip(), path.name


def test_no_text_smaller_than_8_pt(seed_build, small_build):
    for path in [*seed_build.glob("*.pdf"), *small_build.glob("*.pdf")]:
        sizes = text_sizes(path)
        assert len(sizes) > 20, path.name
        small = [(page, round(size, 2)) for page, _, size in sizes if size < 7.995]
        assert not small, (path.name, small[:5])


def test_chart_labels_are_measured_at_their_scaled_size(small_build):
    chart = {round(size, 2) for _, font, size in text_sizes(small_build / "net-answer-key.pdf")
             if font == 13}  # the SVG's font-size="13"; no CSS text is 13 px
    # 13 SVG units on a 600-unit-wide chart drawn 160 mm wide (A4 text width less the indent)
    assert chart == {round(13 * (160 / 25.4 * 72) / 600, 2)}


def test_nothing_needs_colour(seed_build, small_build):
    """Every page renders with red = green = blue: pure greys, so a greyscale print or a reader
    who cannot tell colours apart loses nothing."""
    for path in [*seed_build.glob("*.pdf"), *small_build.glob("*.pdf")]:
        for number, page in enumerate(render_pages(path, scale=0.4, grey=False), start=1):
            r, g, b = page.convert("RGB").split()
            spread = max(ImageChops.difference(x, y).getextrema()[1] for x, y in ((r, g), (g, b)))
            assert spread <= 2, f"{path.name} page {number} has colour"


def test_stylesheet_text_colours_are_dark_greys():
    """Text colours in print.css are greys with at least 7:1 contrast on white paper (WCAG AAA)."""
    css = (SEED_PACK.parent.parent / "templates" / "print.css").read_text()
    colours = re.findall(r"(?<![-\w])color:\s*(#[0-9a-fA-F]{3,6})", css)
    assert colours
    for colour in colours:
        hex6 = colour[1:] if len(colour) == 7 else "".join(c * 2 for c in colour[1:])
        r, g, b = (int(hex6[i:i + 2], 16) for i in (0, 2, 4))
        assert r == g == b, colour
        linear = (r / 255 / 12.92 if r <= 10 else ((r / 255 + 0.055) / 1.055) ** 2.4)
        assert 1.05 / (linear + 0.05) >= 7, colour
