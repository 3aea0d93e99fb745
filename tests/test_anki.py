"""The Anki deck: one note per question, GUIDs from pack and question ids, the same file on rebuild."""

from __future__ import annotations

import sqlite3
import zipfile
from pathlib import Path

import genanki
import pytest

from conftest import run_cli, small_pack, write_pack, output_files
from studypack.anki import stable_id


def notes(apkg: Path, tmp_path: Path) -> list[dict]:
    with zipfile.ZipFile(apkg) as archive:
        assert set(archive.namelist()) >= {"collection.anki2", "media"}
        db = tmp_path / f"{apkg.stem}.anki2"
        db.write_bytes(archive.read("collection.anki2"))
    conn = sqlite3.connect(db)
    try:
        rows = conn.execute("SELECT guid, mid, tags, flds FROM notes ORDER BY sfld").fetchall()
        decks = conn.execute("SELECT decks FROM col").fetchone()[0]
        cards = conn.execute("SELECT count(*), count(DISTINCT did) FROM cards").fetchone()
    finally:
        conn.close()
    return [{"guid": g, "model": m, "tags": t.split(), "fields": f.split("\x1f"), "decks": decks,
             "cards": cards} for g, m, t, f in rows]


def pack_with_tricky_text() -> dict:
    pack = small_pack()
    first = pack["sections"][0]["questions"][0]
    first["tags"] = ["cold start", "osi"]
    first["question"] = "Name the layers of the <b>OSI</b> model."
    pack["sections"][1]["questions"][0]["answer"] = "DNS <script>alert(1)</script> maps **names**."
    return pack


@pytest.fixture
def decks(tmp_path):
    write_pack(tmp_path / "content", "net", pack_with_tricky_text())
    built = []
    for run in ("one", "two"):
        result = run_cli("--content", tmp_path / "content", "--output", tmp_path / run,
                         "--edition", "anki", "net")
        assert result.code == 0, result.err
        built.append(tmp_path / run / "net.apkg")
    return built


def test_one_note_per_question_with_stable_guids(decks, tmp_path):
    first, second = (notes(path, tmp_path) for path in decks)
    assert len(first) == 3
    assert [n["guid"] for n in first] == [n["guid"] for n in second]
    assert [n["guid"] for n in first] == [genanki.guid_for("net", qid)
                                         for qid in ("osi", "tcp-udp", "what-does-dns-do")]
    assert first[0]["cards"] == (3, 1)
    assert str(stable_id("studypack deck", "net")) in first[0]["decks"]
    assert {n["model"] for n in first} == {stable_id("studypack model", "net")}


def test_a_rebuild_is_byte_identical(decks):
    assert decks[0].read_bytes() == decks[1].read_bytes()


def test_fields_carry_question_answer_and_section_with_markup_escaped(decks, tmp_path):
    osi, tcp, dns = notes(decks[0], tmp_path)
    assert osi["fields"][0] == "Name the layers of the &lt;b&gt;OSI&lt;/b&gt; model."
    assert "<li>Physical</li>" in osi["fields"][1]
    assert osi["fields"][2] == "Layers"
    assert "<table" in tcp["fields"][1] and "Best effort" in tcp["fields"][1]
    assert "&lt;script&gt;" in dns["fields"][1] and "<script>" not in dns["fields"][1]
    assert "<strong>names</strong>" in dns["fields"][1]
    assert osi["tags"] == ["section::layers", "cold_start", "osi"]
    assert dns["tags"] == ["section::addressing"]


def test_a_variant_deck_holds_the_selection_under_the_same_ids(decks, tmp_path):
    result = run_cli("--content", tmp_path / "content", "--output", tmp_path / "v",
                     "--edition", "anki", "--count", "2", "net")
    assert result.code == 0, result.err
    variant = notes(tmp_path / "v" / "net-count-2.apkg", tmp_path)
    assert [n["guid"] for n in variant] == [n["guid"] for n in notes(decks[0], tmp_path)][:2]


def test_no_edition_builds_every_edition(tmp_path):
    write_pack(tmp_path / "content", "net", small_pack())
    result = run_cli("--content", tmp_path / "content", "--output", tmp_path / "out", "net")
    assert result.code == 0, result.err
    assert output_files(tmp_path / "out") == [
        "net-answer-key.pdf", "net-flashcards.pdf", "net-guide.pdf", "net-worksheet.pdf", "net.apkg"]


def test_images_in_answers_travel_as_media(tmp_path):
    import json

    from PIL import Image

    content = tmp_path / "content"
    content.mkdir()
    Image.new("RGB", (4, 4), "red").save(content / "dot.png")
    pack = small_pack()
    pack["sections"][1]["questions"][0]["answer"] = [{"text": "See the dot."},
                                                     {"image": {"src": "dot.png", "alt": "A dot"}}]
    write_pack(content, "net", pack)
    result = run_cli("--content", content, "--output", tmp_path / "out", "--edition", "anki", "net")
    assert result.code == 0, result.err
    apkg = tmp_path / "out" / "net.apkg"
    with zipfile.ZipFile(apkg) as archive:
        media = json.loads(archive.read("media"))
        assert list(media) == ["0"] and media["0"].startswith("studypack-net-")
        assert archive.read("0") == (content / "dot.png").read_bytes()
    dns = notes(apkg, tmp_path)[-1]
    assert f'<img src="{media["0"]}" alt="A dot">' in dns["fields"][1]
    assert "file:" not in dns["fields"][1]


def test_note_times_keep_unchanged_notes_and_move_edited_ones_later():
    from studypack.anki import note_times

    base = 1_700_000_000.0
    fresh = note_times({"a": "one", "b": "two"}, base, {})
    assert all(base <= t < base + 86_400 for t in fresh.values())
    assert fresh != note_times({"a": "one", "b": "edited"}, base, {})  # content moves the time
    previous = {"a": ("one", fresh["a"]), "b": ("two", base + 90_000)}
    again = note_times({"a": "one", "b": "edited"}, base, previous)
    assert again["a"] == fresh["a"]  # unchanged: the same time, the same bytes
    assert again["b"] == base + 90_001  # edited: later than before, whatever the base


def test_a_rebuilt_deck_dates_only_its_edited_notes_later(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    pack = small_pack()
    write_pack(tmp_path / "content", "net", pack)
    assert run_cli("--content", tmp_path / "content", "--output", tmp_path / "out",
                   "--edition", "anki").code == 0

    def times() -> dict[str, int]:
        with zipfile.ZipFile(tmp_path / "out" / "net.apkg") as archive:
            (tmp_path / "c.anki2").write_bytes(archive.read("collection.anki2"))
        conn = sqlite3.connect(tmp_path / "c.anki2")
        try:
            return dict(conn.execute("SELECT sfld, mod FROM notes").fetchall())
        finally:
            conn.close()

    before = times()
    pack["sections"][0]["questions"][0]["answer"] = "An edited answer."
    write_pack(tmp_path / "content", "net", pack)
    assert run_cli("--content", tmp_path / "content", "--output", tmp_path / "out",
                   "--edition", "anki").code == 0
    after = times()
    changed = [k for k in before if after[k] != before[k]]
    assert changed == [1] and after[1] > before[1]  # the sort field: question 1
