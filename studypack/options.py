"""Names a build can ask for and the date it prints; cheap to import, for fast no-op builds."""

from __future__ import annotations

import os
from datetime import date, datetime, timezone

EDITIONS = ("guide", "worksheet", "answer-key")
EDITION_TITLES = {"guide": "Study guide", "worksheet": "Worksheet", "answer-key": "Answer key"}
PAPERS = {"a4": "A4", "letter": "letter"}


def build_date() -> date:
    """Today, or the date SOURCE_DATE_EPOCH gives, so that builds can be reproduced."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.strip().isdigit():
        return datetime.fromtimestamp(int(epoch), tz=timezone.utc).date()
    return date.today()
