"""The coach's loop: score fields in the key, --record, --focus weak, --progress (real files)."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

import pytest
from pypdf import PdfReader, PdfWriter

from conftest import ROOT, normalize, pdf_text, run_cli, small_pack, write_pack
from studypack.load import load_pack


def three_sections() -> dict:
    pack = small_pack()
    pack["sections"].append({"title": "Routing", "id": "routing", "questions": [
        {"id": "bgp", "question": "What is BGP for?", "answer": "Routing between networks.",
         "points": 3},
        {"id": "ospf", "question": "What is OSPF?", "answer": "A link-state protocol."}]})
    return pack


@pytest.fixture(scope="module")
def coach(tmp_path_factory):
    """A content folder with one pack and its answer key, built once (variant seed-3)."""
    root = tmp_path_factory.mktemp("coach")
    content, out = root / "content", root / "out"
    write_pack(content, "networking", three_sections())
    result = run_cli("--content", content, "--output", out, "--edition", "answer-key",
                     "--seed", "3", "networking")
    assert result.code == 0, result.err
    return content, out / "networking-answer-key-seed-3.pdf"


def ids(content: Path) -> dict[str, int]:
    loaded = load_pack(content / "networking.yaml")
    return {qid: q.points for s, qids in zip(loaded.pack.sections, loaded.question_ids)
            for qid, q in zip(qids, s.questions)}


def fill(key: Path, target: Path, values: dict[str, str]) -> Path:
    """Fill fields as a viewer would."""
    writer = PdfWriter(clone_from=key)
    for page in writer.pages:
        writer.update_page_form_field_values(page, values, auto_regenerate=False)
    writer.write(target)
    return target


def rows(db: Path) -> list[tuple]:
    if not db.exists():
        return []
    with sqlite3.connect(db) as conn:
        return conn.execute(
            "SELECT candidate, pack, variant, question, points, maximum FROM sessions "
            "JOIN scores ON scores.session_id = sessions.id ORDER BY sessions.id, question").fetchall()


def test_the_key_has_a_score_field_per_question_a_candidate_field_and_its_identity(coach):
    content, key = coach
    reader = PdfReader(key)
    fields = reader.get_fields()
    assert set(fields) == {"candidate"} | {f"score.{qid}" for qid in ids(content)}
    assert all(field.get("/FT") == "/Tx" for field in fields.values())
    assert fields["candidate"].get("/V") in (None, "")
    assert reader.metadata["/studypackpack"] == "networking"
    assert reader.metadata["/studypackvariant"] == "seed-3"
    assert "Score: / 2" in normalize(pdf_text(key))


def test_the_fields_keep_the_key_pdf_ua_valid(coach):
    page = pytest.importorskip("page")
    report = page.validate_pdf(str(coach[1]), profile="ua1")
    assert report.is_compliant, [(f.rule_id, f.message) for f in report.failures]


def test_a_filled_key_is_recorded_with_everything_and_said_in_one_line(coach, tmp_path):
    content, key = coach
    db = tmp_path / "s.sqlite"
    filled = fill(key, tmp_path / "ana.pdf", {"score.osi": "1.5", "score.bgp": "3",
                                              "candidate": "Ana"})
    result = run_cli("--content", content, "--record", filled, "--candidate", "Ana", "--scores", db)
    assert result.code == 0, result.err
    assert result.out.count("\n") == 1 and "Ana" in result.out and "4.5/5 points" in result.out
    assert rows(db) == [("Ana", "networking", "seed-3", "bgp", 3.0, 3.0),
                        ("Ana", "networking", "seed-3", "osi", 1.5, 2.0)]
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 1
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        date = conn.execute("SELECT recorded_at FROM sessions").fetchone()[0]
    assert date[:10] == datetime.now(timezone.utc).date().isoformat()
    again = run_cli("--content", content, "--record", filled, "--candidate", "Ana", "--scores", db)
    assert again.code == 1 and "recorded for 'Ana' already" in again.err
    assert len(rows(db)) == 2
    replaced = run_cli("--content", content, "--record", filled, "--candidate", "Ana",
                       "--scores", db, "--replace")
    assert replaced.code == 0 and len(rows(db)) == 2
    assert content.joinpath("scores.sqlite").exists() is False  # --scores chose another


@pytest.mark.parametrize("values, message", [
    ({"score.osi": "3"}, "field score.osi: score 3 is above the question's 2 points"),
    ({"score.osi": "two"}, "field score.osi: 'two' is not a number"),
    ({"score.osi": "-1"}, "field score.osi: score -1 is below 0"),
    ({"score.osi": "1", "candidate": "Bo"}, "field candidate: the key names 'Bo'"),
    ({}, "no score is filled in"),
])
def test_bad_scores_store_nothing_and_name_the_field(coach, tmp_path, values, message):
    content, key = coach
    db = tmp_path / "s.sqlite"
    filled = fill(key, tmp_path / "bad.pdf", {"score.bgp": "2", **values} if values else {})
    result = run_cli("--content", content, "--record", filled, "--candidate", "Ana", "--scores", db)
    assert result.code == 1 and message in result.err and "nothing stored" in result.err
    assert "Traceback" not in result.err and rows(db) == []


def test_a_key_of_another_pack_or_of_questions_gone_is_refused(coach, tmp_path):
    content, key = coach
    filled = fill(key, tmp_path / "k.pdf", {"score.osi": "1", "score.bgp": "1"})
    other = tmp_path / "other"
    write_pack(other, "databases", small_pack(title="Databases"))
    result = run_cli("--content", other, "--record", filled, "--candidate", "A",
                     "--scores", tmp_path / "s.sqlite")
    assert result.code == 1 and "a key of pack 'networking'" in result.err
    assert run_cli("--content", content, "--record", filled, "--candidate", "A", "--scores",
                   tmp_path / "s.sqlite", "databases").code == 1
    changed = tmp_path / "changed"
    pack = three_sections()
    pack["sections"][2]["questions"][0]["id"] = "bgp-renamed"
    write_pack(changed, "networking", pack)
    gone = run_cli("--content", changed, "--record", filled, "--candidate", "A",
                   "--scores", tmp_path / "s.sqlite")
    assert gone.code == 1 and "field score.bgp: no such question in pack 'networking'" in gone.err
    assert rows(tmp_path / "s.sqlite") == []


def test_a_csv_is_recorded_and_its_errors_give_the_line(coach, tmp_path):
    content = coach[0]
    db = tmp_path / "s.sqlite"
    good = tmp_path / "good.csv"
    good.write_text("question,points\nosi,2\ntcp-udp,0\n", encoding="utf-8")
    assert run_cli("--content", content, "--record", good, "--candidate", "Bo", "--scores", db,
                   "networking").code == 0
    assert [r[3:] for r in rows(db)] == [("osi", 2.0, 2.0), ("tcp-udp", 0.0, 1.0)]
    bad = tmp_path / "bad.csv"
    bad.write_text("osi,1\nnope,1\nbgp,4\n", encoding="utf-8")
    result = run_cli("--content", content, "--record", bad, "--candidate", "Bo", "--scores", db,
                     "networking")
    assert result.code == 1
    assert f"{bad.name}:2: question 'nope': no such question" in result.err
    assert f"{bad.name}:3: question 'bgp': score 4 is above the question's 3 points" in result.err
    assert len(rows(db)) == 2
    assert run_cli("--content", content, "--record", good, "--candidate", "Bo",
                   "--scores", db).code == 2  # a CSV names its pack


def test_two_recordings_at_once_both_land(coach, tmp_path):
    content = coach[0]
    db = tmp_path / "s.sqlite"
    runs = []
    for n, name in enumerate(("Ana", "Bo", "Cy", "Di")):
        sheet = tmp_path / f"{name}.csv"
        sheet.write_text(f"osi,{n % 3}\nbgp,{n % 4}\n", encoding="utf-8")
        runs.append(subprocess.Popen(
            [sys.executable, "-m", "studypack", "--content", str(content), "--record", str(sheet),
             "--candidate", name, "--scores", str(db), "networking"],
            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True))
    for run in runs:
        out, err = run.communicate(timeout=60)
        assert run.returncode == 0, err
    assert sorted({r[0] for r in rows(db)}) == ["Ana", "Bo", "Cy", "Di"] and len(rows(db)) == 8


def test_a_database_of_a_newer_schema_is_refused(coach, tmp_path):
    db = tmp_path / "s.sqlite"
    with sqlite3.connect(db) as conn:
        conn.execute("PRAGMA user_version = 99")
    sheet = tmp_path / "a.csv"
    sheet.write_text("osi,1\n", encoding="utf-8")
    result = run_cli("--content", coach[0], "--record", sheet, "--candidate", "A", "--scores", db,
                     "networking")
    assert result.code == 1 and "schema version 99" in result.err


def record(db: Path, candidate: str, scores: dict[str, float], day: int, content: Path) -> None:
    from studypack.scores import Score, Sheet, connect, store

    points = ids(content)
    conn = connect(db)
    store(conn, candidate, Sheet("networking", "", f"sheet-{candidate}-{day}", tuple(
        Score(q, v, points[q]) for q, v in scores.items())),
        when=datetime(2026, 11, day, tzinfo=timezone.utc))
    conn.close()


def questions_of(path: Path) -> list[str]:
    import re

    return re.findall(r"\d+\. ([^(]+?) \(\d+ points?\)", normalize(pdf_text(path)))


def test_focus_weak_puts_the_lowest_latest_share_first_then_unscored_then_the_rest(coach, tmp_path):
    content = coach[0]
    db = tmp_path / "s.sqlite"
    record(db, "Ana", {"osi": 0, "bgp": 3, "tcp-udp": 0}, 1, content)
    record(db, "Ana", {"osi": 2, "bgp": 1}, 8, content)  # latest: osi full, bgp 1/3
    out = tmp_path / "out"
    result = run_cli("--content", content, "--output", out, "--scores", db, "--edition",
                     "worksheet", "--focus", "weak", "--candidate", "Ana", "--count", "3")
    assert result.code == 0, result.err
    sheet = out / "networking-worksheet-count-3-focus-weak-ana.pdf"
    # sections stay whole: the one holding the weakest question comes first
    assert questions_of(sheet) == ["Compare TCP and UDP.", "What is BGP for?", "What does DNS do?"]
    assert "variant count-3-focus-weak-ana" in normalize(pdf_text(sheet))
    whole = run_cli("--content", content, "--output", out, "--scores", db, "--edition",
                    "worksheet", "--focus", "weak", "--candidate", "Ana", "--section", "layers")
    assert whole.code == 0, whole.err
    [chosen] = [p for p in out.iterdir() if p.name.startswith("networking-worksheet-focus-weak-ana-sel")]
    assert questions_of(chosen) == ["Compare TCP and UDP.", "Name the layers of the OSI model."]


def test_focus_ties_follow_the_seed_reproducibly(coach, tmp_path):
    from studypack.focus import Focus
    from studypack.options import Selection
    from studypack.select import select

    content = coach[0]
    db = tmp_path / "s.sqlite"
    record(db, "Ana", {"bgp": 0}, 1, content)
    loaded = load_pack(content / "networking.yaml")

    def order(seed):
        parts = select(loaded, Selection(seed=seed, focus=Focus("Ana", db)))
        return [item.id for part in parts for item in part.items]

    assert order("1")[0] == "bgp" and order("1") == order("1")
    assert {tuple(order(str(s))) for s in range(8)} != {tuple(order("1"))}  # seeds differ
    assert order(None) == ["bgp", "ospf", "osi", "tcp-udp", "what-does-dns-do"]


def test_an_unknown_candidate_is_a_usage_error_listing_the_known(coach, tmp_path):
    db = tmp_path / "s.sqlite"
    record(db, "Ana", {"bgp": 0}, 1, coach[0])
    record(db, "Bo", {"bgp": 1}, 1, coach[0])
    result = run_cli("--content", coach[0], "--output", tmp_path / "o", "--scores", db,
                     "--focus", "weak", "--candidate", "Zed")
    assert result.code == 2 and "--candidate 'Zed'" in result.err and "Ana, Bo" in result.err
    assert run_cli("--content", coach[0], "--focus", "weak").code == 2  # no --candidate


def test_progress_draws_sections_per_session_the_trend_and_the_weakest(coach, tmp_path):
    import pikepdf

    content = coach[0]
    db = tmp_path / "s.sqlite"
    record(db, "Ana Lima", {"osi": 0, "bgp": 1, "tcp-udp": 0}, 1, content)
    record(db, "Ana Lima", {"osi": 2, "bgp": 2, "tcp-udp": 0}, 8, content)
    out = tmp_path / "out"
    result = run_cli("--content", content, "--output", out, "--scores", db, "--progress",
                     "--candidate", "Ana Lima")
    assert result.code == 0, result.err
    target = out / "networking-progress-ana-lima.pdf"
    text = normalize(pdf_text(target))
    assert "Progress of Ana Lima: 2 sessions" in text
    assert "Overall 17% in the first session, 67% in the latest (2 sessions): up 50" in text
    assert "Compare TCP and UDP. (tcp-udp) 0 / 1 2026-11-08" in text
    assert text.index("(tcp-udp)") < text.index("(bgp)")  # weakest first
    with pikepdf.open(target) as pdf:
        alts = [str(node.get("/Alt")) for node in _struct_nodes(pdf.Root.StructTreeRoot)
                if node.get("/S") == "/Figure" and "/Alt" in node]
    assert any("Layers: 2026-11-01 0%, 2026-11-08 67%" in alt and "Routing: 2026-11-01 33%" in alt
               for alt in alts), alts
    page = pytest.importorskip("page")
    assert page.validate_pdf(str(target), profile="ua1").is_compliant
    assert run_cli("--content", content, "--output", out, "--scores", db, "--progress",
                   "--candidate", "Nobody").code == 2


def _struct_nodes(node):
    import pikepdf

    if isinstance(node, pikepdf.Dictionary):
        yield node
        kids = node.get("/K")
        if kids is not None:
            yield from _struct_nodes(kids)
    elif isinstance(node, pikepdf.Array):
        for kid in node:
            yield from _struct_nodes(kid)


def test_form_fonts_map_every_glyph_to_real_text():
    from studypack.formfonts import INVALID, glyph_text

    mapping = glyph_text((ROOT / "templates" / "fonts" / "Lato-Regular.ttf").read_bytes())
    assert not any(INVALID & {ord(c) for c in text} for text in mapping.values())
    assert "ti" in mapping.values() and "A" in mapping.values()  # a ligature, from GSUB
