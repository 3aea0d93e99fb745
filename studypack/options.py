"""Names a build can ask for and the date it prints; cheap to import, for fast no-op builds."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date, datetime, timezone

EDITIONS = ("guide", "worksheet", "answer-key")  # made from templates, as PDFs
ALL_EDITIONS = (*EDITIONS, "flashcards", "anki")  # every edition, in build order
EDITION_TITLES = {"guide": "Study guide", "worksheet": "Worksheet", "answer-key": "Answer key",
                  "flashcards": "Flashcards", "anki": "Anki deck"}
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

    @property
    def is_plain(self) -> bool:
        return not (self.sections or self.tags or self.count is not None or self.seed is not None)
