"""Typed, frozen objects of a pack: Pack, Section, Question and the blocks they hold."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Annotated, List, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

BLOCK_KINDS = ("text", "list", "table", "code", "chart", "image")


@dataclass(frozen=True)
class ContentError:
    """One problem in a content file, located for the author."""

    file: str
    line: int
    col: int
    message: str
    path: str = ""

    def __str__(self) -> str:
        where = f" ({self.path})" if self.path else ""
        return f"{self.file}:{self.line}:{self.col}: {self.message}{where}"


class ContentErrors(Exception):
    """Every problem found in one or more content files; raised once, after collecting."""

    def __init__(self, errors: list[ContentError]):
        super().__init__("\n".join(str(e) for e in errors))
        self.errors = errors


def _to_text(value: object) -> object:
    """Numbers in text positions print as written in the file (the loader hands scalars as text)."""
    if isinstance(value, bool | int | float):
        return str(value)
    return value


Markdown = Annotated[str, BeforeValidator(_to_text)]
Cell = Annotated[str, BeforeValidator(_to_text)]
Slug = Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]*$", max_length=80)]


class Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=False)


class Table(Model):
    """A table: column headings and rows of cells; the first cell of a row labels it."""

    caption: Markdown | None = Field(None, description="Caption above the table (markdown).")
    columns: list[Cell] = Field(min_length=1, description="Column headings, left to right.")
    rows: list[list[Cell]] = Field(
        min_length=1, description="Rows of cells (markdown), one cell per column.")
    worksheet: Literal["blank", "header", "header-and-first-column"] = Field(
        "header-and-first-column", description=(
            "What the worksheet prints of the table, the rest left to write in: "
            "`header-and-first-column` (where the first column frames the question), `header` "
            "(where the row labels are answers too), `blank` (an empty grid of its columns and "
            "rows, headings to fill in as well)."))


class Code(Model):
    """A code listing, printed as written in a monospaced font."""

    language: str | None = Field(None, description="Language of the code, e.g. python or bash.")
    text: str = Field(description="The code, as written (use a `|` block scalar).")


class Chart(Model):
    """A horizontal bar chart drawn from label: value pairs."""

    type: Literal["bar"] = Field("bar", description="Kind of chart; only bar charts exist.")
    caption: Markdown | None = Field(None, description="Caption under the chart (markdown).")
    unit: str = Field("", description="Unit printed after each value, e.g. % or ms.")
    data: dict[str, float] = Field(
        min_length=1, description="Bars in order: label: value (zero or more).")



class Image(Model):
    """A picture from a file inside the content folder."""

    src: str = Field(min_length=1, description=(
        "Image file relative to the pack file, inside the content folder (png, jpg, gif, svg, webp)."))
    alt: str = Field(min_length=1, description="What the image shows, for readers who cannot see it.")
    caption: Markdown | None = Field(None, description="Caption under the image (markdown).")


class Block(Model):
    """One item of a block list: a mapping with exactly one of the block keys."""

    model_config = ConfigDict(**Model.model_config,
                              json_schema_extra={"minProperties": 1, "maxProperties": 1})

    text: Markdown | None = Field(None, description="A paragraph or more of markdown.")
    list: List[Markdown] | None = Field(  # noqa: UP006 (field shadows list)
        default=None, min_length=1, description="A bulleted list: one markdown item each.")
    table: Table | None = Field(None, description="A table with columns and rows.")
    code: Code | None = Field(None, description="A code listing.")
    chart: Chart | None = Field(None, description="A bar chart.")
    image: Image | None = Field(None, description="A picture from the content folder.")

    @model_validator(mode="after")
    def _exactly_one(self) -> Block:
        given = [k for k in BLOCK_KINDS if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError(
                "a block has exactly one of the keys "
                + ", ".join(BLOCK_KINDS)
                + (f"; found {', '.join(given)}" if given else "; found none")
            )
        return self

    @property
    def kind(self) -> str:
        return next(k for k in BLOCK_KINDS if getattr(self, k) is not None)

    @property
    def value(self):
        return getattr(self, self.kind)


def _blocks(value: object) -> object:
    """A plain markdown string is shorthand for one text block."""
    if isinstance(value, str):
        return [{"text": value}]
    if isinstance(value, dict):
        return [value]
    return value


def _one_or_many(value: object) -> object:
    """`correct: 2` is short for `correct: [2]`."""
    return [value] if isinstance(value, str | int) else value


Blocks = Annotated[list[Block], BeforeValidator(
    _blocks, json_schema_input_type=Markdown | Block | list[Block])]


class Question(Model):
    """One interview question with its model answer."""

    model_config = ConfigDict(**Model.model_config, json_schema_extra={
        "anyOf": [{"required": ["answer"]}, {"required": ["choices", "correct"]}]})

    question: Markdown = Field(min_length=1, description="The question as asked (markdown).")
    answer: Blocks = Field(default_factory=list, min_length=1, description=(
        "The model answer: markdown text, or a list of blocks. Hidden on the worksheet, "
        "where writing space shaped like it takes its place. Required, but for a "
        "multiple-choice question, where it is the explanation of the right choice."))
    choices: list[Markdown] | None = Field(None, min_length=2, max_length=10, description=(
        "A multiple-choice question's choices (markdown), lettered A, B, C ... in print."))
    correct: Annotated[list[int], BeforeValidator(
        _one_or_many, json_schema_input_type=int | list[int])] | None = Field(
        None, min_length=1, description=(
            "The right choices, counted from 1 (e.g. 2 or [1, 3]); with `choices`."))
    id: Slug | None = Field(None, description=(
        "Stable id (letters, digits, - and _), unique in the pack; default: made from the question."))
    key_points: list[Markdown] = Field(default_factory=list, description=(
        "What a good answer must mention; the answer key's marking checklist."))
    points: int = Field(default=1, ge=0, le=1000, description="Marks the question is worth.")
    tags: list[Annotated[str, BeforeValidator(_to_text)]] = Field(
        default_factory=list, description="Labels for choosing questions, e.g. basic or practical.")
    lines: int | None = Field(default=None, ge=1, le=60, description=(
        "Ruled lines for the written answer on the worksheet; default: sized from the answer."))
    names: Annotated[str, Field(min_length=1, max_length=60)] | None = Field(None, description=(
        "What a list answer's slots ask for on the worksheet: `event sources` prints "
        "'Name 5 event sources:'; default: 'Name 5:'."))


class Section(Model):
    """A group of questions under one heading."""

    title: Markdown = Field(min_length=1, description="Section heading (markdown).")
    id: Slug | None = Field(None, description="Stable id; default: made from the title.")
    intro: Blocks = Field(default_factory=list, description=(
        "Context printed before the questions: markdown text, or a list of blocks."))
    questions: list[Question] = Field(default_factory=list, description="The section's questions.")


class Pack(Model):
    """A studypack content file: a titled pack of interview questions in sections."""

    title: Markdown = Field(min_length=1, description="Title on the cover and in the page header.")
    subtitle: Markdown | None = Field(None, description="A line under the title.")
    description: Markdown | None = Field(None, description="What the pack covers, on the cover.")
    source: Markdown | None = Field(None, description="Where the content comes from (credit).")
    author: Markdown | None = Field(None, description="Who wrote the pack; in the PDF metadata.")
    language: str = Field(default="en", pattern=r"^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$",
                          description="BCP 47 language tag of the content, e.g. en or pt-BR.")
    sections: list[Section] = Field(min_length=1, description="The sections, in order.")


def slugify(text: str, limit: int = 48) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    if len(slug) > limit:
        slug = slug[:limit].rsplit("-", 1)[0]
    return slug or "item"


@dataclass(frozen=True)
class Item:
    """A question as placed in one edition: its number and resolved id."""

    number: int
    id: str
    question: Question
    section_id: str


@dataclass(frozen=True)
class Part:
    """A section as placed in one edition, with the questions chosen for it."""

    id: str
    section: Section
    items: tuple[Item, ...]


@dataclass(frozen=True)
class LoadedPack:
    """A validated pack with its source file and resolved ids."""

    pack_id: str
    path: str
    pack: Pack
    section_ids: tuple[str, ...]
    question_ids: tuple[tuple[str, ...], ...]

    def parts(self) -> list[Part]:
        """Every section with every question, numbered through the pack."""
        parts, number = [], 0
        for section, sid, qids in zip(self.pack.sections, self.section_ids, self.question_ids):
            items = []
            for question, qid in zip(section.questions, qids):
                number += 1
                items.append(Item(number, qid, question, sid))
            parts.append(Part(sid, section, tuple(items)))
        return parts
