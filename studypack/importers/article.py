"""Articles (.md, .markdown, .txt): headings and part lines become sections, numbered questions
questions, and what follows each question, until the next, its answer."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from ..scaffold import title_for
from .draft import Draft, DraftQuestion, DraftSection, Problem, decode_utf8, merge_text
from .images import Images
from .text import TextReader

# `1. What is X?`, `1) ...`, `Q1. ...`, `Q1: ...`, `Question 1 - ...`; the question's text is `text`.
NUMBERED = re.compile(r"^(?:(?P<q>Q(?:uestion)?\s*#?\s*\d{1,4})\s*[.:)\-\u2013\u2014]?"
                      r"|\d{1,4}(?:\.\d{1,4})+\.?|\d{1,4}\s*[.):])\s+(?P<text>\S.*)$", re.IGNORECASE)
# `Q: What is X?`, `Question: ...`: a question mark without a number.
ASKED = re.compile(r"^(?:Q|Question)\s*[:.\-\u2013]\s+(?=\S)", re.IGNORECASE)
BOLD = re.compile(r"^(\*\*|__)(?P<inner>.+?)\1\s*$")
# `Answer:`, `**Answer:**`, `**Answer**:`, `A:` opening an answer: the question's layout says so.
ANSWER_MARK = re.compile(r"^\s*(?:\*\*|__)?(?:answer|ans\.?|a)(?:\*\*|__)?\s*:\s*(?:\*\*|__)?\s*",
                         re.IGNORECASE)
HTML_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?/?>|<!--.*?-->", re.DOTALL)
INLINE_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)")
DEFAULT_SECTION = "Questions"
# Question styles, strongest first: a document uses its strongest for its questions, so that a
# numbered list inside an answer stays a list when the questions are headings.
HEADING, MARKED, PLAIN = 3, 2, 1


@dataclass
class Piece:
    """One thing an article holds, in order: a heading, a question, or a block of an answer."""

    kind: str  # "heading", "question" or "block"
    line: int
    text: str = ""
    level: int = 0
    block: dict | None = None


def question_text(text: str) -> tuple[int, str] | None:
    """(style, question) when `text` (a heading's, a line's) asks a question, else None."""
    text = text.strip()
    bold = BOLD.match(text)
    marked = bool(bold)
    if bold:
        text = bold["inner"].strip()
    match = NUMBERED.match(text)
    if match:
        asked = match["text"].strip()
        for mark in ("**", "__"):  # `**1.** What is X?` leaves a dangling mark
            if asked.startswith(mark) and asked.count(mark) % 2:
                asked = asked[len(mark):].lstrip()
        if match["q"]:
            return MARKED, asked
        return (MARKED if marked else PLAIN), asked
    if ASKED.match(text):
        return MARKED, ASKED.sub("", text)
    if marked and text.endswith("?"):
        return MARKED, text
    return None


def strip_html(text: str, line: int, draft: Draft) -> str:
    """The text without HTML tags (their text kept), with a warning naming the line."""
    if not HTML_TAG.search(text):
        return text
    draft.warnings.append(Problem(line, "raw HTML dropped (only its text is kept)"))
    return HTML_TAG.sub("", text)


def read(source: Path, pack_id: str) -> Draft:
    text = decode_utf8(source.read_bytes())
    draft = Draft(title=title_for(pack_id))
    images = Images(draft, pack_id)
    if source.suffix.lower() == ".txt" and not _looks_like_markdown(text):
        title, pieces = TextReader(text, draft).pieces()
    else:
        from .markdown import MarkdownReader

        title, pieces = MarkdownReader(text, draft, images, source.parent).pieces()
    if title:
        draft.title = title
    assemble(pieces, draft)
    return draft


def _looks_like_markdown(text: str) -> bool:
    return bool(re.search(r"^(#{1,6}\s+\S|```|~~~|\|\s*:?-{3})", text, re.MULTILINE))


def assemble(pieces: list[Piece], draft: Draft) -> None:
    """Sections, questions and answers from the pieces, in the draft."""
    question_levels = [p.level for p in pieces if p.kind == "question" and p.level]
    section_levels = [p.level for p, after in zip(pieces, _next_structure(pieces))
                      if p.kind == "heading" and after == "question"]
    boundary = max(section_levels + ([min(question_levels)] if question_levels else []), default=0)
    prelude: list[Piece] = []
    section: DraftSection | None = None
    question: DraftQuestion | None = None
    for piece in pieces:
        if piece.kind == "question":
            if section is None:
                section = DraftSection(DEFAULT_SECTION, piece.line)
                draft.sections.append(section)
            question = DraftQuestion({"question": piece.text, "answer": []}, piece.line)
            section.questions.append(question)
            continue
        if piece.kind == "heading" and piece.level <= boundary:
            section, question = DraftSection(piece.text.rstrip(":"), piece.line), None
            draft.sections.append(section)
            continue
        block = piece.block if piece.kind == "block" else {"text": f"**{piece.text}**"}
        if question is not None:
            question.fields["answer"].append(block)
        elif section is not None:
            section.intro.append(block)
        else:
            prelude.append(piece)
    _finish(draft, prelude)


def _next_structure(pieces: list[Piece]) -> list[str]:
    """For each piece, the kind of the next heading or question after it ("" at the end)."""
    out, upcoming = [], ""
    for piece in reversed(pieces):
        out.append(upcoming)
        if piece.kind != "block":
            upcoming = piece.kind
    return out[::-1]


def _finish(draft: Draft, prelude: list[Piece]) -> None:
    texts = [p for p in prelude if p.kind == "block" and "text" in p.block]
    if texts:
        draft.description = texts[0].block["text"].split("\n\n")[0]
    left = [p for p in prelude if not texts or p is not texts[0]]
    if left and any(s.questions for s in draft.sections):
        draft.warnings.append(Problem(left[0].line, f"{len(left)} paragraph(s), list(s) or "
                                      "table(s) before the first section left out"))
    last = max((i for i, s in enumerate(draft.sections) if s.questions), default=-1)
    for index, section in enumerate(draft.sections):
        section.intro = merge_text(section.intro)
        if index == last + 1 and index < len(draft.sections) - 1:
            draft.warnings.append(Problem(section.line, f"{section.title!r} and everything after "
                                          "it left out: no more questions"))
        elif not section.questions and index <= last + 1:
            draft.warnings.append(Problem(section.line, f"{section.title!r} holds no questions: "
                                          "left out"))
        for question in section.questions:
            answer = merge_text(question.fields["answer"])
            if answer and "text" in answer[0]:
                rest = ANSWER_MARK.sub("", answer[0]["text"], count=1).strip()
                answer = ([{"text": rest}] if rest else []) + answer[1:]
            answer = _quiz(question.fields, answer)
            if not answer and "choices" not in question.fields:
                draft.problems.append(Problem(question.line, f"question {question.fields['question']!r} "
                                              "has no answer before the next question"))
            question.fields["answer"] = answer


QUIZ_ITEM = re.compile(r"^\[(?P<mark>[ xX])\]\s+(?P<text>\S.*)$", re.DOTALL)


def _quiz(fields: dict, answer: list[dict]) -> list[dict]:
    """A list of `[ ] wrong` / `[x] right` items in an answer: the question's choices."""
    for index, block in enumerate(answer):
        items = [QUIZ_ITEM.match(item) for item in block.get("list", [])]
        if 2 <= len(items) <= 10 and all(items) and any(m["mark"] != " " for m in items):
            fields["choices"] = [m["text"].strip() for m in items]
            fields["correct"] = [n for n, m in enumerate(items, 1) if m["mark"] != " "]
            return answer[:index] + answer[index + 1:]
    return answer
