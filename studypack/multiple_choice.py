"""Multiple-choice questions: their checks with positions, their letters and their answer lines."""

from __future__ import annotations

import difflib
import re

from .model import Block, Question
from .suggest import SYNONYMS
from .yamlread import Loc, Source, key_text

LETTERS = "ABCDEFGHIJ"  # at most 10 choices
# A choice that speaks of the others ("All of the above", "Neither") keeps its place when the
# choices are shuffled: moved to the top, it would no longer mean what it says.
_ABOUT_THE_OTHERS = re.compile(
    r"\b(of|than) (the|these) (above|others)\b|^\W*(both|neither|none)\b(?! of (us|them)\b)",
    re.IGNORECASE)


def letter(number: int) -> str:
    """The letter of choice `number` (from 1): A, B, C ..."""
    return LETTERS[number - 1]


def answer_line(question: Question) -> str:
    """`Answer: D`, or `Answers: A, C` when several choices are right."""
    letters = [letter(n) for n in sorted(question.correct or ())]
    return f"Answer{'s' if len(letters) > 1 else ''}: {', '.join(letters)}"


def instruction(question: Question) -> str:
    return "Choose one:" if len(question.correct or ()) == 1 else "Choose all that apply:"


def stays_in_place(choice: str) -> bool:
    """Whether a choice refers to the other choices, so that shuffling must not move it."""
    return bool(_ABOUT_THE_OTHERS.search(choice))


def shuffled(question: Question, rng) -> Question:
    """The question with its choices in the order `rng` gives, `correct` following them."""
    if not question.choices:
        return question
    numbers = list(range(1, len(question.choices) + 1))
    movable = [n for n in numbers if not stays_in_place(question.choices[n - 1])]
    order = movable[:]
    rng.shuffle(order)
    moved = iter(order)
    new_order = [next(moved) if n in movable else n for n in numbers]  # new position -> old number
    position = {old: new for new, old in enumerate(new_order, 1)}
    return question.model_copy(update={
        "choices": [question.choices[old - 1] for old in new_order],
        "correct": sorted(position[n] for n in question.correct or ()),
    })


def answer_blocks(question: Question) -> list[Block]:
    """The right choice(s) as blocks that lead the answer on a card's back: `Answer: B` and
    the choice's text; several right choices as a list."""
    if not question.choices:
        return []
    right = sorted(question.correct or ())
    if len(right) == 1:
        return [Block(text=f"**{answer_line(question)}.** {question.choices[right[0] - 1]}")]
    return [Block(text=f"**{answer_line(question)}**"),
            Block(list=[f"{letter(n)}. {question.choices[n - 1]}" for n in right])]


def _label(number: int) -> str:
    return letter(number) if number <= len(LETTERS) else str(number)


def _given(question: dict, key: str) -> bool:
    """Whether `key` is in the question, or meant by a misspelt key (reported on its own)."""
    if key in question:
        return True
    fields = list(Question.model_fields)
    for unknown in (k for k in question if isinstance(k, str) and k not in fields):
        # As the loader suggests a key for an unknown one: a synonym, else the closest spelling.
        meant = SYNONYMS.get(unknown.lower())
        if meant not in fields:
            meant = next(iter(difflib.get_close_matches(unknown, fields, n=1, cutoff=0.6)), None)
        if meant == key:
            return True
    return False


def _number(value: object) -> int | None:
    try:
        return int(str(value).strip())
    except ValueError:
        return None


def check_question(question: dict, loc: Loc, src: Source) -> None:
    """The rules of answer, choices and correct that the schema cannot express, with positions.

    Types, and the number of choices, are the model's to report; these checks skip values of
    the wrong type so that each mistake is told once."""
    if "answer" in question and "choices" not in question and "correct" not in question:
        return  # the common case, a question with a written answer: nothing to check here
    choices, correct = question.get("choices"), question.get("correct")
    is_choice = _given(question, "choices")
    if not is_choice and not _given(question, "answer"):
        keys = ", ".join(map(key_text, question))
        src.error(loc, f"missing required key 'answer': {'found only ' + keys if keys else 'found none'}")
    if "correct" in question and not is_choice:
        src.error(loc + ("correct",), "'correct' counts the question's choices, but it has no "
                  "'choices': add them (2 to 10) or remove 'correct'", at_key=True)
    if not isinstance(choices, list):
        return
    seen: dict[str, int] = {}
    for index, choice in enumerate(choices):
        if isinstance(choice, str | int | float) and not isinstance(choice, bool):
            text = " ".join(str(choice).split()).lower()
            if text in seen:
                src.error(loc + ("choices", index), f"choice {_label(index + 1)} repeats choice "
                          f"{_label(seen[text] + 1)}; each choice says something different")
            else:
                seen[text] = index
    if not _given(question, "correct"):
        src.error(loc, "missing required key 'correct': which of the choices are right, "
                       "counted from 1, e.g. `correct: 2` or `correct: [1, 3]`")
        return
    numbers = correct if isinstance(correct, list) else [correct]
    counted: dict[int, int] = {}
    for index, value in enumerate(numbers):
        where = loc + (("correct", index) if isinstance(correct, list) else ("correct",))
        number = _number(value)
        if number is None:
            continue  # not a whole number: the model says so
        if not 1 <= number <= len(choices):
            src.error(where, f"expected a choice number from 1 to {len(choices)} (the question "
                             f"has {len(choices)} choices, counted from 1), found {number}")
        elif number in counted:
            src.error(where, f"choice {number} is already given in 'correct' (item "
                             f"{counted[number] + 1}); give each right choice once")
        else:
            counted[number] = index


def letter_hint(loc: Loc, value: object) -> str:
    """For `correct: B`: the number the letter stands for, as a hint after the type error."""
    if "correct" in loc and isinstance(value, str) and value.strip().upper() in LETTERS \
            and len(value.strip()) == 1:
        return f" (choices are counted from 1: {value.strip().upper()} is " \
               f"{LETTERS.index(value.strip().upper()) + 1})"
    return ""


TEMPLATE_GLOBALS = {"choice_letter": letter, "choice_answer": answer_line,
                    "choice_instruction": instruction, "choice_answer_blocks": answer_blocks}
