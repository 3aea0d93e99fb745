"""The build: find packs, load them all, then render and write each edition of each pack."""

from __future__ import annotations

import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from .options import EDITIONS, build_date
from .parallel import Failure, Runner, Stats, default_jobs

if TYPE_CHECKING:  # the model, loader and renderer load only when something is to be built
    import jinja2

    from .incremental import BuildCache
    from .model import ContentError, LoadedPack
    from .render import RenderOptions

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
    jobs: int = field(default_factory=default_jobs)
    force: bool = False


@dataclass
class BuildResult:
    written: list[Path] = field(default_factory=list)
    errors: list[ContentError] = field(default_factory=list)
    checked: list[LoadedPack] = field(default_factory=list)
    up_to_date: list[Path] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    runs: list[tuple[Written, Stats]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors and not self.failures


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


@dataclass(frozen=True)
class Written:
    target: Path
    pages: int
    seconds: float  # wall clock; the stages below in CPU seconds
    render_seconds: float = 0.0
    layout_seconds: float = 0.0
    write_seconds: float = 0.0


def plan(options: BuildOptions, packs: list[LoadedPack]) -> list[Job]:
    """Every file this build writes, in order."""
    from .render import RenderOptions

    render_options = RenderOptions(paper=options.paper, build_date=build_date())
    return [
        Job(pack, edition, options.output / output_name(pack.pack_id, edition),
            options.content, render_options)
        for pack in packs
        for edition in options.editions
    ]


def run_job(job: Job, env: jinja2.Environment | None = None) -> Written:
    """Render one job to its PDF and move it into place; the previous file survives a failure.

    `env`: the Jinja2 environment of this process, made once, so templates compile once."""
    from .pdf import html_to_pdf, write_atomic
    from .render import make_environment, render_html

    started, cpu = time.perf_counter(), time.process_time()
    env = env or make_environment()
    html = render_html(env, job.pack, job.pack.parts(), job.edition, job.render)
    rendered = time.process_time()
    pdf = html_to_pdf(html, job.content_root)
    write_atomic(job.target, pdf.data)
    return Written(job.target, pdf.pages, time.perf_counter() - started, rendered - cpu,
                   pdf.layout_seconds, pdf.write_seconds)


def load_all(paths: list[Path], result: BuildResult) -> list[LoadedPack]:
    from .load import load_pack
    from .model import ContentErrors

    loaded: list[LoadedPack] = []
    for path in paths:
        try:
            loaded.append(load_pack(path, display_path(path)))
        except ContentErrors as exc:
            result.errors.extend(exc.errors)
    return loaded


def planned_outputs(options: BuildOptions, pack_path: Path) -> list[tuple[str, Path]]:
    """(edition, target) of each file plan() makes of this pack, known before loading it."""
    return [(edition, options.output / output_name(pack_path.stem, edition))
            for edition in options.editions]


def build(options: BuildOptions, out: TextIO | None = None, err: TextIO | None = None
          ) -> BuildResult:
    """Load every chosen pack, report all content errors, and write the PDFs of the good ones
    whose inputs changed since they were last written."""
    from .incremental import BuildCache, options_shape

    out, err = out or sys.stdout, err or sys.stderr
    result = BuildResult()
    paths = find_packs(options.content, options.packs)
    if options.check:
        result.checked = load_all(paths, result)
        return result
    cache = BuildCache(options.output, options_shape(options, build_date()))
    stale, documents = [], 0
    for path in paths:
        outputs = planned_outputs(options, path)
        to_build = outputs if options.force else cache.stale_outputs(path, outputs)
        if to_build:
            stale.append(path)
            documents += len(to_build)
        else:
            result.up_to_date.extend(target for _, target in outputs)
    if stale:
        build_stale(options, stale, documents, cache, result, out, err)
    cache.save()
    for target in result.up_to_date:
        print(f"up to date: {display_path(target)}", file=err)
    return result


def build_stale(options: BuildOptions, stale: list[Path], documents: int, cache: BuildCache,
                result: BuildResult, out: TextIO, err: TextIO) -> None:
    """Load the packs that changed and write their files, in worker processes when it pays."""
    from .pdf import collector_paused

    with collector_paused():  # imported before the workers fork, so that they inherit them
        from . import load, render  # noqa: F401 (load)

    with Runner(options.jobs, expected=documents, setup=render.make_environment) as runner:
        result.checked = load_all(stale, result)
        jobs = stale_jobs(options, result, cache)
        for job, outcome, stats in runner.run(run_job, jobs, cost=job_cost):
            if isinstance(outcome, Failure):
                result.failures.append(f"error: {display_path(Path(job.pack.path))}: building the "
                                       f"{job.edition} failed: {outcome.message}")
                print(outcome.detail, file=err)
                continue
            cache.remember_output(job)
            result.written.append(outcome.target)
            result.runs.append((outcome, stats))
            print(display_path(outcome.target), file=out, flush=True)


def stale_jobs(options: BuildOptions, result: BuildResult, cache: BuildCache) -> list[Job]:
    """The jobs whose file is missing or out of date; the others are added to result.up_to_date."""
    for pack in result.checked:
        cache.remember_pack(pack)
    jobs = []
    for job in plan(options, result.checked):
        if not options.force and cache.job_is_current(job):
            result.up_to_date.append(job.target)
        else:
            jobs.append(job)
    return jobs


def job_cost(job: Job) -> int:
    """A guess of a job's work, to start the longest first: the size of its pack file."""
    return Path(job.pack.path).stat().st_size
