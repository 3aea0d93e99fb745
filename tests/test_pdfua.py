"""PDF/UA-1 that outside checkers accept (issue 13, point 1): page-validation and outloud on every
edition and booklet of the seed pack and of the starter pack (every block type), and the repairs
of studypack/pdfua.py read back from the files."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pikepdf
import pytest

from conftest import SEED_PACK, run_cli
from studypack import pdfua
from studypack.pdfua import _elements, _kids, _parent_tree

page = pytest.importorskip("page", reason="page-validation (requirements-dev.txt) not installed")
OUTLOUD = shutil.which("outloud")
EDITIONS = ["guide", "worksheet", "answer-key", "flashcards"]


@pytest.fixture(scope="module")
def packs(tmp_path_factory) -> dict[str, Path]:
    """Output folders: the seed pack and the starter pack, every edition, with booklets and HTML;
    and a short variant of the seed pack, whose booklets have few sheets (outloud then counts
    fewer running heads as recurring, and reads more of them as prose)."""
    root = tmp_path_factory.mktemp("pdfua")
    starter = root / "content"
    assert run_cli("--content", starter, "--new", "starter").code == 0
    folders = {}
    for name, content, pack, more in (("aws-lambda", SEED_PACK.parent, "aws-lambda", []),
                                      ("starter", starter, "starter", []),
                                      ("variant", SEED_PACK.parent, "aws-lambda",
                                       ["--seed", "3", "--count", "12"])):
        out = root / name
        args = ["--content", content, "--output", out, "--booklet", "--html", "-q", *more]
        for edition in EDITIONS:
            args += ["--edition", edition]
        result = run_cli(*args, pack)
        assert result.code == 0, result.err
        folders[name] = out
    return folders


def pdfs(folder: Path) -> list[Path]:
    found = sorted(folder.glob("*.pdf"))
    assert len(found) >= 7, found  # four editions, three booklets (flashcards have none)
    return found


@pytest.mark.parametrize("pack", ["aws-lambda", "starter", "variant"])
def test_page_validation_finds_every_pdf_compliant(packs, pack):
    for pdf in pdfs(packs[pack]):
        report = page.validate_pdf(str(pdf), profile="ua1")
        assert report.is_compliant, (pdf.name, [(f.rule_id, f.message) for f in report.failures])


@pytest.mark.skipif(OUTLOUD is None, reason="outloud (requirements-dev.txt) not installed")
@pytest.mark.parametrize("pack", ["aws-lambda", "starter", "variant"])
def test_outloud_finds_no_error_and_none_of_the_issues_warnings(packs, pack, tmp_path):
    # outloud leaves a small `.ses` file in its temporary folder: give it one of the test's own.
    env = {**os.environ, "TMPDIR": str(tmp_path), "TEMP": str(tmp_path), "TMP": str(tmp_path)}
    for pdf in pdfs(packs[pack]):
        done = subprocess.run([OUTLOUD, "--json", "-", "-q", "--fail-on", "never", str(pdf)],
                              capture_output=True, text=True, timeout=120, env=env)
        result = json.loads(done.stdout)["results"][0]
        errors = [f for f in result["findings"] if f["severity"] == "error"]
        assert result["counts"]["error"] == 0, (pdf.name, errors)
        rules = {f["rule"] for f in result["findings"]}
        # Link annotations without Print, empty elements, header cells without scope or shredded.
        assert not rules & {"LNK-001", "LNK-004", "TAG-020", "TBL-002", "TBL-010"}, pdf.name
        page_numbers = [(f, b) for f in result["findings"] if f["rule"] == "PAG-001"
                        and "page numbers" in f["message"] for b in f.get("boxes", [None])
                        if not _inside_the_body(pdf, b)]
        assert not page_numbers, (pdf.name, page_numbers)


MARGIN_PT = 22 * 72 / 25.4  # print.css: the top and bottom margins, where page numbers print


def _inside_the_body(pdf: Path, found: dict | None) -> bool:
    """Whether a "page number" outloud found lies inside the page body: a list slot's number
    opening a page (a slot list continued from the page before), not a folio, which prints in the
    margin. outloud takes any number alone near a page's edge on three pages for one."""
    if found is None:
        return False
    with pikepdf.open(pdf) as document:
        height = float(document.pages[found["page"] - 1].mediabox[3])
    return MARGIN_PT < found["y0"] and found["y1"] < height - MARGIN_PT


def reached(pdf: pikepdf.Pdf) -> set:
    return {element.objgen for element in _elements(pdf.Root.StructTreeRoot)}


@pytest.mark.parametrize("edition", ["guide", "worksheet", "answer-key"])
def test_running_heads_and_page_numbers_are_pagination_artifacts(packs, edition):
    """Every page has its footer ("Page X of Y") as /Artifact /Pagination, and every tagged
    sequence left on it belongs to an element of the tree (none to a margin box outside it)."""
    path = packs["aws-lambda"] / f"aws-lambda-{edition}.pdf"
    with pikepdf.open(path) as pdf:
        tree, known = _parent_tree(pdf.Root.StructTreeRoot), reached(pdf)
        for number, sheet in enumerate(pdf.pages, start=1):
            mcids = tree[int(sheet.StructParents)]
            pagination = 0
            for operands, operator in pikepdf.parse_content_stream(sheet):
                if str(operator) != "BDC" or not isinstance(operands[1], pikepdf.Dictionary):
                    continue
                if "/MCID" in operands[1]:
                    assert mcids[int(operands[1].MCID)].objgen in known, (edition, number)
                elif operands[0] == pikepdf.Name.Artifact:
                    pagination += operands[1].get("/Type") == pikepdf.Name.Pagination
            assert pagination >= 1, (edition, number)


def test_links_are_printable_and_inside_link_elements(packs):
    with pikepdf.open(packs["aws-lambda"] / "aws-lambda-guide.pdf") as pdf:
        tree = _parent_tree(pdf.Root.StructTreeRoot)
        links = [a for p in pdf.pages for a in p.get("/Annots", [])
                 if a.Subtype == pikepdf.Name.Link]
        assert len(links) > 20  # the contents list links every section and question
        for annotation in links:
            assert int(annotation.F) & pdfua.PRINT_FLAG
            assert tree[int(annotation.StructParent)].S == pikepdf.Name.Link


@pytest.mark.parametrize("pack", ["aws-lambda", "starter"])
def test_header_cells_are_scoped_no_element_is_empty_and_each_table_is_one_element(packs, pack):
    folder = packs[pack]
    for edition in ("guide", "worksheet", "answer-key"):
        html = (folder / f"{pack}-{edition}.html").read_text(encoding="utf-8")
        with pikepdf.open(folder / f"{pack}-{edition}.pdf") as pdf:
            elements = list(_elements(pdf.Root.StructTreeRoot))
            tables = [e for e in elements if e.S == pikepdf.Name.Table]
            # One /Table per <table>, however many pages it runs over; the worksheet's name and
            # date box is laid out without a table, so it is not tagged as one.
            assert len(tables) == len(re.findall(r"<table\b", html)), edition
            for cell in (e for e in elements if e.S == pikepdf.Name.TH):
                attributes = cell.A if isinstance(cell.A, pikepdf.Dictionary) else cell.A[-1]
                assert attributes.Scope in (pikepdf.Name.Row, pikepdf.Name.Column)
            empty = [e for e in elements if str(e.S) in ("/Span", "/P", "/Div", "/NonStruct")
                     and not _kids(e)]
            assert not empty, (edition, len(empty))


def test_the_worksheet_name_box_is_no_table(packs):
    html = (packs["aws-lambda"] / "aws-lambda-worksheet.html").read_text(encoding="utf-8")
    assert '<div class="fill-in">' in html and "<th>Name</th>" not in html


def test_a_booklet_carries_the_editions_structure_into_its_sheets(packs):
    folder = packs["aws-lambda"]
    with pikepdf.open(folder / "aws-lambda-guide.pdf") as edition, \
            pikepdf.open(folder / "aws-lambda-guide-booklet.pdf") as booklet:
        kinds = [str(e.S) for e in _elements(edition.Root.StructTreeRoot)]
        imposed = list(_elements(booklet.Root.StructTreeRoot))
        assert [str(e.S) for e in imposed] == [
            "/Span" if kind in ("/Link", "/Form") else kind for kind in kinds]  # no annotations there
        references = [kid for e in imposed for kid in _kids(e)
                      if isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == "/MCR"]
        assert references and all("/Stm" in r and "/Pg" in r for r in references)
        sheets = {p.obj.objgen for p in booklet.pages}
        assert {r.Pg.objgen for r in references} <= sheets
        assert booklet.Root.MarkInfo.Marked is True
        with booklet.open_metadata() as meta:
            assert meta["pdfuaid:part"] == "1"


def test_a_pdf_without_structure_comes_back_unchanged():
    with pikepdf.new() as pdf:
        pdf.add_blank_page()
        from io import BytesIO

        out = BytesIO()
        pdf.save(out, deterministic_id=True)
    assert pdfua.conform(out.getvalue()) == out.getvalue()
