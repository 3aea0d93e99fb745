"""The build's plan: one job for each file, what rendering one job makes, and which jobs share a
process (an edition that prints another's page numbers runs after it, in its process)."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .atomic import Staged, discard, stage
from .exitcodes import UsageError
from .options import EDITION, EDITIONS, PAGED_BY_OTHERS, BuildOptions, build_date
from .paths import booklet_target, display_path, output_name

if TYPE_CHECKING:  # the model and the renderer load only when something is to be built
    from .model import ContentError, LoadedPack, Part
    from .options import Selection
    from .render import RenderOptions
    from .session import RenderSession


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
    parts: tuple[Part, ...] = ()  # the selected questions; empty: the whole pack

    @property
    def targets(self) -> tuple[Path, ...]:
        return (self.target, self.booklet) if self.booklet else (self.target,)


@dataclass(frozen=True)
class Written:
    target: Path
    pages: int
    seconds: float  # wall clock; the stages below in CPU seconds
    staged: tuple[Staged, ...]  # the new files, not yet in place
    booklet: Path | None = None
    render_seconds: float = 0.0
    layout_seconds: float = 0.0
    write_seconds: float = 0.0


@dataclass(frozen=True)
class Refused:
    """Content errors found while rendering (a resource the fetcher refused), as a result."""

    errors: tuple[ContentError, ...]


def plan(options: BuildOptions, packs: list[LoadedPack]) -> list[Job]:
    """Every file this build writes, in order; a selection a pack cannot satisfy is a UsageError."""
    from .render import RenderOptions

    when = build_date()  # once per build: every file of it prints the same date
    jobs = []
    for pack in packs:
        for selection in options.selections:
            parts, variant = variant_of(pack, selection)
            render_options = RenderOptions(paper=options.paper, build_date=when, variant=variant,
                                           back_offset_mm=options.back_offset_mm)
            for edition in options.editions:
                target = options.output / output_name(pack.pack_id, edition, variant)
                booklet = options.booklet and edition in EDITIONS
                jobs.append(Job(pack, edition, target,
                                Path(pack.path).parent,  # images were checked against it
                                render_options, booklet_target(target) if booklet else None,
                                options.html, parts))
    return jobs


def variant_of(pack: LoadedPack, selection: Selection) -> tuple[tuple[Part, ...], str | None]:
    """The parts and variant code of one selection; one the pack cannot satisfy is a UsageError."""
    from .select import SelectionError, select, variant_code

    try:
        return tuple(select(pack, selection)), variant_code(pack, selection)
    except SelectionError as exc:
        raise UsageError(str(exc)) from None


def run_job(job: Job, session: RenderSession | None = None) -> Written | Refused:
    """Render one job to staged files beside its targets; the targets are not touched yet.

    `session`: what this process's documents of this build share (templates compiled once,
    stylesheets parsed once, page maps); without one, a session for this job alone."""
    from .editions import produce
    from .model import ContentError
    from .pdf import RefusedResource

    started = time.perf_counter()
    parts = list(job.parts) or job.pack.parts()
    try:
        if session is None:
            from .session import RenderSession

            with RenderSession() as own:
                output = produce(own, job.pack, parts, job.edition, job.render, job.content_root,
                                 job.target)
        else:
            output = produce(session, job.pack, parts, job.edition, job.render, job.content_root,
                             job.target)
    except RefusedResource as exc:  # the load-time checks should have caught it: say what
        return Refused(tuple(ContentError(display_path(Path(job.pack.path)), 1, 1,
                                          f"the {job.edition} was not written: {refused}")
                             for refused in exc.refused))
    if job.html and output.html:
        from .preview import write_preview

        write_preview(output.html, job.target.with_suffix(".html"))
    staged = [stage(job.target, output.data)]
    try:
        if job.booklet:
            from .booklet import impose

            staged.append(stage(job.booklet, impose(output.data)))
    except BaseException:
        discard(staged)
        raise
    return Written(job.target, output.pages, time.perf_counter() - started, tuple(staged),
                   job.booklet, output.render_seconds, output.layout_seconds,
                   output.write_seconds)


def shared_layout(job: Job) -> tuple[str, str, str | None] | None:
    """Editions that print another's page numbers run in one process with it, after it: the
    answer key with its worksheet, the flashcards with their guide (options.EDITION_TABLE), so
    that the layout made for one serves the other. None for the editions that run anywhere."""
    edition = EDITION[job.edition]
    cited = edition.pages_of or (job.edition if job.edition in PAGED_BY_OTHERS else None)
    return (job.pack.path, cited, job.render.variant) if cited else None  # per variant


def job_cost(job: Job) -> float:
    """A guess of a job's work, to start the longest first: its pack's size times its edition's
    weight."""
    return Path(job.pack.path).stat().st_size * EDITION[job.edition].cost
