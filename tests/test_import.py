"""--import FILE: articles, CSV files and Anki decks become packs that build as they are."""

from __future__ import annotations

import tempfile
import zipfile
from pathlib import Path

import genanki
import pytest
from conftest import ROOT, SEED_PACK, normalize, pdf_text, run_cli

from studypack.load import load_pack

FIXTURES = Path(__file__).parent / "import_fixtures"
SEED_ARTICLE = ROOT.parent / "shared" / "seeds" / "000_e5fcecb1e81bf6bf.txt"
if not SEED_ARTICLE.is_file():
    SEED_ARTICLE = Path("/work/shared/seeds/000_e5fcecb1e81bf6bf.txt")


def imported(tmp_path: Path, source: Path, *extra: str):
    """Import `source` into tmp_path/content; the run, and the pack loaded (None on failure)."""
    content = tmp_path / "content"
    result = run_cli("--content", content, "--import", source, *extra)
    pack_id = extra[extra.index("--id") + 1] if "--id" in extra else None
    path = Path(result.out.strip()) if result.code == 0 else None
    if path is not None:
        assert path.resolve() == (content / f"{pack_id or path.stem}.yaml").resolve()
    return result, (load_pack(path) if path else None)


def questions(loaded) -> list[str]:
    return [q.question for s in loaded.pack.sections for q in s.questions]


def files_in(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*")) if folder.exists() else []


# --- articles -----------------------------------------------------------------------------------

@pytest.mark.skipif(not SEED_ARTICLE.is_file(), reason="the seed article is in ../shared/seeds")
def test_seed_article_imports_as_20_questions_in_4_sections(tmp_path):
    result, loaded = imported(tmp_path, SEED_ARTICLE, "--id", "lambda")
    assert result.code == 0, result.err
    pack = loaded.pack
    assert pack.title == "Top 20 AWS Lambda Interview Questions and Answers for 2025"
    assert [s.title for s in pack.sections] == [
        f"{level} AWS Lambda Interview Questions"
        for level in ("Basic", "Intermediate", "Advanced", "Practical")]
    assert [len(s.questions) for s in pack.sections] == [5, 5, 5, 5]
    first = pack.sections[0].questions[0]
    assert first.question == "What is AWS Lambda?"
    assert first.answer[0].text.startswith("AWS Lambda is a serverless compute service")
    # The tab- and line-separated table: 3 columns, 4 rows; and the six steps of a list.
    create = pack.sections[0].questions[3]
    table = create.answer[1].table
    assert table.columns == ["Method", "Description", "Best Suited For"]
    assert [r[0] for r in table.rows] == ["Lambda Console", "Deployment Package",
                                          "Container Image", "Infrastructure-as-Code"]
    compare = pack.sections[2].questions[3].answer[1].table
    assert compare.columns == ["Feature", "Container Images", ".zip Deployment Packages"]
    assert len(compare.rows) == 5
    dynamo = pack.sections[3].questions[2].answer[1].list
    assert len(dynamo) == 6 and "put_item method" in dynamo[4]
    # The conclusion and the links after it are no answer.
    last = pack.sections[3].questions[4].answer
    assert "Conclusion" not in str(last) and "certified" not in str(last)
    text = (tmp_path / "content" / "lambda.yaml").read_text(encoding="utf-8")
    assert text.startswith("# ")
    assert "$schema=" in text.splitlines()[1] or "$schema=" in text.splitlines()[0]
    assert "{" not in text.split("\n", 3)[3][:200]  # block style, not flow style
    assert ":162: warning: 'Conclusion'" in result.err


def test_readme_with_numbered_headings(tmp_path):
    result, loaded = imported(tmp_path, FIXTURES / "readme" / "README.md")
    assert result.code == 0, result.err
    pack = loaded.pack
    assert pack.title == "Docker Interview Questions"
    assert [s.title for s in pack.sections] == ["Basics", "Images and containers", "Networking"]
    assert questions(loaded) == [
        "What is Docker?", "What is the difference between a container and a virtual machine?",
        "How do you write a Dockerfile for a Python app?",
        "What does the layered file system look like?", "Which network drivers does Docker provide?"]
    kinds = [[b.kind for b in q.answer] for s in pack.sections for q in s.questions]
    assert kinds == [["text"], ["table", "text"], ["text", "code", "text", "list"],
                     ["image", "text"], ["list"]]
    dockerfile = pack.sections[1].questions[0].answer[1].code
    assert dockerfile.language == "dockerfile" and dockerfile.text.startswith("FROM python:3.12")
    assert pack.sections[1].questions[0].answer[3].list == ["Base image", "Dependencies",
                                                            "Application code"]
    drivers = pack.sections[2].questions[0].answer[0].list
    assert drivers[1].startswith("\u2013 containers reach")  # a nested item, after its parent


def test_readme_drops_raw_html_and_remote_images_copies_local_ones(tmp_path):
    result, loaded = imported(tmp_path, FIXTURES / "readme" / "README.md")
    assert result.code == 0, result.err
    source = "tests/import_fixtures/readme/README.md"
    err = result.err.replace(str(FIXTURES / "readme" / "README.md"), source)
    assert f"{source}:3: warning: remote image https://img.shields.io/github/stars" in err
    assert f"{source}:4: warning: remote image https://img.shields.io/badge/" in err
    assert f"{source}:22: warning: raw HTML dropped" in err
    assert f"{source}:61: warning: raw HTML dropped" in err
    text = (tmp_path / "content" / "readme.yaml").read_text(encoding="utf-8")
    assert "<" not in text and "shields.io" not in text and "example.com" not in text
    image = loaded.pack.sections[1].questions[1].answer[0].image
    assert image.src == "readme-images/layers.png"
    assert image.alt == "Image layers stacked on a base image"
    copied = tmp_path / "content" / "readme-images" / "layers.png"
    assert copied.read_bytes() == (FIXTURES / "readme" / "images" / "layers.png").read_bytes()
    assert "Layers are shared between images" in loaded.pack.sections[1].questions[1].answer[1].text


def test_q_headings_pipe_tables_and_answer_marks(tmp_path):
    result, loaded = imported(tmp_path, FIXTURES / "q-headings.md")
    assert result.code == 0, result.err
    pack = loaded.pack
    assert pack.title == "SQL Interview Questions for Data Analysts"  # from the front matter
    assert pack.description.startswith("Prepared for analysts")
    assert [s.title for s in pack.sections] == ["Fundamentals", "Performance"]
    assert questions(loaded)[0] == "What is the difference between `WHERE` and `HAVING`?"
    where, joins = pack.sections[0].questions
    assert where.answer[0].text.startswith("`WHERE` filters rows")  # "**Answer:**" is gone
    assert where.answer[1].table.columns == ["Clause", "Runs", "Can use aggregates"]
    assert where.answer[1].table.rows[1] == ["HAVING", "after GROUP BY", "yes"]
    # A numbered list inside an answer stays a list: the questions are headings.
    assert [b.kind for b in joins.answer] == ["list", "text", "code"]
    assert joins.answer[0].list[0] == "INNER JOIN: rows matching in both tables"
    assert joins.answer[1].text == "**Example**"
    assert pack.sections[1].questions[1].answer[0].text.startswith("`UNION` removes")


def test_numbered_list_questions_with_bullets_and_code(tmp_path):
    result, loaded = imported(tmp_path, FIXTURES / "numbered-list.md", "--id", "k8s")
    assert result.code == 0, result.err
    pack = loaded.pack
    assert pack.title == "Kubernetes questions I was asked"
    assert [s.title for s in pack.sections] == ["Core concepts", "Operations"]
    assert questions(loaded) == [
        "What is a Pod?", "What is the difference between a Deployment and a StatefulSet?",
        "How do you roll back a bad release?", "How do you see why a Pod is not starting?"]
    rollback = pack.sections[1].questions[0].answer
    assert rollback[0].code.language == "bash" and "rollout undo" in rollback[0].code.text
    not_starting = pack.sections[1].questions[1].answer
    assert [b.kind for b in not_starting] == ["text", "list", "text"]


def test_plain_text_article_with_tabs_and_q_lines(tmp_path):
    article = tmp_path / "linux.txt"
    article.write_text(
        "Linux Interview Questions\n"
        "Shell and processes for junior admins.\n"
        "Processes\n"
        "Q1. How do you list running processes?\n"
        "Use ps or top:\n"
        "Command\tShows\n"
        "ps aux\tevery process, once\n"
        "top\ta live view\n"
        "Q2. Explain what a zombie process is.\n"
        "A process that has exited but whose parent has not read its exit status.\n"
        "1. It holds no memory\n"
        "2. It keeps its process id until reaped\n",
        encoding="utf-8")
    result, loaded = imported(tmp_path, article)
    assert result.code == 0, result.err
    assert loaded.pack.title == "Linux Interview Questions"
    assert [s.title for s in loaded.pack.sections] == ["Processes"]
    first, second = loaded.pack.sections[0].questions
    assert first.question == "How do you list running processes?"
    assert first.answer[1].table.columns == ["Command", "Shows"]
    assert first.answer[1].table.rows == [["ps aux", "every process, once"], ["top", "a live view"]]
    assert second.question == "Explain what a zombie process is."
    assert second.answer[1].list == ["It holds no memory", "It keeps its process id until reaped"]


def test_imported_article_builds_and_reads_as_written(tmp_path):
    result, loaded = imported(tmp_path, FIXTURES / "readme" / "README.md")
    assert result.code == 0, result.err
    out = tmp_path / "out"
    built = run_cli("--content", tmp_path / "content", "--output", out, "--edition", "guide", "-q",
                    "readme")
    assert built.code == 0, built.err
    text = normalize(pdf_text(out / "readme-guide.pdf"))
    assert "What does the layered file system look like?" in text
    assert "Seconds or less" in text and "FROM python:3.12-slim" in text
    from pypdf import PdfReader

    assert any("/XObject" in page["/Resources"] for page in PdfReader(out / "readme-guide.pdf").pages)


def test_image_outside_the_article_folder_is_dropped(tmp_path):
    (tmp_path / "secret.png").write_bytes((FIXTURES / "readme" / "images" / "layers.png").read_bytes())
    folder = tmp_path / "article"
    folder.mkdir()
    (folder / "fake.png").write_text("not an image", encoding="utf-8")
    article = folder / "a.md"
    article.write_text("# T\n\n## 1. What is X?\n\n![s](../secret.png)\n\n![f](fake.png)\n\nX is Y.\n",
                       encoding="utf-8")
    result, loaded = imported(tmp_path, article)
    assert result.code == 0, result.err
    assert ":5: warning: image src '../secret.png' leads outside the content folder" in result.err
    assert ":7: warning: image src 'fake.png' is not a PNG, JPEG, GIF or WebP image" in result.err
    assert [b.kind for b in loaded.pack.sections[0].questions[0].answer] == ["text"]
    assert files_in(tmp_path / "content") == ["a.yaml", "studypack.schema.json"]


def test_article_errors_name_the_line_and_write_nothing(tmp_path):
    article = tmp_path / "broken.md"
    article.write_text("# T\n\n## 1. What is X?\n\n## 2. What is Y?\n\nY is Z.\n", encoding="utf-8")
    result, _ = imported(tmp_path, article)
    assert result.code == 1
    assert f"{article}:3: question 'What is X?' has no answer" in result.err.replace(
        str(Path(article).resolve()), str(article)) or ":3: question 'What is X?' has no answer" \
        in result.err
    assert "Traceback" not in result.err
    assert files_in(tmp_path / "content") == []


def test_not_utf8_is_an_error_at_its_line(tmp_path):
    article = tmp_path / "latin.txt"
    article.write_bytes(b"Questions about caf\xc3\xa9s\n1. What is a caf\xe9?\nA place.\n")
    result, _ = imported(tmp_path, article)
    assert result.code == 1
    assert ":2: expected UTF-8 text, found the byte 0xe9" in result.err
    assert files_in(tmp_path / "content") == []


def test_no_questions_is_an_error(tmp_path):
    article = tmp_path / "essay.md"
    article.write_text("# An essay\n\nJust prose, and no question at all.\n", encoding="utf-8")
    result, _ = imported(tmp_path, article)
    assert result.code == 1 and "found no questions" in result.err


# --- the command --------------------------------------------------------------------------------

def test_existing_pack_needs_force(tmp_path):
    content = tmp_path / "content"
    content.mkdir()
    (content / "q-headings.yaml").write_text("title: mine\n", encoding="utf-8")
    result = run_cli("--content", content, "--import", FIXTURES / "q-headings.md")
    assert result.code == 2 and "already exists; add --force" in result.err
    assert (content / "q-headings.yaml").read_text(encoding="utf-8") == "title: mine\n"
    forced = run_cli("--content", content, "--import", FIXTURES / "q-headings.md", "--force")
    assert forced.code == 0, forced.err
    assert "SQL Interview Questions" in (content / "q-headings.yaml").read_text(encoding="utf-8")
    # No temporary files left; the editor's schema is written beside the pack (no checkout here).
    assert sorted(p.name for p in content.iterdir()) == ["q-headings.yaml", "studypack.schema.json"]
    first_line = (content / "q-headings.yaml").read_text(encoding="utf-8").splitlines()[0]
    assert first_line == "# yaml-language-server: $schema=studypack.schema.json"


@pytest.mark.parametrize("args, message", [
    (["--id", "x"], "--id goes with --import"),
    (["--import", "notes.docx"], "expected a file ending in .md"),
    (["--import", "missing.csv"], "no such file"),
    (["--import", "FIXTURE", "--id", "bad id"], "is not a pack id"),
    (["--import", "FIXTURE", "other-pack"], "no pack names"),
    (["--import", "FIXTURE", "--check"], "not allowed with"),
])
def test_usage_errors(tmp_path, args, message):
    args = [str(FIXTURES / "q-headings.md") if a == "FIXTURE" else a for a in args]
    result = run_cli("--content", tmp_path / "content", *args)
    assert result.code == 2, result.err
    assert message in result.err
    assert files_in(tmp_path / "content") == []


def test_id_defaults_to_the_stem_made_a_pack_id(tmp_path):
    source = tmp_path / "Top 10 Questions (2025).csv"
    source.write_text("question,answer\nWhat?,That.\n", encoding="utf-8")
    result, loaded = imported(tmp_path, source)
    assert result.code == 0, result.err
    assert loaded.pack_id == "top-10-questions-2025"


# --- CSV ----------------------------------------------------------------------------------------

def test_csv_with_every_column_quotes_and_bom(tmp_path):
    source = tmp_path / "bank.csv"
    source.write_bytes(
        "\ufeffQuestion,Answer,Section,Tags,Key points,Points,ID\n"
        '"What is a VPC, really?","A private network.\nIt spans a region, with one subnet '
        'or more per zone.",Networking,"aws; vpc","Private;Regional",2,vpc\n'
        "What is S3?,Object storage,Storage,basic,,,\n"
        "What is EBS?,Block storage,,,,,\n"
        ",,,,,,\n"
        "Qu'est-ce que Lambda ?,Du calcul sans serveur,Calcul,,,,\n".encode("utf-8"))
    result, loaded = imported(tmp_path, source)
    assert result.code == 0, result.err
    pack = loaded.pack
    assert pack.title == "Bank"
    assert [(s.title, len(s.questions)) for s in pack.sections] == [
        ("Networking", 1), ("Storage", 2), ("Calcul", 1)]
    vpc = pack.sections[0].questions[0]
    assert (vpc.id, vpc.question, vpc.points) == ("vpc", "What is a VPC, really?", 2)
    assert vpc.answer[0].text == ("A private network.\nIt spans a region, with one subnet or more "
                                  "per zone.")
    assert (vpc.tags, vpc.key_points) == (["aws", "vpc"], ["Private", "Regional"])
    assert pack.sections[2].questions[0].question == "Qu'est-ce que Lambda ?"


def test_csv_semicolons_as_excel_writes_them(tmp_path):
    source = tmp_path / "excel.csv"
    source.write_text('question;answer;tags\n"What is 1,5 + 1?";"2,5";maths basic\n',
                      encoding="utf-8")
    result, loaded = imported(tmp_path, source)
    assert result.code == 0, result.err
    q = loaded.pack.sections[0].questions[0]
    assert (q.question, q.answer[0].text, q.tags) == ("What is 1,5 + 1?", "2,5", ["maths", "basic"])


def test_csv_errors_name_each_rows_line(tmp_path):
    source = tmp_path / "bad.csv"
    source.write_text(
        "question,answer,points,id\n"
        '"A question\nover two lines?",An answer,1,a\n'
        "No answer here?,,1,b\n"
        "Points?,Yes,many,c\n"
        "Bad id?,Yes,1,not an id\n"
        "Dup?,Yes,1,a\n", encoding="utf-8")
    result, _ = imported(tmp_path, source)
    assert result.code == 1
    err = result.err
    assert ":4: the answer cell is empty" in err
    assert ":5: expected points as a whole number from 0 to 1000, found 'many'" in err
    assert "Traceback" not in err
    assert files_in(tmp_path / "content") == []
    # Once the rows are right, the loader's own checks come back at the row's line too.
    source.write_text("question,answer,id\nFirst?,Yes,a\n\"Two\nlines?\",Yes,not an id\n"
                      "Dup?,Yes,a\n", encoding="utf-8")
    result, _ = imported(tmp_path, source)
    assert result.code == 1
    assert ":3: expected an id of letters, digits, '-' and '_', found 'not an id' (id)" in result.err
    assert ":5: duplicate question id 'a'" in result.err
    assert files_in(tmp_path / "content") == []


@pytest.mark.parametrize("header, message", [
    ("question,anwser", "1: unknown column 'anwser'; did you mean 'answer'?"),
    ("question,notes", "1: missing the required column 'answer'"),
    ("question,answer,answer", "1: column 'answer' given twice"),
])
def test_csv_header_errors(tmp_path, header, message):
    source = tmp_path / "h.csv"
    source.write_text(f"{header}\nx,y\n", encoding="utf-8")
    result, _ = imported(tmp_path, source)
    assert result.code == 1 and message in result.err


# --- Anki decks ---------------------------------------------------------------------------------

BASIC = genanki.Model(1607392319, "Basic", fields=[{"name": "Front"}, {"name": "Back"}],
                      templates=[{"name": "Card 1", "qfmt": "{{Front}}",
                                  "afmt": "{{FrontSide}}<hr id=answer>{{Back}}"}])


def make_deck(tmp_path: Path, media: dict[str, bytes] | None = None) -> Path:
    """A deck as people make them: subdecks, tags, HTML fields, cloze notes and an image."""
    root = genanki.Deck(2059400110, "AWS")
    basics = genanki.Deck(2059400111, "AWS::Basics")
    storage = genanki.Deck(2059400112, "AWS::Storage::S3")
    root.add_note(genanki.Note(BASIC, ["What is the <b>shared responsibility</b> model?",
                                       "AWS secures the cloud;<br>you secure what is in it."],
                               tags=["security"]))
    basics.add_note(genanki.Note(BASIC, [
        "Which compute services exist?",
        "<ul><li>EC2</li><li>Lambda <i>(serverless)</i></li></ul><script>alert(1)</script>"
        '<img src="arch.png">'], tags=["compute", "basic"]))
    basics.add_note(genanki.Note(genanki.CLOZE_MODEL, [
        "{{c1::Lambda}} runs code without servers.", "Billed per millisecond."], tags=["lambda"]))
    storage.add_note(genanki.Note(genanki.CLOZE_MODEL, [
        "S3 offers {{c1::eleven nines::durability}} of durability in {{c2::every}} region.", ""]))
    storage.add_note(genanki.Note(BASIC, [
        "Name two storage classes.",
        "<table><tr><th>Class</th><th>For</th></tr><tr><td>Standard</td><td>hot data</td></tr>"
        '<tr><td>Glacier</td><td>archives</td></tr></table><img src="https://example.com/x.png">']))
    package = genanki.Package([root, basics, storage])
    folder = tmp_path / "media"
    folder.mkdir(exist_ok=True)
    for name, data in (media or {}).items():
        (folder / name).write_bytes(data)
    package.media_files = [str(folder / name) for name in (media or {})]
    path = tmp_path / "aws-deck.apkg"
    # genanki writes its collection to a temporary file it never removes: keep it in tmp_path
    scratch = tmp_path / "genanki"
    scratch.mkdir(exist_ok=True)
    real = tempfile.tempdir
    tempfile.tempdir = str(scratch)
    try:
        package.write_to_file(path)
    finally:
        tempfile.tempdir = real
    return path


def test_anki_deck_subdecks_cloze_tags_and_media(tmp_path):
    png = (FIXTURES / "readme" / "images" / "layers.png").read_bytes()
    deck = make_deck(tmp_path, {"arch.png": png})
    result, loaded = imported(tmp_path, deck, "--id", "aws")
    assert result.code == 0, result.err
    pack = loaded.pack
    assert pack.title == "AWS"
    assert [s.title for s in pack.sections] == ["AWS", "Basics", "Storage / S3"]
    shared, = pack.sections[0].questions
    assert shared.question == "What is the **shared responsibility** model?"
    assert shared.tags == ["security"]
    assert shared.answer[0].text == "AWS secures the cloud;\\\nyou secure what is in it."
    compute, cloze = pack.sections[1].questions
    assert compute.answer[0].list == ["EC2", "Lambda *(serverless)*"]
    assert compute.answer[1].image.src == "aws-images/0-arch.png"
    assert (tmp_path / "content" / "aws-images" / "0-arch.png").read_bytes() == png
    assert compute.tags == ["compute", "basic"]
    assert cloze.question == "\\_\\_\\_\\_\\_ runs code without servers."
    assert [b.value for b in cloze.answer] == ["Lambda", "Billed per millisecond."]
    s3, classes = pack.sections[2].questions
    assert s3.question == ("S3 offers \\_\\_\\_\\_\\_ (durability) of durability in "
                           "\\_\\_\\_\\_\\_ region.")
    assert s3.answer[0].list == ["eleven nines", "every"]
    assert classes.answer[0].table.columns == ["Class", "For"]
    assert classes.answer[0].table.rows == [["Standard", "hot data"], ["Glacier", "archives"]]
    text = (tmp_path / "content" / "aws.yaml").read_text(encoding="utf-8")
    assert "<" not in text and "alert" not in text and "example.com" not in text
    assert "note 5: warning: remote image https://example.com/x.png dropped" in result.err


def test_anki_deck_builds_with_the_blank_visible(tmp_path):
    deck = make_deck(tmp_path, {"arch.png": (FIXTURES / "readme" / "images" / "layers.png")
                                .read_bytes()})
    assert imported(tmp_path, deck, "--id", "aws")[0].code == 0
    out = tmp_path / "out"
    built = run_cli("--content", tmp_path / "content", "--output", out, "--edition",
                    "worksheet", "-q", "aws")
    assert built.code == 0, built.err
    text = normalize(pdf_text(out / "aws-worksheet.pdf"))
    assert "_____ runs code without servers." in text
    assert "Lambda" not in text.split("runs code without servers")[0].rsplit(".", 1)[-1]


def test_anki_media_that_is_not_an_image_is_dropped(tmp_path):
    deck = make_deck(tmp_path, {"arch.png": b"<html>not a picture</html>"})
    result, loaded = imported(tmp_path, deck)
    assert result.code == 0, result.err
    assert "note 2: warning: image src '0-arch.png' is not a PNG, JPEG, GIF or WebP image" \
        in result.err
    assert not (tmp_path / "content" / "aws-deck-images").exists()


def test_deck_studypack_wrote_imports_back_to_the_same_questions(tmp_path):
    out = tmp_path / "out"
    built = run_cli("--content", SEED_PACK.parent, "--output", out, "--edition", "anki", "-q",
                    "aws-lambda")
    assert built.code == 0, built.err
    result, back = imported(tmp_path, out / "aws-lambda.apkg", "--id", "again")
    assert result.code == 0, result.err
    original = load_pack(SEED_PACK)
    assert back.pack.title == original.pack.title
    # A deck holds questions: a section of context alone ("Why AWS?", with its chart) is not in it.
    assert [s.title for s in back.pack.sections] == [s.title for s in original.pack.sections
                                                     if s.questions]
    pairs = list(zip([q for s in original.pack.sections for q in s.questions],
                     [q for s in back.pack.sections for q in s.questions], strict=True))
    for before, after in pairs:
        assert after.question == before.question
        assert after.answer == before.answer
        assert after.key_points == before.key_points
        assert after.tags == [t.replace(" ", "_") for t in before.tags]


def _package(tmp_path: Path, members: dict[str, bytes]) -> Path:
    path = tmp_path / "crafted.apkg"
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def _collection_bytes(tmp_path: Path) -> bytes:
    deck = make_deck(tmp_path)
    with zipfile.ZipFile(deck) as archive:
        return archive.read("collection.anki2")


def test_newest_anki_format_is_refused_with_how_to_export(tmp_path):
    deck = _package(tmp_path, {"collection.anki2": _collection_bytes(tmp_path),
                               "collection.anki21b": b"\x28\xb5\x2f\xfd compressed", "media": b""})
    result, _ = imported(tmp_path, deck)
    assert result.code == 1
    assert "collection.anki21b" in result.err and "Support older Anki versions" in result.err
    assert files_in(tmp_path / "content") == []


@pytest.mark.parametrize("name", ["../evil.png", "/etc/evil", "media/../../x", "C:/x.png"])
def test_package_members_outside_the_package_are_refused(tmp_path, name):
    deck = _package(tmp_path, {"collection.anki2": _collection_bytes(tmp_path), "media": b"{}",
                               name: b"x"})
    result, _ = imported(tmp_path, deck)
    assert result.code == 1 and "outside the package; refused" in result.err
    assert files_in(tmp_path / "content") == []


def test_package_size_and_member_count_are_capped(tmp_path, monkeypatch):
    from studypack.importers import apkg

    deck = _package(tmp_path, {"collection.anki2": _collection_bytes(tmp_path), "media": b"{}",
                               **{str(i): b"x" for i in range(5)}})
    monkeypatch.setattr(apkg, "MAX_MEMBERS", 4)
    result, _ = imported(tmp_path, deck)
    assert result.code == 1 and "the package holds 7 files; at most 4 are read" in result.err
    monkeypatch.setattr(apkg, "MAX_MEMBERS", 100)
    monkeypatch.setattr(apkg, "MAX_TOTAL_BYTES", 1000)
    result, _ = imported(tmp_path, deck)
    assert result.code == 1 and "MiB are read" in result.err


@pytest.mark.parametrize("members, message", [
    (None, "not an Anki package (.apkg is a zip file)"),
    ({"media": b"{}"}, "holds no collection.anki2"),
    ({"collection.anki2": b"not sqlite at all" * 100}, "is not an Anki database"),
])
def test_broken_packages(tmp_path, members, message):
    if members is None:
        deck = tmp_path / "plain.apkg"
        deck.write_text("hello", encoding="utf-8")
    else:
        deck = _package(tmp_path, members)
    result, _ = imported(tmp_path, deck)
    assert result.code == 1 and message in result.err and "Traceback" not in result.err


def test_bold_and_q_colon_questions(tmp_path):
    result, loaded = imported(tmp_path, FIXTURES / "bold-questions.md")
    assert result.code == 0, result.err
    assert questions(loaded) == ["What is a closure?", "What does `===` compare?",
                                 "What is hoisting?"]
    assert loaded.pack.sections[0].questions[0].answer[0].text.startswith("A closure is")


def test_numbered_section_headings_are_sections(tmp_path):
    result, loaded = imported(tmp_path, FIXTURES / "numbered-sections.md")
    assert result.code == 0, result.err
    assert [s.title for s in loaded.pack.sections] == ["Basics", "Advanced"]
    assert questions(loaded) == ["What is a list comprehension?", "What is the GIL?",
                                 "What is a metaclass?"]
    assert ":19: warning: 'Summary' holds no questions: left out" in result.err


def test_wrapped_plain_text_joins_its_lines(tmp_path):
    result, loaded = imported(tmp_path, FIXTURES / "wrapped.txt")
    assert result.code == 0, result.err
    pack = loaded.pack
    assert pack.description == "This list covers the networking questions that come up most often."
    tcp, mask = pack.sections[0].questions
    assert tcp.answer[0].text == ("TCP is connection-oriented and reliable: it retransmits lost "
                                  "segments and keeps them in order.\n\nUDP sends datagrams with "
                                  "no guarantee.")
    assert mask.answer[1].list == ["/24 leaves 254 hosts", "/30 leaves 2 hosts"]


# --- multiple choice ----------------------------------------------------------------------------

def test_markdown_quiz_imports_as_multiple_choice(tmp_path):
    result, loaded = imported(tmp_path, FIXTURES / "quiz.md")
    assert result.code == 0, result.err
    commit, rewrite, stash = loaded.pack.sections[0].questions
    assert (commit.choices, commit.correct, commit.answer) == (
        ["git add", "git commit", "git push"], [2], [])
    assert (rewrite.correct, rewrite.answer[0].text) == (
        [1, 3], "Both make new commits in place of the old ones.")
    assert stash.choices is None and stash.answer[0].text.startswith("It shelves")
    out = tmp_path / "out"
    built = run_cli("--content", tmp_path / "content", "--output", out, "--edition", "answer-key",
                    "-q", "quiz")
    assert built.code == 0, built.err
    text = normalize(pdf_text(out / "quiz-answer-key.pdf"))
    assert "Answer: B" in text and "Answers: A, C" in text


def test_csv_choices_and_correct(tmp_path):
    source = tmp_path / "mc.csv"
    source.write_text("question,choices,correct,answer\n"
                      "Which is prime?,4;6;7,C,\n"
                      'Which are even?,"2; 3; 4","1;3",Two and four.\n', encoding="utf-8")
    result, loaded = imported(tmp_path, source)
    assert result.code == 0, result.err
    prime, even = loaded.pack.sections[0].questions
    assert (prime.choices, prime.correct, prime.answer) == (["4", "6", "7"], [3], [])
    assert (even.correct, even.answer[0].text) == ([1, 3], "Two and four.")
    source = tmp_path / "wrong.csv"
    source.write_text("question,choices,correct\nWhich?,a;b,maybe\nWhich?,a;b,5\n",
                      encoding="utf-8")
    result, _ = imported(tmp_path, source)
    assert result.code == 1
    assert ":2: expected the right choices as numbers from 1 or letters A to J" in result.err
    source.write_text("question,choices,correct\nWhich?,a;b,2\nWhich?,a;b,5\n", encoding="utf-8")
    result, _ = imported(tmp_path, source)
    assert result.code == 1
    assert any(line.split(": ", 1)[0].endswith("wrong.csv:3") and "correct" in line
               for line in result.err.splitlines()), result.err
    assert files_in(tmp_path / "content") == ["mc.yaml", "studypack.schema.json"]
