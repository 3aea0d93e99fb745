"""CSV files (.csv): a header row, then one question a row; errors name the row's line."""

from __future__ import annotations

import csv
import difflib
import io
import re
from collections.abc import Callable
from pathlib import Path

from ..scaffold import title_for
from .draft import Draft, DraftQuestion, ImportFailed, Problem, decode_utf8

DEFAULT_SECTION = "Questions"


def _text(cell: str) -> str:
    return cell.strip()


def _items(cell: str) -> list[str]:
    """`a; b; c`: the items of a `;`-separated cell."""
    return [item.strip() for item in cell.split(";") if item.strip()]


def _tags(cell: str) -> list[str]:
    """Tags apart by `;` or `,`; or, when there is neither, by spaces (as Anki writes them)."""
    parts = re.split(r"[;,]", cell) if re.search(r"[;,]", cell) else cell.split()
    return list(dict.fromkeys(p.strip() for p in parts if p.strip()))


def _points(cell: str) -> int:
    if not re.fullmatch(r"\s*\d{1,4}\s*", cell) or not 0 <= int(cell) <= 1000:
        raise ValueError(f"expected points as a whole number from 0 to 1000, found {cell.strip()!r}")
    return int(cell)


def _correct(cell: str) -> list[int]:
    """`2`, `1; 3`, `B` or `A, C`: the right choices, counted from 1."""
    parts = [p.strip() for p in re.split(r"[;,\s]+", cell) if p.strip()]
    numbers = []
    for part in parts:
        if part.isdigit():
            numbers.append(int(part))
        elif re.fullmatch(r"[A-Ja-j]", part):
            numbers.append(ord(part.upper()) - ord("A") + 1)
        else:
            raise ValueError(f"expected the right choices as numbers from 1 or letters A to J "
                             f"(e.g. 2, or 1; 3, or B), found {cell.strip()!r}")
    return numbers


# Column -> (question field, reader of a non-empty cell). A new column is one line here.
COLUMNS: dict[str, tuple[str, Callable[[str], object]]] = {
    "question": ("question", _text),
    "answer": ("answer", _text),
    "id": ("id", _text),
    "key_points": ("key_points", _items),
    "points": ("points", _points),
    "tags": ("tags", _tags),
    "section": ("section", _text),
    "choices": ("choices", _items),
    "correct": ("correct", _correct),
}
REQUIRED = ("question", "answer")
ALIASES = {"key points": "key_points", "keypoints": "key_points", "tag": "tags", "q": "question",
           "a": "answer"}


def read(source: Path, pack_id: str) -> Draft:
    text = decode_utf8(source.read_bytes())
    draft = Draft(title=title_for(pack_id))
    rows = _records(text)
    if not rows:
        raise ImportFailed([Problem(1, "expected a header row naming the columns (question, "
                                       "answer, ...), found an empty file")])
    header_line, header = rows[0]
    columns = _columns(header, header_line)
    section_title = DEFAULT_SECTION
    for line, cells in rows[1:]:
        if not any(c.strip() for c in cells):
            continue
        if len(cells) > len(columns):
            draft.problems.append(Problem(line, f"expected {len(columns)} cells, one per column "
                                                f"of the header, found {len(cells)}"))
            continue
        values = dict(zip(columns, cells))
        fields: dict = {}
        for column, cell in values.items():
            name, reader = COLUMNS[column]
            if cell.strip():
                try:
                    fields[name] = reader(cell)
                except ValueError as exc:
                    draft.problems.append(Problem(line, f"{exc} (column {column})"))
        # A multiple-choice row needs no answer (when given, it explains the right choice).
        for column in REQUIRED if "choices" not in fields else ("question",):
            if column not in fields:
                draft.problems.append(Problem(line, f"the {column} cell is empty: every row needs "
                                                    "a question and its answer (or its choices)"))
        # A blank section cell continues the section of the row above, as in a spreadsheet.
        section_title = fields.pop("section", section_title)
        draft.section(section_title, line).questions.append(DraftQuestion(fields, line))
    return draft


def _records(text: str) -> list[tuple[int, list[str]]]:
    """Every record with the line it starts on; quoted cells may hold commas and line breaks."""
    sample = text[:4096].split("\n")[0]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text, newline=""), dialect, strict=False)
    records, start = [], 1
    try:
        for cells in reader:
            records.append((start, cells))
            start = reader.line_num + 1
    except csv.Error as exc:
        raise ImportFailed([Problem(start, f"not readable as CSV: {exc}")]) from None
    return records


def _columns(header: list[str], line: int) -> list[str]:
    names = [ALIASES.get(h.strip().lower(), h.strip().lower().replace(" ", "_")) for h in header]
    problems, meant = [], set()
    for name, raw in zip(names, header):
        if name not in COLUMNS:
            close = difflib.get_close_matches(name, COLUMNS, n=1, cutoff=0.6)
            hint = f"did you mean {close[0]!r}?" if close else f"expected {', '.join(COLUMNS)}"
            problems.append(Problem(line, f"unknown column {raw.strip()!r}; {hint}"))
            meant.update(close)
    repeated = {n for n in names if names.count(n) > 1}
    problems += [Problem(line, f"column {n!r} given twice") for n in sorted(repeated)]
    problems += [Problem(line, f"missing the required column {n!r} (the header row names the "
                               f"columns: {', '.join(COLUMNS)})") for n in REQUIRED if n not in names and n not in meant
                 and not (n == "answer" and "choices" in names)]
    if problems:
        raise ImportFailed(problems)
    return names
