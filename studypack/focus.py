"""--focus weak: a candidate's record orders the questions, weakest first (docs/coaching.md)."""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass
from pathlib import Path

from .model import LoadedPack, slugify


class UnknownCandidate(Exception):
    """No session of this candidate is recorded (a usage error: the known ones are listed)."""


@dataclass(frozen=True)
class Focus:
    candidate: str
    scores: Path  # the database
    kind: str = "weak"


def candidate_slug(name: str) -> str:
    """The candidate's name in file names and variant codes: `Ana Lima` -> `ana-lima`; a name
    with letters beyond ASCII gets a short hash too, so that `Zoë` and `Zoé` stay apart."""
    slug = slugify(name, 24)
    if slug and name.isascii():
        return slug
    digest = hashlib.sha256(name.encode()).hexdigest()[:6]
    return f"{slug}-{digest}" if slug else digest


def history(focus: Focus, pack_id: str):
    """The candidate's sessions of the pack, oldest first; UnknownCandidate listing the known."""
    from .scores import candidates, connect, sessions

    known: list[str] = []
    if focus.scores.is_file():
        conn = connect(focus.scores)
        try:
            known = candidates(conn)
            if focus.candidate in known:
                return sessions(conn, focus.candidate, pack_id)
        finally:
            conn.close()
    listed = ", ".join(known) if known else f"none: nothing is recorded in {focus.scores}"
    raise UnknownCandidate(f"--candidate {focus.candidate!r}: no recorded scores (candidates: "
                           f"{listed})")


def weak_first(loaded: LoadedPack, focus: Focus, seed: str | None) -> dict[str, int]:
    """Question id -> its place: lowest latest share of the points first, then never scored,
    then full marks; equal places in pack order, or in an order the seed gives."""
    from .scores import latest_scores

    latest = latest_scores(history(focus, loaded.pack_id))
    ids = [qid for qids in loaded.question_ids for qid in qids]
    if seed is not None:
        random.Random(f"{seed}/focus").shuffle(ids)

    def key(qid: str) -> tuple[int, float]:
        if qid not in latest:
            return (1, 0.0)
        score = latest[qid][0]
        share = score.points / score.maximum if score.maximum else 1.0
        return (2, 0.0) if share >= 1 else (0, share)

    return {qid: place for place, qid in enumerate(sorted(ids, key=key))}
