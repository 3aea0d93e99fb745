"""`--import FILE`: a pack made from an article, a CSV file or an Anki deck (docs/importing.md)."""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

from ..exitcodes import ExitCode, UsageError
from ..paths import PACK_SUFFIXES, display_path
from ..scaffold import PACK_ID
from .draft import Draft, ImportFailed, Problem

# Each source format: the file name endings it reads, and the module that reads it.
FORMATS = {
    ".md": "article", ".markdown": "article", ".txt": "article",
    ".csv": "csvfile",
    ".apkg": "apkg",
}


def pack_id_for(path: Path) -> str:
    """The file's stem made a pack id: `Top 20 Questions (2025).md` -> `top-20-questions-2025`."""
    stem = re.sub(r"[^a-z0-9_-]+", "-", path.stem.lower()).strip("-_")[:80].rstrip("-_")
    return stem or "imported"


def read_draft(source: Path, pack_id: str) -> Draft:
    """The pack that `source` holds, read by the importer of its format."""
    import importlib

    module = importlib.import_module(f".{FORMATS[source.suffix.lower()]}", __name__)
    return module.read(source, pack_id)


def import_file(source: Path, content: Path, pack_id: str | None = None, force: bool = False,
                warn=None) -> Path:
    """Write the pack read from `source` into `content`; its path.

    Raises UsageError (exit 2) for what the command line asks wrongly, ImportFailed (exit 1) for a
    file that cannot be imported; in both cases nothing is written."""
    from .writer import write_pack

    if source.suffix.lower() not in FORMATS:
        raise UsageError(f"cannot import {display_path(source)}: expected a file ending in "
                         f"{', '.join(FORMATS)}")
    if not source.is_file():
        raise UsageError(f"cannot import {display_path(source)}: no such file")
    pack_id = pack_id if pack_id is not None else pack_id_for(source)
    if not PACK_ID.match(pack_id):
        raise UsageError(f"--id {pack_id!r} is not a pack id: use letters, digits, '-' and '_', "
                         "starting with a letter or digit (at most 80)")
    if not force:
        for suffix in PACK_SUFFIXES:
            existing = content / f"{pack_id}{suffix}"
            if existing.exists():
                raise UsageError(f"{display_path(existing)} already exists; add --force to replace "
                                 "it, or choose another name with --id")
    draft = read_draft(source, pack_id)
    shown = display_path(source)
    for warning in sorted(draft.warnings, key=lambda w: w.line):
        if warn:
            warn(warning.format(shown, "warning: "))
    return write_pack(draft, content, pack_id, shown)


def run_import(args: argparse.Namespace, content: Path) -> int:
    """The --import mode of the command: the pack's path on stdout, problems on stderr."""
    if args.packs:
        raise UsageError("--import takes one FILE and no pack names")
    source = args.import_file
    try:
        written = import_file(source, content, args.id, args.force,
                              warn=lambda line: print(line, file=sys.stderr))
    except ImportFailed as exc:
        for problem in exc.problems:
            print(problem.format(display_path(source)), file=sys.stderr)
        print(f"nothing written: {len(exc.problems)} problem(s) in {display_path(source)}",
              file=sys.stderr)
        return ExitCode.CONTENT_ERROR
    print(display_path(written))
    return ExitCode.OK


__all__ = ["import_file", "run_import", "pack_id_for", "ImportFailed", "Problem"]
