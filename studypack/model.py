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
    caption: Markdown | None = None
    columns: list[Cell] = Field(min_length=1)
    rows: list[list[Cell]] = Field(min_length=1)


class Code(Model):
    language: str | None = None
    text: str


class Chart(Model):
    type: Literal["bar"] = "bar"
    caption: Markdown | None = None
    unit: str = ""
    data: dict[str, float] = Field(min_length=1)

    @property
    def maximum(self) -> float:
        return max(max(self.data.values()), 0.0) or 1.0


class Image(Model):
    src: str = Field(min_length=1)
    alt: str = Field(min_length=1)
    caption: Markdown | None = None


class Block(Model):
    """One item of a block list: a mapping with exactly one of the block keys."""

    text: Markdown | None = None
    list: List[Markdown] | None = Field(default=None, min_length=1)  # noqa: UP006 (field shadows list)
    table: Table | None = None
    code: Code | None = None
    chart: Chart | None = None
    image: Image | None = None

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


Blocks = Annotated[list[Block], BeforeValidator(_blocks)]


class Question(Model):
    question: Markdown = Field(min_length=1)
    answer: Blocks = Field(min_length=1)
    id: Slug | None = None
    key_points: list[Markdown] = Field(default_factory=list)
    points: int = Field(default=1, ge=0, le=1000)
    tags: list[Annotated[str, BeforeValidator(_to_text)]] = Field(default_factory=list)
    lines: int | None = Field(default=None, ge=1, le=60)


class Section(Model):
    title: Markdown = Field(min_length=1)
    id: Slug | None = None
    intro: Blocks = Field(default_factory=list)
    questions: list[Question] = Field(default_factory=list)


class Pack(Model):
    title: Markdown = Field(min_length=1)
    subtitle: Markdown | None = None
    description: Markdown | None = None
    source: Markdown | None = None
    author: Markdown | None = None
    language: str = Field(default="en", pattern=r"^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$")
    sections: list[Section] = Field(min_length=1)


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
