"""Multiple-choice questions: lettered choices in every edition, marked only where answers are shown,
shuffled by --seed with the key's letters following, and every mistake located."""

from __future__ import annotations

import random
import re

import pytest
from pypdf import PdfReader

from conftest import normalize, pdf_text, run_cli, write_pack
from test_anki import notes
from studypack.load import load_pack
from studypack.multiple_choice import answer_line, shuffled
from studypack.model import Question

TIMEOUT = ["A minute", "Five minutes", "Fifteen minutes", "One hour"]
TRIGGERS = ["Amazon S3", "Amazon SQS", "A floppy disk", "Amazon API Gateway", "None of the above"]
EXPLANATION = "Since 2018 a function may run for up to nine hundred seconds."


def quiz_pack() -> dict:
    return {"title": "Cloud Quiz", "sections": [{"title": "Lambda", "questions": [
        {"id": "timeout", "question": "What is the longest a Lambda function may run?",
         "choices": TIMEOUT, "correct": 3, "answer": EXPLANATION,
         "key_points": ["Nine hundred seconds"]},
        {"id": "triggers", "question": "Which services invoke a function directly?",
         "choices": TRIGGERS, "correct": [1, 2, 4], "points": 2},
        {"id": "prose", "question": "What is a cold start?",
         "answer": "The delay while Lambda prepares a new execution environment."},
    ]}, {"title": "More", "questions": [
        {"id": f"q{n}", "question": f"Pick the word number {n}.",
         "choices": [f"word{n}-{k}" for k in range(1, 7)], "correct": [n]} for n in range(1, 5)
    ]}]}


@pytest.fixture(scope="module")
def quiz(tmp_path_factory):
    root = tmp_path_factory.mktemp("quiz")
    write_pack(root / "content", "quiz", quiz_pack())
    result = run_cli("--content", root / "content", "--output", root / "out", "quiz")
    assert result.code == 0, result.err
    return root / "out"


def text_of(path) -> str:
    return normalize(pdf_text(path))


def lettered(text: str, choices: list[str]) -> dict[str, str]:
    """Choice text -> the letter printed before it."""
    found = {}
    for choice in choices:
        match = re.search(r"\b([A-J])\. " + re.escape(choice) + r"(?!\S)", text)
        assert match, (choice, text[:400])
        found[choice] = match[1]
    return found


def test_the_worksheet_letters_the_choices_with_boxes_and_shows_no_answer(quiz):
    text = text_of(quiz / "quiz-worksheet.pdf")
    assert "Choose one: A. A minute B. Five minutes C. Fifteen minutes D. One hour" in text
    assert ("Choose all that apply: A. Amazon S3 B. Amazon SQS C. A floppy disk "
            "D. Amazon API Gateway E. None of the above") in text
    assert "Answer" not in text and "✓" not in text and "nine hundred" not in text


def test_the_answer_key_marks_the_right_choices_and_names_their_letters(quiz):
    text = text_of(quiz / "quiz-answer-key.pdf")
    assert "✓ C. Fifteen minutes" in text and "Answer: C" in text
    assert "✓ A. Amazon S3 ✓ B. Amazon SQS C. A floppy disk ✓ D. Amazon API Gateway" in text
    assert "Answers: A, B, D" in text
    assert text.count("✓") == 1 + 3 + 4
    assert EXPLANATION in text and "Listen for:" in text and "Nine hundred seconds" in text
    for n in range(1, 5):
        assert f"Answer: {'ABCD'[n - 1]}" in text


def test_the_guide_shows_the_right_choice_and_the_explanation(quiz):
    text = text_of(quiz / "quiz-guide.pdf")
    assert "✓ C. Fifteen minutes D. One hour Answer: C " + EXPLANATION in text
    assert "Answers: A, B, D" in text
    assert "Choose one" not in text  # the guide teaches; it asks nothing


def test_flashcards_show_the_choices_on_the_front_and_the_answer_on_the_back(quiz):
    pages = [normalize(page.extract_text()) for page in PdfReader(quiz / "quiz-flashcards.pdf").pages]
    front, back = pages[0], pages[1]
    assert "Choose one: A. A minute B. Five minutes C. Fifteen minutes D. One hour" in front
    assert "Answer" not in front and "nine hundred" not in front
    assert "Answer: C. Fifteen minutes" in back and EXPLANATION in back
    assert "Answers: A, B, D A. Amazon S3 B. Amazon SQS D. Amazon API Gateway" in back


def test_the_anki_deck_asks_with_the_choices_and_answers_with_the_letter(quiz, tmp_path):
    by_question = {n["fields"][0].split("<")[0]: n["fields"] for n in notes(quiz / "quiz.apkg", tmp_path)}
    front, back, _ = by_question["What is the longest a Lambda function may run?"]
    assert re.findall(r'class="choice-letter">([A-D])\.</span> ([^<]+)</li>', front) == list(
        zip("ABCD", TIMEOUT))
    assert "Answer" not in front
    assert "<strong>Answer: C.</strong> Fifteen minutes" in back and EXPLANATION in back


def build_variant(tmp_path, seed: str):
    out = tmp_path / f"seed-{seed}"
    result = run_cli("--content", tmp_path / "content", "--output", out, "--seed", seed,
                     "--edition", "worksheet", "--edition", "answer-key", "quiz")
    assert result.code == 0, result.err
    return (text_of(out / f"quiz-worksheet-seed-{seed}.pdf"),
            text_of(out / f"quiz-answer-key-seed-{seed}.pdf"))


def key_letters(key: str, question: str) -> list[str]:
    after = key[key.index(question):]
    return re.search(r"Answers?: ([A-J](?:, [A-J])*)", after)[1].split(", ")


def test_a_seeded_variant_shuffles_the_choices_and_its_key_follows(tmp_path):
    write_pack(tmp_path / "content", "quiz", quiz_pack())
    worksheet, key = build_variant(tmp_path, "7")
    sheet_timeout = worksheet[worksheet.index("longest a Lambda"):]
    letters = lettered(sheet_timeout, TIMEOUT)
    assert key_letters(key, "longest a Lambda") == [letters["Fifteen minutes"]]
    sheet_triggers = worksheet[worksheet.index("invoke a function"):]
    letters = lettered(sheet_triggers, TRIGGERS)
    assert key_letters(key, "invoke a function") == sorted(
        letters[c] for c in ("Amazon S3", "Amazon SQS", "Amazon API Gateway"))
    assert letters["None of the above"] == "E"  # it speaks of the others: it stays last
    shuffled_somewhere = False
    for n in range(1, 5):
        words = [f"word{n}-{k}" for k in range(1, 7)]
        placed = lettered(worksheet[worksheet.index(f"word number {n}."):], words)
        assert key_letters(key, f"word number {n}.") == [placed[f"word{n}-{n}"]]
        shuffled_somewhere |= [placed[w] for w in words] != list("ABCDEF")
    assert shuffled_somewhere
    assert build_variant(tmp_path, "7") == (worksheet, key)  # the same seed, the same letters
    assert build_variant(tmp_path, "8")[0] != worksheet


def test_shuffling_moves_correct_with_the_choices_and_keeps_references_in_place():
    question = Question(question="Q?", choices=["a", "b", "c", "d", "All of the above"],
                        correct=[2, 5])
    for seed in range(30):
        mixed = shuffled(question, random.Random(seed))
        assert sorted(mixed.choices) == sorted(question.choices)
        assert mixed.choices[4] == "All of the above"
        assert {mixed.choices[n - 1] for n in mixed.correct} == {"b", "All of the above"}
    assert answer_line(question) == "Answers: B, E"
    assert answer_line(Question(question="Q?", choices=["x", "y"], correct=[1])) == "Answer: A"


BAD = """\
title: Bad
sections:
  - title: S
    questions:
      - question: Out of range?
        choices: [a, b, c]
        correct: [4, 2, 2]
      - question: A letter?
        choices: [a, b]
        correct: B
      - question: One choice?
        choices: [a]
        correct: 1
      - question: No correct?
        choices: [a, b, A]
      - question: No choices?
        correct: 1
        answer: x
      - question: Misspelt?
        choises: [a, b]
        correct: 1
      - question: Nothing?
      - question: Too many?
        choices: [a, b, c, d, e, f, g, h, i, j, k]
        correct: [1]
      - question: Empty?
        choices: [a, b]
        correct: []
"""


def test_every_mistake_is_located_and_told_once(tmp_path):
    write_pack(tmp_path / "content", "bad", BAD)
    result = run_cli("--content", tmp_path / "content", "--output", tmp_path / "out", "bad")
    assert result.code == 1
    q = "(sections[0].questions[{}]{})".format
    lines = [line.split("bad.yaml:", 1)[1] for line in result.err.splitlines() if "bad.yaml:" in line]
    assert lines == [
        "7:19: expected a choice number from 1 to 3 (the question has 3 choices, counted from 1), "
        "found 4 " + q(0, ".correct[0]"),
        "7:25: choice 2 is already given in 'correct' (item 2); give each right choice once "
        + q(0, ".correct[2]"),
        "10:18: expected a whole number, found 'B' (choices are counted from 1: B is 2) "
        + q(1, ".correct[0]"),
        "12:18: expected at least 2 choices, found a list " + q(2, ".choices"),
        "14:9: missing required key 'correct': which of the choices are right, counted from 1, "
        "e.g. `correct: 2` or `correct: [1, 3]` " + q(3, ""),
        "15:25: choice C repeats choice A; each choice says something different "
        + q(3, ".choices[2]"),
        "17:9: 'correct' counts the question's choices, but it has no 'choices': add them "
        "(2 to 10) or remove 'correct' " + q(4, ".correct"),
        "20:9: unknown key 'choises'; did you mean 'choices'? " + q(5, ".choises"),
        "22:9: missing required key 'answer': found only question " + q(6, ""),
        "24:18: expected at most 10 choices, found 11 " + q(7, ".choices"),
        "28:18: expected at least 1 right choice, found an empty list " + q(8, ".correct"),
    ]
    assert "Traceback" not in result.err
    assert not (tmp_path / "out").exists()


def test_a_multiple_choice_question_needs_no_answer_and_gets_no_lines_unless_asked(tmp_path):
    pack = quiz_pack()
    pack["sections"][0]["questions"][1]["lines"] = 3
    loaded = load_pack(write_pack(tmp_path, "quiz", pack))
    from studypack.writing_space import writing_space

    timeout, triggers = loaded.pack.sections[0].questions[:2]
    assert timeout.answer and triggers.answer == []
    assert writing_space(timeout) == []
    assert [(s.kind, s.count) for s in writing_space(triggers)] == [("lines", 3)]


def test_the_starter_pack_shows_a_multiple_choice_question_with_a_picture(tmp_path):
    assert run_cli("--content", tmp_path / "content", "--new", "starter").code == 0
    result = run_cli("--content", tmp_path / "content", "--output", tmp_path / "out",
                     "--edition", "worksheet", "--edition", "answer-key", "starter")
    assert result.code == 0, result.err
    sheet = text_of(tmp_path / "out" / "starter-worksheet.pdf")
    assert ("Which box comes second in this picture? (1 point) Choose one: A. Question "
            "B. Your answer C. Key points D. None of the above") in sheet
    key = text_of(tmp_path / "out" / "starter-answer-key.pdf")
    assert "✓ B. Your answer" in key and "Answer: B" in key
    with PdfReader(tmp_path / "out" / "starter-worksheet.pdf") as reader:
        assert any(page.images for page in reader.pages)  # the picture in the question


def test_a_synonym_for_choices_is_suggested_and_not_reported_again(tmp_path):
    write_pack(tmp_path, "syn", "title: T\nsections:\n  - title: S\n    questions:\n"
                                "      - question: Which?\n        options: [a, b]\n        correct: 2\n")
    result = run_cli("--content", tmp_path, "--check", "syn")
    assert result.code == 1
    assert [line.split("syn.yaml:", 1)[1] for line in result.err.splitlines() if "syn.yaml:" in line] \
        == ["6:9: unknown key 'options'; did you mean 'choices'? (sections[0].questions[0].options)"]
