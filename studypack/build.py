"""The build: find packs, skip what is up to date, load the rest, render the plan's jobs, write.

BuildOptions lives in options.py and the plan in jobs.py; both are re-exported here."""

from __future__ import annotations

import functools
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from .atomic import commit, discard, sweep, sweep_stale
from .exitcodes import UsageError
from .jobs import Job, Refused, Written, job_cost, plan, run_job, shared_layout
from .options import BuildOptions, build_date
from .parallel import Failure as WorkerFailure
from .parallel import Runner, Stats
from .paths import PACK_SUFFIXES, display_path, output_name

if TYPE_CHECKING:  # the model, loader and renderer load only when something is to be built
    from .incremental import BuildCache
    from .model import ContentError, LoadedPack
    from .progress import Progress


@dataclass(frozen=True)
class Failure:
    """A pack whose files could not be made: its previous files are left as they were."""

    pack_path: str
    step: str  # what could not be done: "build the worksheet", "move its files into place"
    message: str
    detail: str = ""  # the traceback, for a bug report
    is_bug: bool = True  # False when the system refused (disk full, no permission)

    def __str__(self) -> str:
        return (f"{self.pack_path}: error: could not {self.step} ({self.message}); "
                f"its earlier PDFs are unchanged")


@dataclass
class BuildResult:
    written: list[Path] = field(default_factory=list)
    errors: list[ContentError] = field(default_factory=list)
    checked: list[LoadedPack] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    up_to_date: list[Path] = field(default_factory=list)
    runs: list[tuple[Written, Stats]] = field(default_factory=list)



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
    """(edition, target) of each file plan() makes of this pack, known before loading it; the
    booklets ride on their edition's key."""
    return [(edition, options.output / output_name(pack_path.stem, edition))
            for edition in options.editions]


def build(options: BuildOptions, out: TextIO | None = None, progress: Progress | None = None,
          err: TextIO | None = None) -> BuildResult:
    """Load the chosen packs, report all content errors, and write the files of the good ones
    whose inputs changed since they were last written."""
    from .incremental import BuildCache, options_shape

    out, err = out or sys.stdout, err or sys.stderr
    result = BuildResult()
    paths = find_packs(options.content, options.packs)
    if options.check:
        result.checked = load_all(paths, result)
        plan(options, result.checked)  # a selection the packs cannot satisfy is an error too
        return result
    sweep_stale(options.output)  # what a killed build left behind
    cache = BuildCache(options.output, options_shape(options, build_date()))
    stale, documents = [], 0
    for path in paths:
        outputs = planned_outputs(options, path)
        if options.force or not options.selection.is_plain or options.booklet:
            to_build = outputs  # named by variant, or with booklets: known once loaded
        else:
            to_build = cache.stale_outputs(path, outputs)
        if to_build:
            stale.append(path)
            documents += len(to_build)
        else:
            result.up_to_date.extend(target for _, target in outputs)
    if stale:
        build_stale(options, stale, documents, cache, result, out, progress)
    cache.save()
    for target in result.up_to_date:
        print(f"up to date: {display_path(target)}", file=err)
    return result


def build_stale(options: BuildOptions, stale: list[Path], documents: int, cache: BuildCache,
                result: BuildResult, out: TextIO, progress: Progress | None) -> None:
    """Load the packs that changed and write their files, in worker processes when it pays; each
    pack's files move into place together, or not at all."""
    from .layoutstore import LayoutStore
    from .pdf import importing

    with importing():  # imported before the workers fork, so that they inherit them
        from . import editions, load, session  # noqa: F401 (editions, load)

    # Each process's session finds the layouts of earlier builds into this folder (not with
    # --force, which lays everything out afresh) and keeps its own there.
    layouts = LayoutStore(options.output, cache.builder, read=not options.force)
    jobs: list[Job] = []
    pending: list[tuple[Job, object]] = []
    try:
        with Runner(options.jobs, expected=documents, memory_limit=options.memory_limit,
                    setup=functools.partial(session.RenderSession, layouts=layouts)) as runner:
            result.checked = load_all(stale, result)
            jobs = stale_jobs(options, result, cache)
            if progress:
                progress.start(len(jobs))
            results = runner.run(run_job, jobs, cost=job_cost, together=shared_layout)
            for index, (job, outcome, stats) in enumerate(results):
                pending.append((job, outcome))
                if isinstance(outcome, Written):
                    result.runs.append((outcome, stats))
                if index + 1 == len(jobs) or jobs[index + 1].pack is not job.pack:
                    finish_pack(pending, cache, result, out, progress)
                    pending = []
    except BaseException:  # Ctrl-C: once the workers have stopped, no temporary file stays behind
        for _, outcome in pending:
            if isinstance(outcome, Written):
                discard(list(outcome.staged))
        sweep([target for job in jobs for target in job.targets])
        raise
    finally:
        if progress:
            progress.stop()


def finish_pack(done: list[tuple[Job, object]], cache: BuildCache, result: BuildResult,
                out: TextIO, progress: Progress | None) -> None:
    """Move one pack's new files into place if every one was made; else keep its old files."""
    written = [outcome for _, outcome in done if isinstance(outcome, Written)]
    staged = [s for w in written for s in w.staged]
    pack_path = display_path(Path(done[0][0].pack.path))
    refused = [e for _, outcome in done if isinstance(outcome, Refused) for e in outcome.errors]
    failed = [(job, outcome) for job, outcome in done if isinstance(outcome, WorkerFailure)]
    if refused or failed:
        discard(staged)
        result.errors.extend(refused)
        result.failures.extend(
            Failure(pack_path, f"build the {job.edition}", outcome.message, outcome.detail,
                    outcome.is_bug)
            for job, outcome in failed)
        return
    try:
        commit(staged)
    except OSError as exc:
        result.failures.append(Failure(pack_path, "move its new PDFs into place",
                                       f"{type(exc).__name__}: {exc}", is_bug=False))
        return
    for job, outcome in done:
        cache.remember_output(job)
        for target in (outcome.target, outcome.booklet):
            if target:
                result.written.append(target)
                print(display_path(target), file=out, flush=True)
        if progress:
            progress.written(outcome)


def stale_jobs(options: BuildOptions, result: BuildResult, cache: BuildCache) -> list[Job]:
    """The jobs whose files are missing or out of date; the others go to result.up_to_date."""
    for pack in result.checked:
        cache.remember_pack(pack)
    jobs = []
    for job in plan(options, result.checked):
        if not options.force and cache.job_is_current(job):
            result.up_to_date.extend(job.targets)
        else:
            jobs.append(job)
    return jobs


__all__ = ["BuildOptions", "BuildResult", "Failure", "Job", "Written", "build", "plan",
           "run_job", "shared_layout", "job_cost", "Refused"]
