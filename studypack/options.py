"""What a build can be asked for (editions, papers, a selection, BuildOptions) and the date it
prints; cheap to import, for fast no-op builds."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING

from .limits import default_memory_limit

if TYPE_CHECKING:
    from .focus import Focus


@dataclass(frozen=True)
class Edition:
    name: str  # as --edition takes it, and in the file name
    title: str  # as the document and the summary call it
    extension: str
    cost: float  # CPU seconds of the seed pack's on one core: the longest start first
    pages_of: str | None = None  # the edition whose page numbers it prints: both in one process
    from_template: bool = True  # a PDF from the edition's own template (booklets can be made)
    forms: bool = False  # its <input>s are form fields (the key's scores: docs/coaching.md)


# Every edition, in build order: an edition that prints another's pages comes after it.
EDITION_TABLE = (
    Edition("guide", "Study guide", ".pdf", 1.3),
    Edition("worksheet", "Worksheet", ".pdf", 0.7),
    Edition("answer-key", "Answer key", ".pdf", 1.0, pages_of="worksheet", forms=True),
    Edition("flashcards", "Flashcards", ".pdf", 2.0, pages_of="guide", from_template=False),
    Edition("anki", "Anki deck", ".apkg", 0.3, from_template=False),
)
EDITION = {edition.name: edition for edition in EDITION_TABLE}
ALL_EDITIONS = tuple(EDITION)
EDITIONS = tuple(e.name for e in EDITION_TABLE if e.from_template)  # from templates, as PDFs
EDITION_TITLES = {e.name: e.title for e in EDITION_TABLE}
PAGED_BY_OTHERS = tuple(dict.fromkeys(e.pages_of for e in EDITION_TABLE if e.pages_of))
PAPERS = {"a4": "A4", "letter": "letter"}


def build_date() -> date:
    """Today, or the date SOURCE_DATE_EPOCH gives, so that builds can be reproduced."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.strip().isdigit():
        return datetime.fromtimestamp(int(epoch), tz=timezone.utc).date()
    return date.today()


@dataclass(frozen=True)
class Selection:
    """What the command line asked for; the empty selection is the whole pack in pack order."""

    sections: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    count: int | None = None
    seed: str | None = None
    focus: Focus | None = None  # --focus weak --candidate NAME (studypack/focus.py)

    @property
    def is_plain(self) -> bool:
        return not (self.sections or self.tags or self.count is not None or self.seed is not None
                    or self.focus is not None)


def default_jobs() -> int:
    """STUDYPACK_JOBS when set, else the number of cores this process may use."""
    setting = os.environ.get("STUDYPACK_JOBS", "")
    if setting.isdigit() and int(setting) > 0:
        return int(setting)
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


@dataclass(frozen=True)
class BuildOptions:
    content: Path = Path("content")
    output: Path = Path("output")
    packs: tuple[str, ...] = ()
    editions: tuple[str, ...] = ALL_EDITIONS
    paper: str = "a4"
    check: bool = False
    booklet: bool = False
    html: bool = False
    selection: Selection = Selection()
    back_offset_mm: tuple[float, float] = (0.0, 0.0)
    jobs: int = field(default_factory=default_jobs)
    force: bool = False
    memory_limit: int = field(default_factory=default_memory_limit)  # bytes per worker; 0: none
    seeds: tuple[str, ...] = ()  # --seed given more than once: one variant per seed

    @property
    def selections(self) -> tuple[Selection, ...]:
        """The variants to build: one per seed when several were given, else the selection."""
        if not self.seeds:
            return (self.selection,)
        return tuple(replace(self.selection, seed=seed) for seed in self.seeds)
