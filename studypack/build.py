"""The build: find packs, load them all, then render and write each edition of each pack."""

from __future__ import annotations

import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from .load import load_pack
from .model import ContentError, ContentErrors, LoadedPack
from .progress import Progress
from .render import EDITIONS, RenderOptions, make_environment, render_html

PACK_SUFFIXES = (".yaml", ".yml")


class UsageError(Exception):
    """The command was asked for something that cannot be (exit code 2)."""


@dataclass(frozen=True)
class BuildOptions:
    content: Path = Path("content")
    output: Path = Path("output")
    packs: tuple[str, ...] = ()
    editions: tuple[str, ...] = EDITIONS
    paper: str = "a4"
    check: bool = False
    booklet: bool = False
    html: bool = False


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


def output_name(pack_id: str, edition: str) -> str:
    return f"{pack_id}-{edition}.pdf"


@dataclass(frozen=True)
class Job:
    """One output file: an edition of a pack, rendered with the given options."""

    pack: LoadedPack
    edition: str
    target: Path
    content_root: Path
    render: RenderOptions
    booklet: Path | None = None  # where the saddle-stitch imposition goes, when asked for
    html: bool = False


@dataclass(frozen=True)
class Written:
    target: Path
    pages: int
    seconds: float
    booklet: Path | None = None


def plan(options: BuildOptions, packs: list[LoadedPack]) -> list[Job]:
    """Every file this build writes, in order."""
    from .booklet import booklet_name

    render_options = RenderOptions(paper=options.paper)
    return [
        Job(pack, edition, options.output / output_name(pack.pack_id, edition),
            Path(pack.path).parent, render_options,  # images were checked against this folder
            options.output / booklet_name(pack.pack_id, edition) if options.booklet else None,
            options.html)
        for pack in packs
        for edition in options.editions
    ]


def run_job(job: Job) -> Written:
    """Render one job to its PDF and move it into place; the previous file survives a failure."""
    from .pdf import RefusedResource, html_to_pdf, write_atomic

    started = time.perf_counter()
    html = render_html(make_environment(), job.pack, job.pack.parts(), job.edition, job.render)
    if job.html:
        from .preview import write_preview

        write_preview(html, job.target.with_suffix(".html"))
    try:
        pdf = html_to_pdf(html, job.content_root)
    except RefusedResource as exc:  # the load-time checks should have caught it: say what
        raise ContentErrors([ContentError(display_path(Path(job.pack.path)), 1, 1,
                                          f"the {job.edition} was not written: {refused}")
                             for refused in exc.refused]) from None
    write_atomic(job.target, pdf.data)
    if job.booklet:
        from .booklet import impose

        write_atomic(job.booklet, impose(pdf.data))
    return Written(job.target, pdf.pages, time.perf_counter() - started, job.booklet)


def load_all(options: BuildOptions, result: BuildResult) -> list[LoadedPack]:
    loaded: list[LoadedPack] = []
    for path in find_packs(options.content, options.packs):
        try:
            loaded.append(load_pack(path, display_path(path)))
        except ContentErrors as exc:
            result.errors.extend(exc.errors)
    return loaded


def build(options: BuildOptions, out: TextIO | None = None, progress: Progress | None = None
          ) -> BuildResult:
    """Load every chosen pack, report all content errors, and write the PDFs of the good ones."""
    out = out or sys.stdout
    result = BuildResult()
    result.checked = load_all(options, result)
    if options.check:
        return result
    jobs = plan(options, result.checked)
    if progress:
        progress.start(len(jobs))
    try:
        for job in jobs:
            try:
                written = run_job(job)
            except ContentErrors as exc:
                result.errors.extend(exc.errors)
                continue
            for target in (written.target, written.booklet):
                if target:
                    result.written.append(target)
                    print(display_path(target), file=out, flush=True)
            if progress:
                progress.written(written)
    finally:
        if progress:
            progress.stop()
    return result
