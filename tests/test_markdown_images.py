"""Images in markdown: a file in the pack's folder is drawn like an image block; any other target is
refused at its own line and column, and never fetched."""

from __future__ import annotations

import os

import pikepdf
import pytest

from conftest import ROOT, normalize, pdf_text, run_cli, write_pack

DIAGRAM = ROOT / "templates" / "starter" / "example.png"


def image_pack() -> dict:
    return {"title": "Pictures", "sections": [{"title": "Diagrams", "questions": [
        {"id": "flow", "question": "What does this diagram show? ![Three boxes in a row](pics/flow.png)",
         "answer": [{"text": "The flow of a request.\n\n![The flow, labelled](pics/flow.png)"},
                    {"code": {"text": "![not an image](https://example.com/x.png)"}}],
         "key_points": ["Three steps"]},
        {"id": "plain", "question": "Name one AWS region.", "answer": "eu-west-1"},
    ]}]}


def figures(path) -> list[str]:
    """The alt text of every figure tagged in the PDF; and the PDF must hold an image for each."""
    with pikepdf.open(path) as pdf:
        alts = [str(obj.get("/Alt")) for obj in pdf.objects
                if isinstance(obj, pikepdf.Dictionary) and obj.get("/S") == "/Figure"]
        images = [obj for obj in pdf.objects if isinstance(obj, pikepdf.Stream)
                  and obj.get("/Subtype") == "/Image"]
    assert len(images) >= min(1, len(alts))
    return alts


@pytest.fixture(scope="module")
def pictures(tmp_path_factory):
    root = tmp_path_factory.mktemp("pictures")
    (root / "content" / "pics").mkdir(parents=True)
    (root / "content" / "pics" / "flow.png").write_bytes(DIAGRAM.read_bytes())
    write_pack(root / "content", "pictures", image_pack())
    result = run_cli("--content", root / "content", "--output", root / "out", "pictures",
                     "--edition", "guide", "--edition", "worksheet", "--edition", "anki")
    assert result.code == 0, result.err
    return root


def test_a_markdown_image_is_drawn_in_the_pdf_with_its_alt_text(pictures):
    guide = pictures / "out" / "pictures-guide.pdf"
    assert figures(guide) == ["Three boxes in a row", "The flow, labelled"]
    text = normalize(pdf_text(guide))
    assert "What does this diagram show?" in text
    assert "![not an image](https://example.com/x.png)" in text  # code prints as written
    assert text.count("![") == 1


def test_the_worksheet_shows_the_question_image_and_hides_the_answer_image(pictures):
    assert figures(pictures / "out" / "pictures-worksheet.pdf") == ["Three boxes in a row"]


def test_the_anki_deck_carries_the_image_as_media(pictures, tmp_path):
    import zipfile
    from test_anki import notes

    with zipfile.ZipFile(pictures / "out" / "pictures.apkg") as archive:
        assert "0" in archive.namelist() and archive.read("0") == DIAGRAM.read_bytes()
    fields = next(n["fields"] for n in notes(pictures / "out" / "pictures.apkg", tmp_path)
                  if n["fields"][0].startswith("What does"))
    assert '<img class="md-image" src="studypack-pictures-' in fields[0]
    assert 'alt="The flow, labelled"' in fields[1]


def test_changing_a_markdown_image_rebuilds_the_pdfs(pictures):
    args = ("--content", pictures / "content", "--output", pictures / "out", "pictures",
            "--edition", "guide")
    assert "up to date" in run_cli(*args).err
    png = pictures / "content" / "pics" / "flow.png"
    from PIL import Image

    Image.new("RGB", (40, 20), "white").save(png)
    rebuilt = run_cli(*args)
    assert rebuilt.code == 0 and "up to date" not in rebuilt.err


BAD = """\
title: Bad ![logo](https://example.com/logo.png)
sections:
  - title: S
    questions:
      - question: "Two images: ![x](../outside.png) and ![y](/etc/image.png)"
        answer:
          - text: |
              Text first.
                ![a diagram](missing.png) then ![](pics/flow.png)
          - code:
              text: "![printed as code](http://example.com/y.png)"
        key_points: ["![k](file:///etc/x.png)"]
        choices: ["![c](pics/..\\\\flow.png)", "![fine](pics/flow.png)"]
        correct: 2
"""


def test_images_outside_the_pack_folder_are_refused_at_their_line_and_column(tmp_path):
    (tmp_path / "content" / "pics").mkdir(parents=True)
    (tmp_path / "content" / "pics" / "flow.png").write_bytes(DIAGRAM.read_bytes())
    (tmp_path / "outside.png").write_bytes(DIAGRAM.read_bytes())
    write_pack(tmp_path / "content", "bad", BAD)
    result = run_cli("--content", tmp_path / "content", "--output", tmp_path / "out", "bad")
    assert result.code == 1
    lines = [line.split("bad.yaml:", 1)[1] for line in result.err.splitlines() if "bad.yaml:" in line]
    q = "(sections[0].questions[0].{})".format
    assert lines == [
        "1:12: markdown image src 'https://example.com/logo.png' is a URL; only files inside the "
        "content folder can be used; never fetched (title)",
        "5:32: markdown image src '../outside.png' leads outside the content folder; never fetched "
        + q("question"),
        "5:57: markdown image src '/etc/image.png' is an absolute path; give a path relative to "
        "the pack file; never fetched " + q("question"),
        "9:17: markdown image src 'missing.png' does not exist in the content folder; never "
        "fetched " + q("answer[0].text"),
        "9:48: markdown image 'pics/flow.png' has no alt text: say what it shows, "
        "![what it shows](pics/flow.png) " + q("answer[0].text"),
        "12:23: markdown image src 'file:///etc/x.png' is a URL; only files inside the content "
        "folder can be used; never fetched " + q("key_points[0]"),
        "13:20: markdown image src 'pics/..\\\\flow.png' uses backslashes; use '/' between folders; "
        "never fetched " + q("choices[0]"),
    ]
    assert not (tmp_path / "out").exists()


def test_a_symlink_leading_out_is_refused(tmp_path):
    (tmp_path / "content").mkdir()
    (tmp_path / "secret.png").write_bytes(DIAGRAM.read_bytes())
    os.symlink(tmp_path / "secret.png", tmp_path / "content" / "link.png")
    write_pack(tmp_path / "content", "linked", {"title": "L", "sections": [{"title": "S", "questions": [
        {"question": "Q?", "answer": "See ![the secret](link.png)"}]}]})
    result = run_cli("--content", tmp_path / "content", "--check")
    assert result.code == 1
    assert "markdown image src 'link.png' leads outside the content folder" in result.err
