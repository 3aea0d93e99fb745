"""`--watch`: build, then rebuild what each change affects until Ctrl-C.

A pack file change rebuilds that pack; a change to a template, stylesheet or font rebuilds every
pack; an image in the content folder rebuilds every pack too, since any of them may show it.
"""

from __future__ import annotations

import io
import sys
import threading
from dataclasses import replace
from pathlib import Path
from typing import Callable, Iterable, TextIO

from .assets import IMAGE_TYPES, TEMPLATES
from .build import BuildOptions, BuildResult, build
from .exitcodes import ExitCode, UsageError
from .paths import PACK_SUFFIXES, display_path
from .progress import Progress
from .report import report

# Changes are handed over once 50 ms pass without another (an editor's save is a burst of
# events); a longer burst (a git checkout) is grouped for at most this long into one rebuild.
DEBOUNCE_MS = 1600
READY_MS = 200

ALL = ()  # rebuild every pack the command chose


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or path.is_relative_to(folder)


def affected(changed: Iterable[str], options: BuildOptions,
             templates: Path = TEMPLATES) -> tuple[str, ...] | None:
    """The packs to rebuild after these paths changed: names, ALL, or None for nothing."""
    content, output = options.content.resolve(), options.output.resolve()
    templates = templates.resolve()
    packs: list[str] = []
    for name in changed:
        path = Path(name).resolve()
        if _inside(path, output) or path.name.startswith("."):
            continue  # our own output, or a temporary file (ours or an editor's)
        if _inside(path, templates):
            return options.packs or ALL
        if not _inside(path, content):
            continue
        if path.suffix in PACK_SUFFIXES and path.parent == content:
            if not options.packs or path.stem in options.packs or path.name in options.packs:
                if path.is_file():
                    packs.append(path.stem)
        elif path.suffix.lower() in IMAGE_TYPES:  # added, changed or deleted: packs may show it
            return options.packs or ALL
    return tuple(dict.fromkeys(packs)) or None


def watch(options: BuildOptions, out: TextIO = sys.stdout, err: TextIO = sys.stderr,
          quiet: bool = False, stop: threading.Event | None = None,
          templates: Path = TEMPLATES,
          on_build: Callable[[tuple[str, ...], BuildResult | None], None] | None = None) -> int:
    """Build, then rebuild on every change until Ctrl-C (or `stop` is set); the exit code.

    `on_build(packs, result)` is called with `packs` (ALL: every pack) just before each rebuild,
    result None, and again once it is finished (--serve's preview follows the builds this way)."""
    import watchfiles

    def rebuild(packs: tuple[str, ...], first: bool = False, force: bool = False) -> None:
        progress = None if quiet else Progress(err, out)
        if on_build:
            on_build(packs, None)
        try:
            result = build(replace(options, packs=packs, force=options.force or force),
                           progress.stdout if progress else out, progress,
                           err=io.StringIO() if quiet else err)
        except UsageError as exc:
            if first:
                raise  # the command itself is wrong: stop with exit code 2
            print(f"error: {exc}", file=err, flush=True)  # e.g. the last pack was deleted
            result = BuildResult()
        else:
            report(result, err, watching=True)
        if on_build:
            on_build(packs, result)

    if not options.content.is_dir():
        raise UsageError(f"the content folder {display_path(options.content)!r} does not exist")
    # The watcher starts before the first build, so a file saved during that build is not missed;
    # it yields an empty set each READY_MS without changes, the first time once it is watching.
    changes_seen = watchfiles.watch(options.content, templates, debounce=DEBOUNCE_MS,
                                    stop_event=stop, yield_on_timeout=True, rust_timeout=READY_MS)
    try:
        next(changes_seen, None)
        rebuild(options.packs, first=True)
        _say(err, quiet, f"watching {display_path(options.content)} and the templates; "
                         "Ctrl-C stops")
        for changes in changes_seen:
            packs = affected((path for _, path in changes), options, templates)
            if packs is None:
                continue
            _say(err, quiet, "changed: " + ", ".join(sorted(
                display_path(Path(p)) for _, p in changes)) + " -> rebuilding "
                + (", ".join(packs) if packs else "all packs"))
            # A template outside the builder's own (a test's) is not in the inputs' hashes.
            rebuild(packs, force=any(_inside(Path(p).resolve(), templates.resolve())
                                     for _, p in changes))
    except KeyboardInterrupt:
        _say(err, quiet, "stopped watching")
    finally:
        changes_seen.close()
    return ExitCode.OK


def _say(err: TextIO, quiet: bool, message: str) -> None:
    if not quiet:
        print(message, file=err, flush=True)
