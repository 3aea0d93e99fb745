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
    from .options import EDITION

    suffix = f"-{variant}" if variant else ""
    extension = EDITION[edition].extension
    if extension != ".pdf":  # the deck is named for the pack alone
        return f"{pack_id}{suffix}{extension}"
    return f"{pack_id}-{edition}{suffix}{extension}"


def booklet_target(target: Path) -> Path:
    return target.with_name(f"{target.stem}-booklet.pdf")
