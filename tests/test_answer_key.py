"""The coach's answer key: tick boxes, points, worksheet pages that are right, a one-page score grid."""

from __future__ import annotations

import re

from conftest import SEED_PACK, normalize, run_cli
from fast_text import page_texts as raw_page_texts
from studypack.load import load_pack


def page_texts(path) -> list[str]:
    return [normalize(text) for text in raw_page_texts(path)]


def worksheet_page_of(texts: list[str], number: int, question: str) -> int:
    heading = f"{number}. {question}"
    return next(i for i, text in enumerate(texts, 1) if heading in text)


def check_pages(key_path, worksheet_path, count: int) -> None:
    key = " ".join(page_texts(key_path))
    sheet = page_texts(worksheet_path)
    found = re.findall(r"(\d+)\. ([^()]+?) \(\d+ points?\) Worksheet page (\d+)", key)
    assert [int(n) for n, _, _ in found] == list(range(1, count + 1))
    for number, question, page in found:
        assert worksheet_page_of(sheet, int(number), question) == int(page), (number, question)


def test_each_question_gives_its_worksheet_page(seed_build):
    check_pages(seed_build / "aws-lambda-answer-key.pdf", seed_build / "aws-lambda-worksheet.pdf", 20)


def test_worksheet_pages_follow_the_variant(tmp_path):
    result = run_cli("--content", SEED_PACK.parent, "--output", tmp_path, "--seed", "7",
                     "--section", "advanced", "--edition", "worksheet", "--edition", "answer-key",
                     "aws-lambda")
    assert result.code == 0, result.err
    (key,) = tmp_path.glob("aws-lambda-answer-key-seed-7-sel-*.pdf")
    check_pages(key, tmp_path / key.name.replace("answer-key", "worksheet"), 5)


def test_the_score_grid_is_one_page_with_every_question_and_the_total(seed_build):
    texts = page_texts(seed_build / "aws-lambda-answer-key.pdf")
    grid = texts[-1]
    assert "Score grid" in grid and all("Score grid" not in t for t in texts[:-1])
    loaded = load_pack(SEED_PACK, "aws-lambda.yaml")
    items = [item for part in loaded.parts() for item in part.items]
    total = sum(item.question.points for item in items)
    rows = re.findall(r"(\d+) (.+?) (\d+)(?= \d+ |\s*Total)", grid[grid.index("Points Score") + 12:])
    assert [int(n) for n, _, _ in rows] == [item.number for item in items]
    assert [int(p) for _, _, p in rows] == [item.question.points for item in items]
    assert f"Total: / {total} points" in grid


def test_key_points_are_tick_boxes_with_points_and_a_score_box(seed_build):
    from studypack.render import make_environment, render_html, RenderOptions

    loaded = load_pack(SEED_PACK, "aws-lambda.yaml")
    html = render_html(make_environment(), loaded, loaded.parts(), "answer-key", RenderOptions(),
                       worksheet_pages={1: 3})
    first = html[html.index('id="q-1"'):html.index('id="q-2"')]
    points = loaded.pack.sections[1].questions[0].key_points
    assert first.count('<span class="box"></span>') == len(points) > 0
    assert "Worksheet page 3" in first
    assert 'name="score.what-is-lambda"' in first and '> / 1</p>' in first
    text = " ".join(page_texts(seed_build / "aws-lambda-answer-key.pdf"))
    assert "Listen for:" in text and "Score: / 1" in text


def test_a_long_pack_splits_the_grid_into_two_columns_on_one_page(tmp_path):
    from conftest import write_pack

    questions = [{"question": f"Question {n} with a fairly long wording to be shortened in the grid?",
                  "answer": "Yes.", "points": 2} for n in range(1, 61)]
    write_pack(tmp_path / "content", "long", {"title": "Long", "sections": [
        {"title": "All", "questions": questions}]})
    result = run_cli("--content", tmp_path / "content", "--output", tmp_path / "out",
                     "--edition", "answer-key", "long")
    assert result.code == 0, result.err
    texts = page_texts(tmp_path / "out" / "long-answer-key.pdf")
    assert "Score grid" in texts[-1] and "Score grid" not in texts[-2]
    assert "Total: / 120 points" in texts[-1]
    assert all(f" {n} Question {n} " in texts[-1] for n in (1, 30, 31, 60))


def test_the_key_reuses_the_worksheet_layout_of_the_same_build(tmp_path, monkeypatch):
    """Built together, the worksheet is laid out once: the key takes its pages from it."""
    from studypack import pdf

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    laid_out_again = []
    real = pdf.render_document
    monkeypatch.setattr(pdf, "render_document",
                        lambda html, root, *rest: laid_out_again.append(html) or real(html, root,
                                                                                    *rest))
    result = run_cli("--content", SEED_PACK.parent, "--output", tmp_path, "--jobs", "1",
                     "--edition", "answer-key", "--edition", "worksheet", "aws-lambda")
    assert result.code == 0, result.err
    assert laid_out_again == []
    check_pages(tmp_path / "aws-lambda-answer-key.pdf", tmp_path / "aws-lambda-worksheet.pdf", 20)
    # the key alone lays its worksheet out, and gives the same pages
    alone = tmp_path / "alone"
    assert run_cli("--content", SEED_PACK.parent, "--output", alone, "--jobs", "1",
                   "--edition", "answer-key", "aws-lambda").code == 0
    assert len(laid_out_again) == 1
    assert (alone / "aws-lambda-answer-key.pdf").read_bytes() == \
        (tmp_path / "aws-lambda-answer-key.pdf").read_bytes()


def test_a_new_build_never_takes_page_numbers_kept_from_an_earlier_one(tmp_path, monkeypatch):
    """--watch builds again in one process, and an image may change behind the same HTML: page
    maps live in a render session, which lives as long as one build."""
    from studypack import session as sessions
    from studypack.options import build_date
    from studypack.render import RenderOptions, render_html

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    loaded = load_pack(SEED_PACK)
    options = RenderOptions(build_date=build_date())
    with sessions.RenderSession() as session:
        html = render_html(session.env, loaded, loaded.parts(), "worksheet", options)
        session.remember(html, {f"q-{n}": 99 for n in range(1, 21)})  # every question on 99
        assert session.question_pages(loaded, loaded.parts(), "worksheet", options,
                                      SEED_PACK.parent)[1] == 99  # reused within the session
    made = []
    real = sessions.RenderSession

    class Recorded(real):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            made.append(self)

    monkeypatch.setattr(sessions, "RenderSession", Recorded)
    assert run_cli("--content", SEED_PACK.parent, "--output", tmp_path, "--jobs", "1",
                   "--edition", "answer-key", "aws-lambda").code == 0
    assert "Worksheet page 99" not in " ".join(page_texts(tmp_path / "aws-lambda-answer-key.pdf"))
    assert run_cli("--content", SEED_PACK.parent, "--output", tmp_path, "--jobs", "1",
                   "--edition", "worksheet", "aws-lambda").code == 0
    assert len(made) == 2 and made[0] is not made[1]  # one session per build
    assert all(not s._page_maps and s.stylesheets.font_config is None for s in made)  # closed
    check_pages(tmp_path / "aws-lambda-answer-key.pdf", tmp_path / "aws-lambda-worksheet.pdf", 20)


def test_building_the_key_prints_no_line_of_fonttools(tmp_path):
    """The key's form fields embed a font whole, which WeasyPrint reads with fontTools; its
    "'created' timestamp seems very low" about the font file is not the user's business. Run as
    the command runs, so that what reaches stderr is what a user sees."""
    import subprocess
    import sys

    from conftest import ROOT

    done = subprocess.run([sys.executable, str(ROOT / "build.py"), "--output", str(tmp_path),
                           "--edition", "answer-key", "--jobs", "1", "aws-lambda"],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "timestamp" not in done.stderr and "fontTools" not in done.stderr, done.stderr
