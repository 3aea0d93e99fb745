"""The build: find packs, load them all, then render and write each edition of each pack."""

from __future__ import annotations

import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from .atomic import Staged, commit, discard, stage
from .editions import ALL_EDITIONS
from .load import load_pack
from .model import ContentError, ContentErrors, LoadedPack, Part
from .progress import Progress
from .render import EDITIONS, RenderOptions
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
    booklet: bool = False
    html: bool = False
    selection: Selection = Selection()
    back_offset_mm: tuple[float, float] = (0.0, 0.0)


@dataclass
class BuildResult:
    written: list[Path] = field(default_factory=list)
    errors: list[ContentError] = field(default_factory=list)
    checked: list[LoadedPack] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)

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
    booklet: Path | None = None  # where the saddle-stitch imposition goes, when asked for
    html: bool = False
    parts: tuple[Part, ...] = ()  # the selected questions; empty: the whole pack


@dataclass(frozen=True)
class Written:
    target: Path
    pages: int
    seconds: float
    staged: tuple[Staged, ...]  # the new files, not yet in place
    booklet: Path | None = None


@dataclass(frozen=True)
class Failure:
    """A pack whose files could not be made: its previous PDFs are left as they were."""

    pack: LoadedPack
    step: str  # what could not be done: "build the worksheet", "move its PDFs into place"
    error: Exception

    @property
    def is_bug(self) -> bool:
        """True unless the system refused (disk full, no permission): then it is not our bug."""
        return not isinstance(self.error, OSError)

    def __str__(self) -> str:
        return (f"{display_path(Path(self.pack.path))}: error: could not {self.step} "
                f"({type(self.error).__name__}: {self.error}); its earlier PDFs are unchanged")


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
        for edition in options.editions:
            target = options.output / output_name(pack.pack_id, edition, variant)
            booklet = options.booklet and edition in EDITIONS
            jobs.append(Job(pack, edition, target,
                            Path(pack.path).parent,  # images were checked against this folder
                            render_options,
                            target.with_name(f"{target.stem}-booklet.pdf") if booklet else None,
                            options.html, parts))
    return jobs


def run_job(job: Job) -> Written:
    """Render one job to staged files beside its targets; the targets are not touched yet."""
    from .editions import produce
    from .pdf import RefusedResource

    started = time.perf_counter()
    parts = list(job.parts) or job.pack.parts()
    try:
        output = produce(job.pack, parts, job.edition, job.render, job.content_root)
    except RefusedResource as exc:  # the load-time checks should have caught it: say what
        raise ContentErrors([ContentError(display_path(Path(job.pack.path)), 1, 1,
                                          f"the {job.edition} was not written: {refused}")
                             for refused in exc.refused]) from None
    if job.html and output.html:
        from .preview import write_preview

        write_preview(output.html, job.target.with_suffix(".html"))
    staged = [stage(job.target, output.data)]
    if job.booklet:
        from .booklet import impose

        staged.append(stage(job.booklet, impose(output.data)))
    return Written(job.target, output.pages, time.perf_counter() - started, tuple(staged),
                   job.booklet)


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
    jobs = plan(options, result.checked)  # a selection the packs cannot satisfy stops here
    if options.check:
        return result
    if progress:
        progress.start(len(jobs))
    try:
        for group in _by_pack(jobs):
            for written in build_pack(group, result):
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


def _by_pack(jobs: list[Job]) -> list[list[Job]]:
    groups: dict[int, list[Job]] = {}
    for job in jobs:
        groups.setdefault(id(job.pack), []).append(job)
    return list(groups.values())


def build_pack(jobs: list[Job], result: BuildResult) -> list[Written]:
    """Every file of one pack, moved into place together; on any failure, none of them."""
    from .pdf import MissingSystemLibraries

    written: list[Written] = []
    step = ""
    try:
        try:
            for job in jobs:
                step = f"build the {job.edition}"
                written.append(run_job(job))
            step = "move its new PDFs into place"
            commit([s for w in written for s in w.staged])
        except MissingSystemLibraries:
            raise
        except ContentErrors as exc:  # a resource the fetcher refused: the pack's content is at fault
            result.errors.extend(exc.errors)
            discard([s for w in written for s in w.staged])
            return []
        except Exception as exc:  # a bug or a full disk: this pack fails, the others go on
            result.failures.append(Failure(jobs[0].pack, step, exc))
            discard([s for w in written for s in w.staged])
            return []
    except BaseException:  # Ctrl-C among them: no temporary file stays behind
        discard([s for w in written for s in w.staged])
        raise
    return written
