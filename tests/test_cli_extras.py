"""The command's conventions and author tools: --version, --help, --new, --html, progress, -q."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from pypdf import PdfReader

from conftest import normalize, pdf_text, run_cli, small_pack, write_pack
from studypack import __version__
from studypack.jobs import Written
from studypack.progress import FEW, Progress
from studypack.scaffold import new_pack

# --- --version and --help ----------------------------------------------------------------------

def test_version():
    result = run_cli("--version")
    assert (result.code, result.out.strip()) == (0, f"studypack {__version__}")


def test_help_names_every_option():
    result = run_cli("--help")
    assert result.code == 0
    for option in ("--schema", "--html", "--watch", "--new NAME", "-q, --quiet", "--version"):
        assert option in result.out


@pytest.mark.parametrize("args", [["--watch", "--check"], ["--new", "a", "--schema"],
                                  ["--schema", "some-pack"], ["--new", "a", "other"]])
def test_modes_do_not_combine(args):
    result = run_cli(*args)
    assert result.code == 2
    assert "error:" in result.err and "Traceback" not in result.err


# --- --new NAME --------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def starter(tmp_path_factory) -> tuple[Path, Path]:
    """A starter pack written by --new and built, all three editions."""
    root = tmp_path_factory.mktemp("starter")
    content, output = root / "content", root / "output"
    result = run_cli("--content", content, "--new", "first-pack")
    assert result.code == 0, result.err
    # outside a checkout (a temporary folder) the schema is written beside the pack
    assert [Path(line).name for line in result.out.splitlines()] == [
        "first-pack.yaml", "first-pack-example.png", "studypack.schema.json"]
    built = run_cli("--content", content, "--output", output, "-q")
    assert built.code == 0, built.err
    return content, output


def test_new_pack_uses_every_block_type(starter):
    import yaml

    content, _ = starter
    data = yaml.safe_load((content / "first-pack.yaml").read_text(encoding="utf-8"))
    kinds = set()
    for section in data["sections"]:
        for block in section.get("intro", []):
            kinds |= set(block)
        for question in section["questions"]:
            answer = question["answer"]
            for block in ([{"text": answer}] if isinstance(answer, str) else answer):
                kinds |= set(block)
    assert kinds == {"text", "list", "table", "code", "chart", "image"}


def test_new_pack_builds_as_is(starter):
    _, output = starter
    guide = normalize(pdf_text(output / "first-pack-guide.pdf"))
    assert "First Pack" in guide
    assert "Compare the three printed editions of a pack" in guide
    assert "studypack first-pack --edition worksheet" in guide      # the code block
    assert "Candidates practising" in guide                          # the table
    assert "45%" in guide                                            # the chart
    reader = PdfReader(output / "first-pack-guide.pdf")
    images = {image.data for page in reader.pages for image in page.images}
    assert len(images) == 1                                          # the image
    worksheet = normalize(pdf_text(output / "first-pack-worksheet.pdf"))
    assert "A pack is one YAML file" not in worksheet                # answers hidden


def test_new_pack_refers_to_a_schema(starter):
    content, _ = starter
    first = (content / "first-pack.yaml").read_text(encoding="utf-8").splitlines()[0]
    assert first == "# yaml-language-server: $schema=studypack.schema.json"
    assert (content / "studypack.schema.json").is_file()


def test_new_pack_in_a_project_refers_to_its_schema(tmp_path):
    (tmp_path / "schema").mkdir()
    (tmp_path / "schema" / "studypack.schema.json").write_text("{}")
    pack, _ = new_pack("x", tmp_path / "content")
    assert not (tmp_path / "content" / "studypack.schema.json").exists()
    assert pack.read_text().splitlines()[0] == \
        "# yaml-language-server: $schema=../schema/studypack.schema.json"


def test_new_refuses_to_overwrite(tmp_path):
    path = write_pack(tmp_path, "mine", small_pack())
    before = path.read_bytes()
    result = run_cli("--content", tmp_path, "--new", "mine")
    assert result.code == 2
    assert "mine.yaml already exists" in result.err
    assert path.read_bytes() == before
    assert not (tmp_path / "mine-example.png").exists()


def test_new_refuses_when_the_image_name_is_taken(tmp_path):
    (tmp_path / "mine-example.png").write_bytes(b"not mine")
    result = run_cli("--content", tmp_path, "--new", "mine")
    assert result.code == 2
    assert not (tmp_path / "mine.yaml").exists()


@pytest.mark.parametrize("name", ["has space", "-dash", "../escape", "a/b", "x" * 81, ""])
def test_new_needs_a_valid_pack_id(tmp_path, name):
    result = run_cli("--content", tmp_path, f"--new={name}")
    assert result.code == 2
    assert "is not a pack id" in result.err
    assert list(tmp_path.iterdir()) == []


# --- --html ------------------------------------------------------------------------------------

def test_html_is_written_beside_each_pdf(tmp_path):
    content = tmp_path / "content"
    write_pack(content, "net", small_pack())
    result = run_cli("--content", content, "--output", tmp_path / "out", "--html", "-q")
    assert result.code == 0, result.err
    out = tmp_path / "out"
    for edition in ("guide", "worksheet", "answer-key", "flashcards"):
        assert (out / f"net-{edition}.pdf").is_file()
        html = (out / f"net-{edition}.html").read_text(encoding="utf-8")
        assert "Name the layers of the OSI model." in html
        sheets = re.findall(r'<link rel="stylesheet" href="([^"]+)">', html)
        assert sheets[0] == "html-assets/print.css" and sheets[-1] == "html-assets/preview.css"
        assert all((out / sheet).is_file() for sheet in sheets)
    # stdout stays one line per PDF; the HTML goes beside it quietly
    assert [Path(line).suffix for line in result.out.splitlines()] == [".pdf"] * 4 + [".apkg"]
    css = (out / "html-assets" / "print.css").read_text(encoding="utf-8")
    fonts = re.findall(r"url\(([^)]+)\)", css)
    assert fonts and all((out / "html-assets" / font).is_file() for font in fonts)
    worksheet = (out / "net-worksheet.html").read_text(encoding="utf-8")
    assert "Physical" not in worksheet  # the worksheet's HTML hides the answers too


def test_html_does_not_change_the_pdf(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    content = tmp_path / "content"
    write_pack(content, "net", small_pack())
    for folder, extra in (("plain", ()), ("with-html", ("--html",))):
        result = run_cli("--content", content, "--output", tmp_path / folder,
                         "--edition", "guide", "-q", *extra)
        assert result.code == 0, result.err
    assert (tmp_path / "plain" / "net-guide.pdf").read_bytes() == \
        (tmp_path / "with-html" / "net-guide.pdf").read_bytes()
    assert not (tmp_path / "plain" / "html-assets").exists()


def test_html_copies_only_the_builders_own_files(tmp_path):
    from studypack.preview import asset_files, copy_assets

    html = '<head><link rel="stylesheet" href="print.css"></head>'
    files = asset_files(html)
    assert files[:2] == ["print.css", "preview.css"]
    assert all(name == "print.css" or name == "preview.css" or name.startswith("fonts/")
               for name in files)
    copy_assets(["../pyproject.toml", "print.css"], tmp_path)
    assert [p.name for p in tmp_path.iterdir()] == ["print.css"]


# --- progress and summary ----------------------------------------------------------------------

def written(n: int) -> list[Written]:
    return [Written(Path(f"out/pack-{i}.pdf"), i + 1, 0.25, ()) for i in range(n)]


def test_plain_progress_and_summary_when_not_a_terminal():
    err, out = io.StringIO(), io.StringIO()
    progress = Progress(err, out)
    progress.start(FEW + 1)
    for file in written(FEW + 1):
        print(file.target, file=progress.stdout)
        progress.written(file)
    progress.stop()
    assert out.getvalue().splitlines() == [f"out/pack-{i}.pdf" for i in range(FEW + 1)]
    lines = err.getvalue().splitlines()
    assert lines[0] == f"[1/{FEW + 1}] out/pack-0.pdf: 1 page, 0.2 s"
    assert lines[FEW + 1].split() == ["file", "pages", "seconds"]
    assert lines[FEW + 2].split() == ["out/pack-0.pdf", "1", "0.2"]
    assert re.fullmatch(rf"{FEW + 1} files, {sum(range(1, FEW + 2))} pages in \d+\.\d s",
                        lines[-1])
    assert "\x1b[" not in err.getvalue()


def test_few_documents_get_a_summary_but_no_progress_lines():
    err, out = io.StringIO(), io.StringIO()
    progress = Progress(err, out)
    progress.start(1)
    progress.written(written(1)[0])
    progress.stop()
    assert err.getvalue().splitlines()[0].split() == ["file", "pages", "seconds"]
    assert not err.getvalue().startswith("[")


def test_a_bar_on_a_terminal():
    err, out = io.StringIO(), io.StringIO()
    progress = Progress(err, out, terminal=True)
    progress.start(FEW + 2)
    assert progress._bar is not None
    for file in written(FEW + 2):
        print(file.target, file=progress.stdout)
        progress.written(file)
    progress.stop()
    text = err.getvalue()
    assert "building" in text and "\x1b[" in text      # the bar, drawn with terminal codes
    text = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", text)
    assert re.search(r"file\s+pages\s+seconds", text)
    assert "out/pack-4.pdf" in text
    # stdout is not a terminal here, so the file lines go to stdout unchanged
    assert out.getvalue().splitlines() == [f"out/pack-{i}.pdf" for i in range(FEW + 2)]


def test_a_build_reports_on_stderr_and_quiet_silences_it(tmp_path):
    content = tmp_path / "content"
    write_pack(content, "net", small_pack())
    loud = run_cli("--content", content, "--output", tmp_path / "a", "--edition", "worksheet")
    assert loud.code == 0
    assert [Path(line).name for line in loud.out.splitlines()] == ["net-worksheet.pdf"]
    assert "1 file, " in loud.err and "pages" in loud.err.splitlines()[0]
    quiet = run_cli("--content", content, "--output", tmp_path / "b", "--edition", "worksheet",
                    "-q")
    assert (quiet.code, quiet.err) == (0, "")
    assert quiet.out == loud.out.replace("/a/", "/b/")


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_file_lines_print_above_the_bar_when_stdout_is_the_terminal_too():
    err, out = io.StringIO(), Terminal()
    progress = Progress(err, out, terminal=True)
    progress.start(FEW + 1)
    print("out/pack-0.pdf", file=progress.stdout)
    progress.stop()
    assert out.getvalue() == ""  # drawn by the bar's console, so the bar is not torn
    assert "out/pack-0.pdf" in err.getvalue()


def test_editions_come_in_their_own_order_whatever_the_order_of_the_flags(tmp_path):
    content, out = tmp_path / "content", tmp_path / "out"
    write_pack(content, "networking", small_pack())
    done = run_cli("--content", content, "--output", out, "--jobs", "1", "--edition", "anki",
                   "--edition", "answer-key", "--edition", "guide", "--edition", "worksheet")
    assert done.code == 0, done.err
    assert [Path(line).name for line in done.out.splitlines()] == [
        "networking-guide.pdf", "networking-worksheet.pdf", "networking-answer-key.pdf",
        "networking.apkg"]
