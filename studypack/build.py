"""The build: find packs, load them all, then render and write each edition of each pack."""

from __future__ import annotations

import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from .editions import ALL_EDITIONS
from .load import load_pack
from .model import ContentError, ContentErrors, LoadedPack, Part
from .render import RenderOptions
from .select import Selection, SelectionError, select, variant_code

PACK_SUFFIXES = (".yaml", ".yml")


class UsageError(Exception):
    """The command was asked for something that cannot be (exit code 2)."""


@dataclass(frozen=True)
class BuildOptions:
    content: Path = Path("content")
    output: Path = Path("output")
    packs: tuple[str, ...] = ()
    editions: tuple[str, ...] = ALL_EDITIONS
    paper: str = "a4"
    check: bool = False
    selection: Selection = Selection()
    back_offset_mm: tuple[float, float] = (0.0, 0.0)


@dataclass
class BuildResult:
    written: list[Path] = field(default_factory=list)
    errors: list[ContentError] = field(default_factory=list)
    checked: list[LoadedPack] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def display_path(path: Path) -> str:
    """The path as the author would type it: relative to the working folder when inside it."""
    try:
        return os.path.relpath(path)
    except ValueError:
        return str(path)


def find_packs(content: Path, names: tuple[str, ...]) -> list[Path]:
    """The pack files to build: all in the content folder, or the ones named."""
    if not content.is_dir():
        raise UsageError(f"the content folder {display_path(content)!r} does not exist")
    available = {p.stem: p for p in sorted(content.iterdir())
                 if p.suffix in PACK_SUFFIXES and p.is_file() and not p.name.startswith(".")}
    if not names:
        if not available:
            raise UsageError(f"no packs (*.yaml) in {display_path(content)!r}")
        return list(available.values())
    chosen = []
    for name in names:
        stem = Path(name).stem if name.endswith(PACK_SUFFIXES) else name
        if stem not in available:
            known = ", ".join(available) or "none"
            raise UsageError(f"no pack {name!r} in {display_path(content)!r} (packs there: {known})")
        chosen.append(available[stem])
    return list(dict.fromkeys(chosen))


def output_name(pack_id: str, edition: str, variant: str | None = None) -> str:
    """`aws-lambda-worksheet.pdf`, `aws-lambda-worksheet-seed-7.pdf`, `aws-lambda-seed-7.apkg`."""
    suffix = f"-{variant}" if variant else ""
    if edition == "anki":
        return f"{pack_id}{suffix}.apkg"
    return f"{pack_id}-{edition}{suffix}.pdf"


@dataclass(frozen=True)
class Job:
    """One output file: an edition of a pack, rendered with the given options."""

    pack: LoadedPack
    edition: str
    target: Path
    content_root: Path
    render: RenderOptions
    parts: tuple[Part, ...] = ()  # the selected questions; empty: the whole pack


@dataclass(frozen=True)
class Written:
    target: Path
    pages: int
    seconds: float


def plan(options: BuildOptions, packs: list[LoadedPack]) -> list[Job]:
    """Every file this build writes, in order."""
    jobs = []
    for pack in packs:
        try:
            parts = tuple(select(pack, options.selection))
            variant = variant_code(pack, options.selection)
        except SelectionError as exc:
            raise UsageError(str(exc)) from None
        render_options = RenderOptions(paper=options.paper, variant=variant,
                                       back_offset_mm=options.back_offset_mm)
        jobs.extend(
            Job(pack, edition, options.output / output_name(pack.pack_id, edition, variant),
                options.content, render_options, parts)
            for edition in options.editions
        )
    return jobs


def run_job(job: Job) -> Written:
    """Render one job to its file and move it into place; the previous file survives a failure."""
    from .editions import produce
    from .pdf import write_atomic

    started = time.perf_counter()
    parts = list(job.parts) or job.pack.parts()
    output = produce(job.pack, parts, job.edition, job.render, job.content_root)
    write_atomic(job.target, output.data)
    return Written(job.target, output.pages, time.perf_counter() - started)


def load_all(options: BuildOptions, result: BuildResult) -> list[LoadedPack]:
    loaded: list[LoadedPack] = []
    for path in find_packs(options.content, options.packs):
        try:
            loaded.append(load_pack(path, display_path(path)))
        except ContentErrors as exc:
            result.errors.extend(exc.errors)
    return loaded


def build(options: BuildOptions, out: TextIO = sys.stdout) -> BuildResult:
    """Load every chosen pack, report all content errors, and write the PDFs of the good ones."""
    result = BuildResult()
    result.checked = load_all(options, result)
    jobs = plan(options, result.checked)  # a selection the packs cannot satisfy stops here
    if options.check:
        return result
    for job in jobs:
        written = run_job(job)
        result.written.append(written.target)
        print(display_path(written.target), file=out, flush=True)
    return result
