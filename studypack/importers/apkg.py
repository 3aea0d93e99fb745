"""Anki decks (.apkg): the package's SQLite collection read into questions, subdecks as sections."""

from __future__ import annotations

import json
import re
import sqlite3
import tempfile
import time
import zipfile
from pathlib import Path, PurePosixPath

from ..anki import note_model
from ..assets import IMAGE_TYPES
from ..limits import MAX_APKG_BYTES as MAX_TOTAL_BYTES
from ..limits import MAX_APKG_MEMBERS as MAX_MEMBERS
from ..limits import MAX_APKG_QUERY_SECONDS as MAX_QUERY_SECONDS
from ..scaffold import title_for
from . import html
from .draft import Draft, DraftQuestion, ImportFailed, Problem
from .images import Images

# Bounds on what a package may make us read (docs/security.md): a deck is a zip, and a zip can
# claim to unpack to far more than it holds.
COLLECTIONS = ("collection.anki21", "collection.anki2")  # newest first
CLOZE = re.compile(r"\{\{c(\d+)::(.*?)(?:::(.*?))?\}\}", re.DOTALL)
BLANK = "\\_\\_\\_\\_\\_"
STUDYPACK_MODEL = note_model("").name
STUDYPACK_FIELDS = ["Question", "Answer", "Section"]
NEWEST_FORMAT = ("this deck is in Anki's newest package format (collection.anki21b), which "
                 "studypack does not read: in Anki, choose File > Export..., 'Anki Deck Package "
                 "(*.apkg)', tick 'Support older Anki versions (slower/larger files)', and import "
                 "that file")


def read(source: Path, pack_id: str) -> Draft:
    draft = Draft(title=title_for(pack_id))
    images = Images(draft, pack_id)
    try:
        archive = zipfile.ZipFile(source)
    except (zipfile.BadZipFile, OSError) as exc:
        raise ImportFailed([Problem(0, f"not an Anki package (.apkg is a zip file): {exc}")]) from None
    with archive, tempfile.TemporaryDirectory(prefix="studypack-apkg-") as scratch:
        members = _checked_members(archive)
        name = next((n for n in COLLECTIONS if n in members), None)
        if "collection.anki21b" in members and name != "collection.anki21":
            raise ImportFailed([Problem(0, NEWEST_FORMAT)])
        if name is None:
            raise ImportFailed([Problem(0, "not an Anki package: it holds no collection.anki2 or "
                                           "collection.anki21")])
        collection = _collection(archive.read(name))
        media = _media(archive, members, Path(scratch))
        _notes(collection, draft, images, Path(scratch), media)
    return draft


def _checked_members(archive: zipfile.ZipFile) -> dict[str, zipfile.ZipInfo]:
    infos = archive.infolist()
    if len(infos) > MAX_MEMBERS:
        raise ImportFailed([Problem(0, f"the package holds {len(infos)} files; at most "
                                       f"{MAX_MEMBERS} are read")])
    total = sum(info.file_size for info in infos)
    if total > MAX_TOTAL_BYTES:
        raise ImportFailed([Problem(0, f"the package unpacks to {total / 2**20:.0f} MiB; at most "
                                       f"{MAX_TOTAL_BYTES // 2**20} MiB are read")])
    for info in infos:
        name = info.filename
        parts = PurePosixPath(name.replace("\\", "/")).parts
        if (name.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", name) or ".." in parts
                or "\0" in name):
            raise ImportFailed([Problem(0, f"the package holds a file named {name!r}, outside "
                                           "the package; refused")])
    return {info.filename: info for info in infos}


def _collection(data: bytes) -> sqlite3.Connection:
    """The collection, opened read-only in memory; its tables must be tables (a view could run
    any query), and a query that takes more than MAX_QUERY_SECONDS is stopped."""
    connection = sqlite3.connect(":memory:")
    try:
        connection.deserialize(data)
        connection.execute("PRAGMA query_only = ON")
        connection.execute("PRAGMA trusted_schema = OFF")
        tables = {name for (name,) in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table'")}
        missing = {"col", "notes", "cards"} - tables
        if missing:
            raise sqlite3.DatabaseError(f"no table {', '.join(sorted(missing))}")
    except sqlite3.DatabaseError as exc:
        raise ImportFailed([Problem(0, f"the package's collection is not an Anki database: {exc}")]
                           ) from None
    deadline = time.monotonic() + MAX_QUERY_SECONDS
    connection.set_progress_handler(lambda: time.monotonic() > deadline, 10_000)
    return connection


def _media(archive: zipfile.ZipFile, members: dict, scratch: Path) -> dict[str, str]:
    """The package's images, unpacked to `scratch` under safe names: Anki's name -> file name."""
    try:
        names = json.loads(archive.read("media")) if "media" in members else {}
    except (ValueError, UnicodeDecodeError):
        raise ImportFailed([Problem(0, "the package's media list is not readable (expected JSON); "
                                       "export the deck again from Anki")]) from None
    if not isinstance(names, dict):
        names = {}
    found = {}
    for member, name in names.items():
        if not isinstance(name, str) or member not in members:
            continue
        safe = re.sub(r"[^A-Za-z0-9_.-]+", "-", PurePosixPath(name).name).strip("-.")
        if not safe or Path(safe).suffix.lower() not in IMAGE_TYPES:
            continue
        safe = f"{len(found)}-{safe}"
        (scratch / safe).write_bytes(archive.read(member))
        found[name] = safe
    return found


def _note_types(db: sqlite3.Connection) -> dict[int, tuple[str, list[str], bool]]:
    """Note type id -> (name, field names in order, is cloze)."""
    (models,) = db.execute("SELECT models FROM col").fetchone() or ("{}",)
    out = {}
    for model in (json.loads(models or "{}") or {}).values():
        fields = [f["name"] for f in sorted(model.get("flds", []), key=lambda f: f.get("ord", 0))]
        out[int(model["id"])] = (model.get("name", ""), fields, model.get("type") == 1)
    return out


def _deck_names(db: sqlite3.Connection) -> dict[int, list[str]]:
    (decks,) = db.execute("SELECT decks FROM col").fetchone() or ("{}",)
    return {int(d["id"]): str(d.get("name", "")).split("::")
            for d in (json.loads(decks or "{}") or {}).values()}


def _notes(db: sqlite3.Connection, draft: Draft, images: Images, scratch: Path,
           media: dict[str, str]) -> None:
    try:
        types, decks = _note_types(db), _deck_names(db)
        rows = db.execute(
            "SELECT n.id, n.mid, n.tags, n.flds, (SELECT CASE WHEN c.odid THEN c.odid ELSE c.did END"
            " FROM cards c WHERE c.nid = n.id ORDER BY c.ord LIMIT 1) FROM notes n ORDER BY n.id"
        ).fetchall()
    except (sqlite3.DatabaseError, ValueError, KeyError, TypeError) as exc:
        raise ImportFailed([Problem(0, f"the package's collection is not readable: {exc}")]) from None
    paths = [decks.get(deck or 0, ["Default"]) for *_, deck in rows]
    roots = {path[0] for path in paths}
    if len(roots) == 1:
        draft.title = next(iter(roots))
    placed = []
    for number, ((_, mid, tags, fields, _deck), path) in enumerate(zip(rows, paths), 1):
        where = f"note {number}"
        name, names, cloze = types.get(mid, ("", [], False))
        values = str(fields).split("\x1f")

        def image(src: str, alt: str, where=where) -> dict | None:
            local = media.get(src)
            if local is None and not re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:|^//", src):
                draft.warnings.append(Problem(0, f"image {src!r} is not in the package; dropped",
                                              where))
                return None
            return images.block(local or src, scratch, alt or Path(src).stem, where=where)

        studypack = name == STUDYPACK_MODEL and names[:3] == STUDYPACK_FIELDS
        question = _question(values, cloze, draft, where, image)
        if question is None:
            continue
        tag_list = [t for t in str(tags).split() if not (studypack and t.startswith("section::"))]
        if tag_list:
            question.fields["tags"] = tag_list
        if studypack and len(values) > 2 and html.markdown(values[2]):
            section = html.markdown(values[2])
        else:
            rest = path[1:] if len(roots) == 1 else path
            section = " / ".join(rest) if rest else path[0]
        placed.append((section, question))
    for section, question in placed:
        draft.section(section).questions.append(question)


def _question(values: list[str], cloze: bool, draft: Draft, where: str, image) -> DraftQuestion | None:
    front = values[0] if values else ""
    back = values[1] if len(values) > 1 else ""
    if html.parse(front).find("img"):
        draft.warnings.append(Problem(0, "an image in the question dropped: a question is text",
                                      where))
    asked = html.markdown(front)
    answer: list[dict] = []
    if cloze or CLOZE.search(asked):
        words = [m[2] for m in CLOZE.finditer(asked)]
        asked = CLOZE.sub(lambda m: BLANK + (f" ({m[3]})" if m[3] else ""), asked)
        if words:
            answer.append({"text": words[0]} if len(words) == 1 else {"list": words})
    back, key_points = _key_points(back)
    answer += html.blocks(back, image)
    if not asked:
        draft.warnings.append(Problem(0, "a note with an empty first field left out", where))
        return None
    if not answer:
        draft.problems.append(Problem(0, f"the note {asked[:60]!r} has no answer (its second field "
                                         "is empty)", where))
    fields = {"question": asked, "answer": answer}
    if key_points:
        fields["key_points"] = key_points
    return DraftQuestion(fields, 0, where)


def _key_points(back: str) -> tuple[str, list[str]]:
    """The answer's HTML without the key points studypack puts on a card's back, and those."""
    soup = html.parse(back)
    box = soup.find("div", class_="key-points")
    if box is None:
        return back, []
    points = [html.markdown(li.decode_contents()) for li in box.find_all("li")]
    box.decompose()
    return str(soup), [p for p in points if p]
