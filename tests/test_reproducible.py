"""Reproducible builds: the same input gives the same bytes, dated by SOURCE_DATE_EPOCH."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from pypdf import PdfReader

from conftest import ROOT, pdf_text, run_cli, small_pack, write_pack

EPOCH = "1600000000"  # 13 September 2020, 12:26 UTC


def test_two_builds_in_two_processes_give_identical_bytes(tmp_path, monkeypatch):
    """Another process (another hash seed), another content folder, another output folder."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    first_content, second_content = tmp_path / "one" / "content", tmp_path / "two" / "packs"
    write_pack(first_content, "networking", small_pack())
    write_pack(second_content, "networking", small_pack())
    first, second = tmp_path / "one" / "out", tmp_path / "two" / "out"
    assert run_cli("--content", first_content, "--output", first, "--jobs", "1").code == 0
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONHASHSEED": "12345"}
    done = subprocess.run([sys.executable, str(ROOT / "build.py"), "--content", str(second_content),
                           "--output", str(second)], env=env, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    names = sorted(p.name for p in first.glob("networking*.*"))
    assert names == ["networking-answer-key.pdf", "networking-flashcards.pdf",
                     "networking-guide.pdf", "networking-worksheet.pdf", "networking.apkg"]
    for name in names:
        assert (first / name).read_bytes() == (second / name).read_bytes(), name


def test_the_date_on_the_cover_and_in_the_metadata_comes_from_source_date_epoch(
        tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    write_pack(tmp_path / "content", "networking", small_pack())
    out = tmp_path / "out"
    assert run_cli("--content", tmp_path / "content", "--output", out, "--jobs", "1",
                   "--edition", "guide").code == 0
    guide = out / "networking-guide.pdf"
    metadata = PdfReader(guide).metadata
    assert metadata["/CreationDate"] == metadata["/ModDate"] == "D:20200913"
    assert "13 September 2020" in pdf_text(guide)
    dated = {key for key, value in metadata.items() if re.search(r"\d{8}", str(value))}
    assert dated == {"/CreationDate", "/ModDate"}  # no other clock reading in the metadata


def test_pydyf_page_references_are_made_once_per_page_count_with_the_same_values_and_bytes(
        tmp_path, monkeypatch):
    """studypack replaces a quadratic property of pydyf (docs/performance.md): same values after
    every page added, and the same PDF bytes as with pydyf's own property."""
    from studypack import pdf

    pdf.import_weasyprint()
    import pydyf

    faster = pydyf.PDF.__dict__["page_references"]
    original = faster.fget.original
    document = pydyf.PDF()
    for _ in range(3):
        document.add_page(pydyf.Dictionary({"Type": "/Page"}))
        assert faster.fget(document) == original.fget(document)
        assert faster.fget(document) is faster.fget(document)  # made once for this count
    html = "<h1>Tagged</h1>" + "".join(
        f'<h2 id="q-{n}">Question {n}</h2><p>{"Words to fill a page. " * 200}</p>'
        for n in range(1, 7))
    made = pdf.html_to_pdf(html, tmp_path)
    starts = [made.anchor_pages[f"q-{n}"] for n in range(1, 7)]
    assert made.pages > 6 and starts == sorted(starts) and starts[-1] > starts[0]
    monkeypatch.setattr(pydyf.PDF, "page_references", original)
    assert pdf.html_to_pdf(html, tmp_path).data == made.data


def test_the_stylesheets_are_parsed_once_per_process_and_change_no_byte(tmp_path, monkeypatch):
    """print.css (and breaks.css) is parsed (and its fonts loaded) once per process and given to WeasyPrint as a
    stylesheet: the PDF is the one WeasyPrint makes from the HTML's own <link>."""
    from studypack import pdf, pdfua
    from studypack.assets import TEMPLATES
    from studypack.load import load_pack
    from studypack.render import RenderOptions, make_environment, render_html

    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    weasyprint = pdf.import_weasyprint()
    path = write_pack(tmp_path / "content", "networking", small_pack())
    loaded = load_pack(path)
    html = render_html(make_environment(), loaded, loaded.parts(), "guide", RenderOptions())
    assert '<link rel="stylesheet" href="print.css">' in html
    parsed = []
    real_css = weasyprint.CSS
    monkeypatch.setattr(weasyprint, "CSS", lambda **kw: parsed.append(kw) or real_css(**kw))
    sheets = pdf.Stylesheets()
    first = pdf.html_to_pdf(html, path.parent, sheets)
    second = pdf.html_to_pdf(html, path.parent, sheets)
    sheets.close()
    assert [Path(kw["filename"]).name for kw in parsed] == ["print.css", "breaks.css"]
    assert first.data == second.data
    fetcher = pdf.make_fetcher(weasyprint, [TEMPLATES, path.parent])
    own = pdf.Stylesheets()  # only for its font configuration, closed (its folder removed) after
    own.split(weasyprint, fetcher, "")
    try:
        linked = weasyprint.HTML(string=html, base_url=TEMPLATES.as_uri() + "/",
                                 url_fetcher=fetcher).render(font_config=own.font_config)
        linked = linked.write_pdf(pdf_variant="pdf/ua-1")
    finally:
        own.close()
    assert first.data == pdfua.conform(linked)  # the PDF/UA repairs of every written PDF


def test_an_edited_stylesheet_is_parsed_again_by_the_next_build(tmp_path, monkeypatch):
    """--watch builds again in one process: stylesheets are parsed once per render session, and
    a build has its own session."""
    from pypdf import PdfReader as Reader

    from studypack import pdf, stylesheets

    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "sheet.css").write_text("@page { size: 100mm 100mm; }")
    monkeypatch.setattr(pdf, "TEMPLATES", templates)
    monkeypatch.setattr(stylesheets, "TEMPLATES", templates)
    sheets = pdf.Stylesheets()
    html = '<html><head><link rel="stylesheet" href="sheet.css"></head><body><p>x</p></body></html>'

    def width_mm() -> int:
        data = pdf.html_to_pdf(html, tmp_path, sheets).data
        (tmp_path / "out.pdf").write_bytes(data)
        return round(float(Reader(tmp_path / "out.pdf").pages[0].mediabox.width) / 72 * 25.4)

    assert width_mm() == 100
    (templates / "sheet.css").write_text("@page { size: 150mm 100mm; }")
    assert width_mm() == 100  # within one session the first parse is kept
    sheets.close()
    sheets = pdf.Stylesheets()
    assert width_mm() == 150
    sheets.close()
