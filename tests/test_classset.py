"""Class sets: --class-set N, --seed given more than once, --roster FILE; the two merged PDFs."""

from __future__ import annotations

import re
from pathlib import Path

import pikepdf
import pytest
from pypdf import PdfReader

from conftest import pdf_text, run_cli, small_pack, write_pack
from studypack import classset

CODE = re.compile(r"Variant (seed-\w+)")


@pytest.fixture
def content(tmp_path) -> Path:
    write_pack(tmp_path / "content", "net", small_pack())
    return tmp_path / "content"


def build(content: Path, out: Path, *args: str):
    return run_cli("--content", content, "--output", out, *args, "net")


def page_codes(path: Path) -> list[str | None]:
    """The variant code in each page's footer; None for a page without any text."""
    codes = []
    for page in PdfReader(path).pages:
        text = page.extract_text() or ""
        found = set(CODE.findall(text))
        assert len(found) <= 1, f"two variant codes on one page: {found}"
        codes.append(found.pop() if found else None)
        if codes[-1] is None:
            assert not text.strip(), "only the added blank pages lack a variant code"
    return codes


def bookmarks(path: Path) -> list[tuple[str, int, list[str]]]:
    pdf = pikepdf.open(path)
    with pdf.open_outline() as outline:
        return [(item.title, pdf.pages.index(pikepdf.Page(item.destination[0])),
                 [child.title for child in item.children]) for item in outline.root]


def check_class_file(path: Path, seeds: list[str]) -> list[int]:
    """Each variant's pages together, in order, its first page odd, its code in every footer;
    the 0-based index of each variant's first page."""
    codes = page_codes(path)
    firsts = []
    for index, code in enumerate(codes):
        if code is not None and (index == 0 or codes[index - 1] != code):
            firsts.append(index)
            if index:  # a blank page only where the variant before ended on an odd page
                assert codes[index - 1] is not None or codes[index - 2] != code
    assert [codes[i] for i in firsts] == [f"seed-{s}" for s in seeds]
    assert all(i % 2 == 0 for i in firsts), f"a variant starts on an even page: {firsts}"
    reader = PdfReader(path)
    for i in firsts:
        assert "Page 1 of" in reader.pages[i].extract_text()
    blanks = [i for i, code in enumerate(codes) if code is None]
    assert all(i + 1 in firsts for i in blanks), "blank pages only before a variant"
    return firsts


def test_class_set_builds_two_files_each_variant_from_an_odd_page(content, tmp_path):
    out = tmp_path / "out"
    run = build(content, out, "--class-set", "3", "--seed", "4")
    assert run.code == 0, run.err
    assert sorted(p.name for p in out.iterdir() if p.suffix == ".pdf") == [
        "net-class-set-keys.pdf", "net-class-set-worksheets.pdf"]
    for name in ("net-class-set-worksheets.pdf", "net-class-set-keys.pdf"):
        firsts = check_class_file(out / name, ["4", "5", "6"])
        marks = bookmarks(out / name)
        assert [(title, page) for title, page, _ in marks] == [
            ("Variant seed-4", firsts[0]), ("Variant seed-5", firsts[1]),
            ("Variant seed-6", firsts[2])]
        assert all("Layers" in children for _, _, children in marks)  # each variant's own


def test_odd_paged_variants_get_a_blank_page(content, tmp_path):
    out = tmp_path / "out"
    assert build(content, out, "--class-set", "2", "--edition", "worksheet").code == 0
    worksheets = out / "net-class-set-worksheets.pdf"
    single = tmp_path / "single"
    assert build(content, single, "--seed", "1", "--edition", "worksheet").code == 0
    pages = len(PdfReader(single / "net-worksheet-seed-1.pdf").pages)
    firsts = check_class_file(worksheets, ["1", "2"])
    assert firsts[1] == pages + pages % 2
    assert not (out / "net-class-set-keys.pdf").exists()  # only the edition asked for


def test_merged_file_keeps_the_tags_of_each_variant(content, tmp_path):
    out = tmp_path / "out"
    assert build(content, out, "--class-set", "2", "--edition", "answer-key").code == 0
    pdf = pikepdf.open(out / "net-class-set-keys.pdf")
    tree = pdf.Root.StructTreeRoot
    assert pdf.Root.MarkInfo.Marked is True and str(pdf.Root.Lang) == "en"
    top = tree.K[0]
    assert len(tree.K) == 1 and top.S == "/Document"
    assert [(str(part.S), str(part.T)) for part in top.K] == [
        ("/Part", "Variant seed-1"), ("/Part", "Variant seed-2")]
    keys = set(int(k) for k in list(tree.ParentTree.Nums)[::2])
    page_keys = [int(p.obj.StructParents) for p in pdf.pages if "/StructParents" in p.obj]
    annot_keys = [int(a.StructParent) for p in pdf.pages for a in p.obj.get("/Annots", [])
                  if "/StructParent" in a]
    assert len(annot_keys) == 2 * 4  # each variant's candidate field and 3 score fields
    assert sorted(page_keys + annot_keys) == sorted(keys)  # every key once, none left over
    nums = list(tree.ParentTree.Nums)
    parents = dict(zip((int(k) for k in nums[::2]), nums[1::2]))
    for widget in (a for p in pdf.pages for a in p.obj.get("/Annots", []) if "/StructParent" in a):
        element = parents[int(widget.StructParent)]  # the widget's own Form element, shifted
        kids = element.K if isinstance(element.K, pikepdf.Array) else [element.K]
        assert element.S == "/Form" and [k.Obj.objgen for k in kids
                                         if isinstance(k, pikepdf.Dictionary)
                                         and k.get("/Type") == "/OBJR"] == [widget.objgen]
    assert int(tree.ParentTreeNextKey) == max(keys) + 1
    pages = {p.objgen for p in pdf.pages}

    def walk(node, parent):
        if isinstance(node, pikepdf.Dictionary) and "/S" in node:
            assert node.P.objgen == parent.objgen
            if "/Pg" in node:
                assert node.Pg.objgen in pages  # points at this file's pages, not a copy's
            kids = node.get("/K")
            for kid in (kids if isinstance(kids, pikepdf.Array) else [kids]):
                walk(kid, node)

    for part in top.K:
        walk(part, top)
    with pdf.open_metadata() as meta:
        assert meta["pdfuaid:part"] == "1"
        assert meta["dc:title"] == str(pdf.docinfo.Title) == "Networking Basics · Class set, keys"
    import page  # page-validation: the merge adds no PDF/UA failure to the variants'

    single = tmp_path / "single"
    assert build(content, single, "--seed", "1", "--edition", "answer-key").code == 0
    alone = {f.rule_id for f in page.validate_pdf(str(single / "net-answer-key-seed-1.pdf"),
                                                  profile="ua1").failures}
    merged = {f.rule_id for f in page.validate_pdf(str(out / "net-class-set-keys.pdf"),
                                                   profile="ua1").failures}
    assert merged <= alone


def test_class_set_keys_are_one_form_with_each_variants_fields(content, tmp_path):
    from pypdf import PdfWriter

    out = tmp_path / "out"
    assert build(content, out, "--class-set", "2", "--edition", "answer-key").code == 0
    path = out / "net-class-set-keys.pdf"
    own = ["candidate", "score.osi", "score.tcp-udp", "score.what-does-dns-do"]
    wanted = {f"seed-{s}.{name}" for s in ("1", "2") for name in own}
    fields = PdfReader(path).get_fields()
    assert {n for n in fields if "." in n} == wanted  # and the parents seed-1, seed-2
    assert set(fields) == wanted | {"seed-1", "seed-2"}
    pdf = pikepdf.open(path)
    form = pdf.Root.AcroForm
    assert form.NeedAppearances is True and [str(f.T) for f in form.Fields] == ["seed-1", "seed-2"]
    widgets = [a for p in pdf.pages for a in p.obj.get("/Annots", []) if a.get("/FT") == "/Tx"]
    assert len(widgets) == 8 and all("/StructParent" in w and "/DA" in w for w in widgets)
    for widget in widgets:  # every font a field's /DA names is in the form's resources
        font = str(widget.DA).split(" Tf")[0].split()[-2]
        assert font in form.DR.Font and "/FontFile2" in _descriptor(form.DR.Font[font])
    assert {str(w.Parent.T) for w in widgets} == {"seed-1", "seed-2"}

    writer = PdfWriter(clone_from=path)
    page = next(p for p in writer.pages
                if any(a.get_object().get("/T") == "score.osi" and
                       a.get_object()["/Parent"].get_object()["/T"] == "seed-2"
                       for a in p.get("/Annots", [])))
    writer.update_page_form_field_values(page, {"seed-2.score.osi": "1.5"},
                                         auto_regenerate=False)
    filled = tmp_path / "filled.pdf"
    writer.write(filled)
    values = {n: f.get("/V") for n, f in PdfReader(filled).get_fields().items() if n in wanted}
    assert values.pop("seed-2.score.osi") == "1.5"
    assert not any(values.values()), values  # seed-1's score.osi and the rest stay empty


def _descriptor(font):
    return (font.DescendantFonts[0] if "/DescendantFonts" in font else font).FontDescriptor


def test_roster_gives_one_named_variant_per_candidate(content, tmp_path):
    roster = tmp_path / "roster.txt"
    roster.write_text("Zoë Ødegård\n\n   \n<b>Bob</b> Tables\r\nAda   Lovelace\n", encoding="utf-8")
    out = tmp_path / "out"
    run = build(content, out, "--roster", roster, "--seed", "10")
    assert run.code == 0, run.err
    names = ["Zoë Ødegård", "<b>Bob</b> Tables", "Ada Lovelace"]
    for name in ("net-class-set-worksheets.pdf", "net-class-set-keys.pdf"):
        path = out / name
        firsts = check_class_file(path, ["10", "11", "12"])
        assert [title for title, _, _ in bookmarks(path)] == [
            f"Variant seed-{s}: {n}" for s, n in zip(("10", "11", "12"), names)]
        reader = PdfReader(path)
        for first, candidate in zip(firsts, names):
            text = reader.pages[first].extract_text()
            label = "Name" if "worksheets" in name else "Candidate:"
            assert re.search(rf"{label}\s*{re.escape(candidate)}", text), text[:300]
        for page in reader.pages:  # the footer names the candidate on every page
            text = page.extract_text()
            if text.strip():
                code = CODE.search(text).group(1)
                assert names[int(code[5:]) - 10] in text


def test_seed_more_than_once_builds_each_variant(content, tmp_path):
    out = tmp_path / "out"
    run = build(content, out, "--seed", "7", "--seed", "8", "--edition", "worksheet",
                "--edition", "answer-key")
    assert run.code == 0, run.err
    for seed in ("7", "8"):
        for edition in ("worksheet", "answer-key"):
            path = out / f"net-{edition}-seed-{seed}.pdf"
            assert set(page_codes(path)) == {f"seed-{seed}"}
    first, second = (pdf_text(out / f"net-worksheet-seed-{s}.pdf") for s in ("7", "8"))
    assert first != second


def test_several_seeds_are_the_variants_of_a_class_set(content, tmp_path):
    out = tmp_path / "out"
    run = build(content, out, "--class-set", "2", "--seed", "3", "--seed", "9")
    assert run.code == 0, run.err
    check_class_file(out / "net-class-set-keys.pdf", ["3", "9"])


def test_class_set_is_reproducible(content, tmp_path):
    made = []
    for name in ("a", "b"):
        assert build(content, tmp_path / name, "--class-set", "2").code == 0
        made.append([(tmp_path / name / f).read_bytes()
                     for f in ("net-class-set-worksheets.pdf", "net-class-set-keys.pdf")])
    assert made[0] == made[1]


@pytest.mark.parametrize(("args", "message"), [
    (("--class-set", "0"), "--class-set: expected a whole number of 1 or more, found '0'"),
    (("--class-set", "-2"), "--class-set: expected a whole number of 1 or more"),
    (("--class-set", "2", "--edition", "guide"),
     "--class-set makes worksheets and answer keys, not guide"),
    (("--class-set", "2", "--seed", "monday"), "so S must be a whole number"),
    (("--class-set", "3", "--seed", "1", "--seed", "2"), "--class-set asks for 3 variants but 2"),
    (("--class-set", "2", "--seed", "1", "--seed", "1"), "the same seed given twice"),
    (("--class-set", "2", "--count", "99"), "--count 99"),
    (("--class-set", "2", "--booklet"), "--booklet does not apply to class sets"),
])
def test_usage_errors_exit_2_and_write_nothing(content, tmp_path, args, message):
    out = tmp_path / "out"
    run = build(content, out, *args)
    assert run.code == 2
    assert message in run.err
    assert not out.exists() or not any(out.glob("*.pdf"))


@pytest.mark.parametrize(("text", "message"), [
    (b"\n  \n\n", "roster.txt: the roster holds no names (one name a line)"),
    (b"Ada\n\xff\xfeBob\n", "roster.txt:2: the roster is not UTF-8 text"),
    (b"Ada\nGrace\nada\n", "roster.txt:3: 'ada' is already on line 1"),
    (b"Ada\nBo\x07b\n", "roster.txt:2: a name holds a control character"),
])
def test_bad_rosters_exit_1_and_write_nothing(content, tmp_path, monkeypatch, text, message):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "roster.txt").write_bytes(text)
    run = build(content, tmp_path / "out", "--roster", "roster.txt")
    assert run.code == 1
    assert run.err.strip() == message or run.err.startswith(message), run.err
    assert "Traceback" not in run.err
    assert not (tmp_path / "out").exists()


def test_missing_roster_and_a_roster_that_disagrees(content, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    run = build(content, tmp_path / "out", "--roster", "nobody.txt")
    assert run.code == 1 and run.err.startswith("nobody.txt: cannot read the roster")
    (tmp_path / "roster.txt").write_text("Ada\nGrace\n", encoding="utf-8")
    run = build(content, tmp_path / "out", "--roster", "roster.txt", "--class-set", "3")
    assert run.code == 2 and "the roster holds 2 names" in run.err


def test_a_failed_class_set_keeps_the_earlier_files(content, tmp_path, monkeypatch):
    out = tmp_path / "out"
    assert build(content, out, "--class-set", "2").code == 0
    before = {p.name: p.read_bytes() for p in out.glob("*.pdf")}
    real = classset.variant_document

    def failing(job, env):
        if job.render.variant == "seed-2" and job.edition == "answer-key":
            raise RuntimeError("layout failed")
        return real(job, env)

    monkeypatch.setattr(classset, "variant_document", failing)
    run = build(content, out, "--class-set", "2", "--seed", "1")
    assert run.code == 1
    assert "could not build the answer-key of variant seed-2 (RuntimeError: layout failed)" in run.err
    assert {p.name: p.read_bytes() for p in out.glob("*.pdf")} == before
    assert not [p for p in out.iterdir() if p.name.startswith(".")]
