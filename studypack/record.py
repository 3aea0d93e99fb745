"""Graded keys in: the score fields of a filled answer key PDF, or a `question,points` CSV.

Every problem is collected and reported as `FILE: field score.ID: message` (PDF) or
`FILE:LINE: message` (CSV); a sheet with any problem is not stored at all."""

from __future__ import annotations

import csv
import hashlib
import io
import math
from pathlib import Path

from .model import LoadedPack
from .paths import display_path
from .scores import Score, Sheet

FIELD_PREFIX = "score."
PACK_KEY, VARIANT_KEY = "/studypackpack", "/studypackvariant"  # WeasyPrint drops the "-"


class RecordError(Exception):
    """What is wrong with a sheet, one problem a line (exit 1, nothing stored)."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


def is_pdf(data: bytes) -> bool:
    return data[:1024].lstrip().startswith(b"%PDF-")


def key_identity(path: Path, data: bytes) -> tuple[str, str]:
    """The pack id and variant code a key carries in its metadata."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        info = PdfReader(io.BytesIO(data)).metadata or {}
    except (PdfReadError, ValueError) as exc:
        raise RecordError([f"{display_path(path)}: not a readable PDF ({exc})"]) from None
    pack = str(info.get(PACK_KEY) or "")
    if not pack:
        raise RecordError([f"{display_path(path)}: not a studypack answer key (no pack id in "
                           f"its metadata)"])
    return pack, str(info.get(VARIANT_KEY) or "")


def _number(text: str) -> float | None:
    try:
        value = float(text.strip().replace(",", "."))
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _check(where: str, qid: str, text: str, maxima: dict[str, float], pack: str,
           problems: list[str]) -> Score | None:
    if qid not in maxima:
        problems.append(f"{where}: no such question in pack {pack!r} (any more)")
        return None
    value = _number(text)
    if value is None:
        problems.append(f"{where}: {text.strip()!r} is not a number")
    elif value < 0:
        problems.append(f"{where}: score {text.strip()} is below 0")
    elif value > maxima[qid]:
        problems.append(f"{where}: score {text.strip()} is above the question's "
                        f"{maxima[qid]:g} point{'s' if maxima[qid] != 1 else ''}")
    else:
        return Score(qid, value, maxima[qid])
    return None


def _maxima(loaded: LoadedPack) -> dict[str, float]:
    return {qid: float(q.points) for section, qids in zip(loaded.pack.sections, loaded.question_ids)
            for qid, q in zip(qids, section.questions)}


def read_key(path: Path, data: bytes, loaded: LoadedPack, variant: str, candidate: str) -> Sheet:
    """The filled score fields of an answer key PDF; an empty field is a question not graded.
    A filled `candidate` field must name `candidate`."""
    from pypdf import PdfReader

    maxima, problems, scores = _maxima(loaded), [], []
    fields = PdfReader(io.BytesIO(data)).get_fields() or {}
    shown = display_path(path)
    named = str((fields.get("candidate") or {}).get("/V") or "").strip()
    if named and named.casefold() != candidate.casefold():
        problems.append(f"{shown}: field candidate: the key names {named!r}, not --candidate "
                        f"{candidate!r}")
    for name, field in fields.items():
        if not name.startswith(FIELD_PREFIX):
            continue
        value = str(field.get("/V") or "")
        if not value.strip():
            continue
        score = _check(f"{shown}: field {name}", name[len(FIELD_PREFIX):], value, maxima,
                       loaded.pack_id, problems)
        if score:
            scores.append(score)
    return _sheet(shown, loaded, variant, data, scores, problems)


def read_csv(path: Path, data: bytes, loaded: LoadedPack, variant: str, candidate: str) -> Sheet:
    """`question,points` rows (a header row of those names is optional); blank lines skipped."""
    maxima, problems, scores, seen = _maxima(loaded), [], [], {}
    shown = display_path(path)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise RecordError([f"{shown}: not UTF-8 text ({exc.reason} at byte {exc.start})"]) from None
    for line, row in enumerate(csv.reader(io.StringIO(text)), start=1):
        if not row or not "".join(row).strip():
            continue
        if line == 1 and [c.strip().lower() for c in row] == ["question", "points"]:
            continue
        where = f"{shown}:{line}"
        if len(row) != 2:
            problems.append(f"{where}: expected question,points; found {len(row)} value(s)")
            continue
        qid = row[0].strip()
        if qid in seen:
            problems.append(f"{where}: question {qid!r} is scored twice (line {seen[qid]} too)")
            continue
        seen[qid] = line
        score = _check(f"{where}: question {qid!r}", qid, row[1], maxima, loaded.pack_id,
                       problems)
        if score:
            scores.append(score)
    return _sheet(shown, loaded, variant, data, scores, problems)


def _sheet(shown: str, loaded: LoadedPack, variant: str, data: bytes, scores: list[Score],
           problems: list[str]) -> Sheet:
    if not problems and not scores:
        problems.append(f"{shown}: no score is filled in: nothing to record")
    if problems:
        raise RecordError(problems)
    return Sheet(loaded.pack_id, variant, hashlib.sha256(data).hexdigest(), tuple(scores))
