"""An Anki deck (.apkg, via genanki): one note per question, stable ids so rebuilds update cards."""

from __future__ import annotations

import hashlib
import io
import itertools
import json
import os
import re
import sqlite3
import tempfile
import zipfile
from pathlib import Path

import genanki
import jinja2
from markupsafe import escape

from .model import LoadedPack, Part
from .render import markdown_inline, plain_text

CARD_CSS = """\
.card { font-family: Charis SIL, Georgia, serif; font-size: 19px; line-height: 1.4;
  text-align: left; color: #000; background: #fff; max-width: 40em; margin: 0 auto; }
.question { font-family: Lato, Helvetica, Arial, sans-serif; font-weight: bold; font-size: 1.15em; }
.section { font-family: Lato, Helvetica, Arial, sans-serif; font-size: 0.7em; color: #555;
  text-transform: uppercase; letter-spacing: 0.08em; }
table { border-collapse: collapse; margin: 0.4em 0; font-size: 0.9em; }
th, td { border: 1px solid #000; padding: 0.2em 0.4em; text-align: left; vertical-align: top; }
thead th { background: #e6e6e6; }
pre { border: 1px solid #000; border-left-width: 3px; padding: 0.4em; white-space: pre-wrap;
  font-size: 0.8em; }
figure { margin: 0.5em 0; } figcaption { font-size: 0.8em; }
img, svg { max-width: 100%; height: auto; }
.nightMode table thead th { background: #333; }
.key-points { margin-top: 0.8em; border-top: 1px solid #999; padding-top: 0.4em; font-size: 0.9em; }
.key-points ul { margin: 0.2em 0; padding-left: 1.2em; }
"""
# Only in the decks of packs with multiple-choice questions: the others stay byte for byte.
CHOICES_CSS = """\
ol.choices { list-style: none; padding-left: 0; } .choice-letter { font-weight: bold; }
.choice-box { display: none; } .hint { font-style: italic; font-size: 0.8em; }
"""


def stable_id(*parts: str) -> int:
    """An Anki id from text: the same text, the same id, in the range genanki recommends."""
    digest = hashlib.sha256("\x1f".join(parts).encode()).digest()
    return (1 << 30) + int.from_bytes(digest[:8], "big") % (1 << 30)


def anki_tag(text: str) -> str:
    """Anki tags are split on spaces: keep each tag one word."""
    return re.sub(r"\s+", "_", text.strip())


def note_model(pack_id: str, choices: bool = False) -> genanki.Model:
    return genanki.Model(
        stable_id("studypack model", pack_id),
        "studypack question",
        fields=[{"name": "Question"}, {"name": "Answer"}, {"name": "Section"}],
        templates=[{
            "name": "Question to answer",
            "qfmt": '<div class="section">{{Section}}</div><div class="question">{{Question}}</div>',
            "afmt": '{{FrontSide}}<hr id="answer"><div class="answer">{{Answer}}</div>',
        }],
        css=CARD_CSS + (CHOICES_CSS if choices else ""),
        sort_field_index=0,
    )


def make_deck(env: jinja2.Environment, loaded: LoadedPack, parts: list[Part]
              ) -> tuple[genanki.Deck, dict[Path, str]]:
    """The deck of the chosen questions, and the image files its answers show (path -> name)."""
    media: dict[Path, str] = {}

    def media_name(src: str) -> str:
        # Anki keeps media in one flat folder: name files by pack and content, never clash.
        path = (Path(loaded.path).parent / src).resolve()
        if path not in media:
            digest = hashlib.sha256(path.read_bytes()).hexdigest()[:12]
            media[path] = f"studypack-{loaded.pack_id}-{digest}{path.suffix.lower()}"
        return media[path]

    answer = env.get_template("anki-answer.html")
    model = note_model(loaded.pack_id, any(question.choices for section in loaded.pack.sections
                                           for question in section.questions))
    deck = genanki.Deck(stable_id("studypack deck", loaded.pack_id), plain_text(loaded.pack.title))
    for part in parts:
        section = plain_text(part.section.title)
        for item in part.items:
            tags = [anki_tag(f"section::{part.id}")] + [anki_tag(t) for t in item.question.tags]
            deck.add_note(genanki.Note(
                model=model,
                fields=[question_field(env, item, media_name),
                        answer.render(item=item, image_url=media_name).strip(),
                        str(escape(section))],
                guid=genanki.guid_for(loaded.pack_id, item.id),
                tags=list(dict.fromkeys(tags)),
                sort_field=f"{item.number:04d}",
            ))
    return deck, media


def question_field(env: jinja2.Environment, item, image_url) -> str:
    """The front of a card: the question, and a multiple-choice question's lettered choices."""
    html = str(markdown_inline(item.question.question, image_url))
    if item.question.choices:
        html += env.get_template("anki-question.html").render(
            item=item, image_url=image_url).strip()
    return html


def deck_timestamp(loaded: LoadedPack) -> float:
    """The deck's base time: SOURCE_DATE_EPOCH if set, else when the pack last changed; taken
    from the pack file, the same pack gives a byte-identical deck."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return float(epoch)
    return float(int(Path(loaded.path).stat().st_mtime))


# Anki updates a note on re-import only when the incoming note is newer (its `mod` greater than
# the one in the collection): the same time on every note would never update an edited one.
CONTENT_SPREAD = 86_400  # seconds after the base time that a note's content moves it


def note_times(notes: dict[str, str], base: float, previous: dict[str, tuple[str, int]]
               ) -> dict[str, int]:
    """Each note's modification time (guid -> seconds), from its content, the base time and the
    deck this one replaces (guid -> (content, time)).

    A note as it was in the previous deck keeps its time, so a rebuild is byte-identical; an
    edited note is later than it was, whatever the base time (SOURCE_DATE_EPOCH fixes it); a
    note no earlier deck had gets the base time plus an offset drawn from its content, so that
    even without the previous deck an edit changes its time."""
    times = {}
    for guid, content in notes.items():
        digest = hashlib.sha256(content.encode()).digest()
        fresh = int(base) + int.from_bytes(digest[:4], "big") % CONTENT_SPREAD
        before = previous.get(guid)
        if before is None:
            times[guid] = fresh
        elif before[0] == content:
            times[guid] = before[1]
        else:
            times[guid] = max(fresh, before[1] + 1)
    return times


def previous_notes(target: Path | None) -> dict[str, tuple[str, int]]:
    """guid -> (fields and tags, modification time) of the deck at `target`, the one a rebuild
    replaces; nothing when there is none or it is not a deck this could read."""
    if target is None or not target.is_file():
        return {}
    try:
        with zipfile.ZipFile(target) as archive, tempfile.TemporaryDirectory(
                prefix="studypack-anki-") as tmp:
            db = Path(tmp) / "previous.anki2"
            db.write_bytes(archive.read("collection.anki2"))
            conn = sqlite3.connect(db)
            try:
                rows = conn.execute("SELECT guid, flds, tags, mod FROM notes").fetchall()
            finally:
                conn.close()
    except (OSError, KeyError, zipfile.BadZipFile, sqlite3.Error):
        return {}
    return {guid: (_content(flds, tags), int(mod)) for guid, flds, tags, mod in rows}


def _content(fields: str, tags: str) -> str:
    return f"{fields}\x1e{' '.join(tags.split())}"


def deck_bytes(env: jinja2.Environment, loaded: LoadedPack, parts: list[Part],
               previous: Path | None = None) -> bytes:
    """The .apkg file: genanki's collection and media, zipped with fixed entry dates.

    `previous`: the deck file this one replaces, whose notes' times carry over (note_times)."""
    deck, media = make_deck(env, loaded, parts)
    package = genanki.Package(deck)
    timestamp = deck_timestamp(loaded)
    with tempfile.TemporaryDirectory(prefix="studypack-anki-") as tmp:
        db_path = Path(tmp) / "collection.anki2"
        conn = sqlite3.connect(db_path)
        # Package.write_to_file would stamp zip entries with the current time; write the same
        # collection ourselves so that a rebuild of an unchanged pack is byte-identical.
        package.write_to_db(conn.cursor(), timestamp, itertools.count(int(timestamp * 1000)))
        rows = conn.execute("SELECT guid, flds, tags FROM notes").fetchall()
        times = note_times({guid: _content(flds, tags) for guid, flds, tags in rows},
                           timestamp, previous_notes(previous))
        conn.executemany("UPDATE notes SET mod = ? WHERE guid = ?",
                         [(mod, guid) for guid, mod in times.items()])
        conn.execute("UPDATE cards SET mod = (SELECT mod FROM notes WHERE notes.id = cards.nid)")
        conn.commit()
        conn.close()
        collection = db_path.read_bytes()
    entries = {"collection.anki2": collection,
               "media": json.dumps({str(i): name for i, name in enumerate(media.values())}).encode()}
    entries.update((str(i), path.read_bytes()) for i, path in enumerate(media))
    return _zip(entries)


def _zip(entries: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
    return out.getvalue()
