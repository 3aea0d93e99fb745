"""The coach's record of scores: a SQLite database with a versioned schema (docs/coaching.md).

One row of `sessions` is one graded key (candidate, pack, variant, the recorded file's SHA-256,
date); `scores` holds its questions' points. Writes happen in `BEGIN IMMEDIATE` transactions in
WAL mode, so two recordings at once both land, one after the other, and a failed one leaves
nothing. `PRAGMA user_version` is the schema's version; MIGRATIONS[n] takes it from n to n + 1."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

DEFAULT_NAME = "scores.sqlite"

MIGRATIONS: tuple[tuple[str, ...], ...] = (
    (
        """CREATE TABLE sessions (
            id INTEGER PRIMARY KEY,
            candidate TEXT NOT NULL,
            pack TEXT NOT NULL,
            variant TEXT NOT NULL DEFAULT '',
            source_sha256 TEXT NOT NULL,
            recorded_at TEXT NOT NULL,
            UNIQUE (candidate, pack, source_sha256))""",
        """CREATE TABLE scores (
            session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
            question TEXT NOT NULL,
            points REAL NOT NULL,
            maximum REAL NOT NULL,
            PRIMARY KEY (session_id, question))""",
        "CREATE INDEX sessions_by_candidate ON sessions (candidate, pack, recorded_at)",
    ),
)
SCHEMA_VERSION = len(MIGRATIONS)


class ScoresError(Exception):
    """The database cannot be used, or a recording is refused (exit 1)."""


@dataclass(frozen=True)
class Score:
    question: str
    points: float
    maximum: float


@dataclass(frozen=True)
class Sheet:
    """One graded key, read and checked, ready to store."""

    pack: str
    variant: str
    source_sha256: str
    scores: tuple[Score, ...]


@dataclass(frozen=True)
class Session:
    id: int
    candidate: str
    pack: str
    variant: str
    recorded_at: str
    scores: tuple[Score, ...]


def default_path(content: Path) -> Path:
    return content / DEFAULT_NAME


def connect(path: Path) -> sqlite3.Connection:
    """The database at `path`, made or migrated to SCHEMA_VERSION; transactions are explicit."""
    try:
        conn = sqlite3.connect(path, timeout=30, isolation_level=None)
        conn.execute("PRAGMA busy_timeout = 30000")
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA foreign_keys = ON")
        migrate(conn)
    except sqlite3.DatabaseError as exc:
        raise ScoresError(f"{path}: not a scores database studypack can use ({exc})") from None
    return conn


def migrate(conn: sqlite3.Connection) -> None:
    """Apply the migrations the database lacks, each in its own transaction."""
    while True:
        conn.execute("BEGIN IMMEDIATE")
        try:
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                raise ScoresError(f"the scores database has schema version {version}; this "
                                  f"studypack knows up to {SCHEMA_VERSION}: upgrade studypack")
            if version == SCHEMA_VERSION:
                conn.execute("COMMIT")
                return
            for statement in MIGRATIONS[version]:
                conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {version + 1}")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise


def store(conn: sqlite3.Connection, candidate: str, sheet: Sheet, replace: bool = False,
          when: datetime | None = None) -> int:
    """Store one sheet in one transaction; the new session's id. The same file recorded again for
    the same candidate is refused unless `replace`, which drops the earlier recording."""
    recorded_at = (when or datetime.now(timezone.utc)).strftime("%Y-%m-%dT%H:%M:%SZ")
    conn.execute("BEGIN IMMEDIATE")
    try:
        earlier = conn.execute(
            "SELECT id, recorded_at FROM sessions WHERE candidate = ? AND pack = ? AND "
            "source_sha256 = ?", (candidate, sheet.pack, sheet.source_sha256)).fetchone()
        if earlier and not replace:
            raise ScoresError(f"this key was recorded for {candidate!r} already, on "
                              f"{earlier[1][:10]}: nothing stored (--replace records it again)")
        if earlier:
            conn.execute("DELETE FROM sessions WHERE id = ?", (earlier[0],))
        session = conn.execute(
            "INSERT INTO sessions (candidate, pack, variant, source_sha256, recorded_at) "
            "VALUES (?, ?, ?, ?, ?)",
            (candidate, sheet.pack, sheet.variant, sheet.source_sha256, recorded_at)).lastrowid
        conn.executemany(
            "INSERT INTO scores (session_id, question, points, maximum) VALUES (?, ?, ?, ?)",
            [(session, s.question, s.points, s.maximum) for s in sheet.scores])
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return session


def candidates(conn: sqlite3.Connection, pack: str | None = None) -> list[str]:
    """Everyone with a recorded session (of `pack`, when given), sorted."""
    where, args = ("WHERE pack = ?", (pack,)) if pack else ("", ())
    return [row[0] for row in conn.execute(
        f"SELECT DISTINCT candidate FROM sessions {where} ORDER BY candidate", args)]


def sessions(conn: sqlite3.Connection, candidate: str, pack: str) -> list[Session]:
    """The candidate's sessions of `pack`, oldest first."""
    rows = conn.execute(
        "SELECT id, variant, recorded_at FROM sessions WHERE candidate = ? AND pack = ? "
        "ORDER BY recorded_at, id", (candidate, pack)).fetchall()
    found = []
    for sid, variant, recorded_at in rows:
        scores = tuple(Score(q, p, m) for q, p, m in conn.execute(
            "SELECT question, points, maximum FROM scores WHERE session_id = ? ORDER BY rowid",
            (sid,)))
        found.append(Session(sid, candidate, pack, variant, recorded_at, scores))
    return found


def latest_scores(history: list[Session]) -> dict[str, tuple[Score, str]]:
    """Question id -> its latest score and the date it was recorded."""
    latest: dict[str, tuple[Score, str]] = {}
    for session in history:
        for score in session.scores:
            latest[score.question] = (score, session.recorded_at[:10])
    return latest
