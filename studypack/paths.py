"""Where things are, as the author types them: pack files, output file names, shown paths."""

from __future__ import annotations

import os
from pathlib import Path

PACK_SUFFIXES = (".yaml", ".yml")


def display_path(path: Path) -> str:
    """The path as the author would type it: relative to the working folder when inside it."""
    try:
        return os.path.relpath(path)
    except ValueError:
        return str(path)


def output_name(pack_id: str, edition: str, variant: str | None = None) -> str:
    """`aws-lambda-worksheet.pdf`, `aws-lambda-worksheet-seed-7.pdf`, `aws-lambda-seed-7.apkg`."""
    suffix = f"-{variant}" if variant else ""
    if edition == "anki":
        return f"{pack_id}{suffix}.apkg"
    return f"{pack_id}-{edition}{suffix}.pdf"


def booklet_target(target: Path) -> Path:
    return target.with_name(f"{target.stem}-booklet.pdf")
