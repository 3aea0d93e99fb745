"""`--new NAME`: a starter pack that uses every block type and builds as is."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

from .assets import TEMPLATES

STARTER = TEMPLATES / "starter"
PACK_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,79}$")
SCHEMA_PATH = Path("schema") / "studypack.schema.json"


class ScaffoldRefused(Exception):
    """The starter pack cannot be written (a usage error: exit code 2)."""


BESIDE = "studypack.schema.json"  # the schema written beside the packs when none is nearby


def nearby_schema(content: Path) -> Path | None:
    """The repository's schema, in the content folder's own checkout (or above it)."""
    for folder in (content.resolve(), *content.resolve().parents):
        if (folder / SCHEMA_PATH).is_file():
            return folder / SCHEMA_PATH
    return None


def schema_line(content: Path, schema: Path) -> str:
    """The editor's schema comment, pointing at `schema` relative to the pack."""
    relative = Path(os.path.relpath(schema.resolve(), content.resolve())).as_posix()
    return f"# yaml-language-server: $schema={relative}"


def title_for(name: str) -> str:
    return " ".join(word.capitalize() for word in re.split(r"[-_]+", name) if word) or name


def new_pack(name: str, content: Path) -> list[Path]:
    """Write content/NAME.yaml and the image it shows; refuses to overwrite anything."""
    if not PACK_ID.match(name):
        raise ScaffoldRefused(
            f"{name!r} is not a pack id: use letters, digits, '-' and '_', starting with a "
            "letter or digit (at most 80)")
    pack, image = content / f"{name}.yaml", content / f"{name}-example.png"
    for path in (pack, content / f"{name}.yml", image):
        if path.exists():
            raise ScaffoldRefused(f"{path} already exists; choose another name or move it away")
    written = [pack, image]
    schema = nearby_schema(content)
    if schema is None:  # installed: no checkout around, so the schema goes beside the pack
        schema = content / BESIDE
        if not schema.exists():
            written.append(schema)
    text = (STARTER / "pack.yaml").read_text(encoding="utf-8")
    text = (text.replace("__SCHEMA_LINE__", schema_line(content, schema))
                .replace("__TITLE__", title_for(name))
                .replace("__NAME__", name))
    content.mkdir(parents=True, exist_ok=True)
    if schema in written:
        from .schema import schema_text

        schema.write_text(schema_text(), encoding="utf-8")
    shutil.copyfile(STARTER / "example.png", image)
    with open(pack, "x", encoding="utf-8") as handle:  # "x": never replace a file made meanwhile
        handle.write(text)
    return written
