"""Class sets: one seeded variant per candidate, merged into one worksheets PDF and one keys PDF,
each variant from an odd page, with its tags, bookmarks and variant code kept."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from .exitcodes import UsageError
from .paths import display_path
from .pdfmerge import merge

if TYPE_CHECKING:

    from .build import BuildResult
    from .editions import Output
    from .jobs import Job
    from .options import BuildOptions
    from .session import RenderSession

CLASS_EDITIONS = ("worksheet", "answer-key")  # what a coach hands out and grades with
FILE_KINDS = {"worksheet": "worksheets", "answer-key": "keys"}


class RosterError(Exception):
    """A roster that cannot be used: `FILE:LINE: message` (exit 1)."""

    def __init__(self, path: str, line: int | None, message: str):
        super().__init__(f"{path}:{line}: {message}" if line else f"{path}: {message}")


@dataclass(frozen=True)
class ClassSet:
    """The variants of a class set, in order: a seed each, and the candidate's name if known."""

    seeds: tuple[str, ...]
    names: tuple[str | None, ...]


def class_set_name(pack_id: str, edition: str) -> str:
    """`aws-lambda-class-set-worksheets.pdf`, `aws-lambda-class-set-keys.pdf`."""
    return f"{pack_id}-class-set-{FILE_KINDS[edition]}.pdf"


def read_roster(path: Path) -> list[str]:
    """The names of a roster file: one a line, UTF-8, blank lines ignored, each name once."""
    shown = display_path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise RosterError(shown, None, f"cannot read the roster ({exc.strerror or exc})") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise RosterError(shown, line, "the roster is not UTF-8 text") from None
    names: list[str] = []
    seen: dict[str, int] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        name = " ".join(raw.split())
        if not name:
            continue
        if any(not ch.isprintable() for ch in name):
            raise RosterError(shown, number, "a name holds a control character")
        if len(name) > 80:
            raise RosterError(shown, number, f"a name of {len(name)} characters (at most 80)")
        if name.casefold() in seen:
            raise RosterError(shown, number, f"{name!r} is already on line {seen[name.casefold()]}"
                                             " (one variant per candidate: tell them apart)")
        seen[name.casefold()] = number
        names.append(name)
    if not names:
        raise RosterError(shown, None, "the roster holds no names (one name a line)")
    return names


def class_set_from(count: int | None, seeds: list[str], roster: Path | None) -> ClassSet:
    """The variants --class-set N, --seed S (once or more) and --roster FILE ask for."""
    names = read_roster(roster) if roster is not None else None
    if len(seeds) > 1:  # the variants are named one by one
        chosen = list(dict.fromkeys(seeds))
        if len(chosen) != len(seeds):
            raise UsageError("--seed: the same seed given twice would make two identical variants")
        for flag, wanted in (("--class-set", count), ("--roster", len(names) if names else None)):
            if wanted is not None and wanted != len(chosen):
                raise UsageError(f"{flag} asks for {wanted} variants but {len(chosen)} seeds "
                                 "were given: give as many seeds as variants, or one --seed S")
    else:
        start = seeds[0] if seeds else "1"
        if not start.isdigit():
            raise UsageError(f"--seed {start!r}: a class set counts up from --seed S, "
                             "so S must be a whole number")
        wanted = count if count is not None else len(names)
        if names and wanted != len(names):
            raise UsageError(f"--class-set {count} but the roster holds {len(names)} names: "
                             "leave out --class-set to make one variant per name")
        chosen = [str(int(start) + i) for i in range(wanted)]
    return ClassSet(tuple(chosen), tuple(names) if names else (None,) * len(chosen))


def class_editions(editions: tuple[str, ...] | None) -> tuple[str, ...]:
    """The editions of a class set: the worksheet and the key, or the one of them asked for."""
    if not editions:
        return CLASS_EDITIONS
    other = [e for e in editions if e not in CLASS_EDITIONS]
    if other:
        raise UsageError(f"--class-set makes worksheets and answer keys, not {', '.join(other)}: "
                         "build the other editions without --class-set")
    return tuple(e for e in CLASS_EDITIONS if e in editions)


# --- The build ------------------------------------------------------------------------------

def plan_class_sets(options: BuildOptions, class_set: ClassSet, packs) -> list[Job]:
    """Every document of every variant, pack by pack, the worksheet before its key."""
    from .jobs import Job, variant_of
    from .options import build_date
    from .render import RenderOptions

    when = build_date()
    jobs = []
    for pack in packs:
        for seed, name in zip(class_set.seeds, class_set.names):
            parts, variant = variant_of(pack, replace(options.selection, seed=seed))
            render = RenderOptions(paper=options.paper, build_date=when, variant=variant,
                                   candidate=name)
            for edition in options.editions:
                jobs.append(Job(pack, edition, options.output / class_set_name(pack.pack_id,
                                                                               edition),
                                Path(pack.path).parent, render, parts=parts))
    return jobs


def variant_document(job: Job, session: RenderSession) -> Output:
    """The PDF of one edition of one variant (in a worker process)."""
    from .editions import produce

    return produce(session, job.pack, list(job.parts), job.edition, job.render, job.content_root)


def _together(job: Job) -> tuple[str, str | None]:
    return (job.pack.path, job.render.variant)  # the key reuses its worksheet's layout


def build_class_sets(options: BuildOptions, class_set: ClassSet, out: TextIO) -> BuildResult:
    """Load the packs, make every variant's documents, and write each pack's class-set files
    (both in place together, or neither: a failed build keeps the earlier files)."""
    from .build import BuildResult, Failure, find_packs, load_all
    from .jobs import job_cost
    from .parallel import Failure as WorkerFailure
    from .parallel import Runner
    from .pdf import importing

    with importing():  # before the workers fork, so that they inherit them
        from . import editions, load, session  # noqa: F401 (editions, load)
    result = BuildResult()
    result.checked = load_all(find_packs(options.content, options.packs), result)
    jobs = plan_class_sets(options, class_set, result.checked)
    if options.check or not jobs:
        return result
    documents: dict[str, list[tuple[Job, object]]] = {}
    with Runner(options.jobs, expected=len(jobs), setup=session.RenderSession,
                memory_limit=options.memory_limit) as runner:
        for job, outcome, _ in runner.run(variant_document, jobs, cost=job_cost,
                                          together=_together):
            documents.setdefault(job.pack.path, []).append((job, outcome))
    for pack_path, done in documents.items():
        failed = [(job, o) for job, o in done if isinstance(o, WorkerFailure)]
        if failed:
            result.failures.extend(
                Failure(display_path(Path(pack_path)), f"build the {job.edition} of variant "
                        f"{job.render.variant}", o.message, o.detail, o.is_bug)
                for job, o in failed)
            continue
        write_pack(done, result, out)
    return result


def write_pack(done: list[tuple[Job, Output]], result: BuildResult, out: TextIO) -> None:
    from .atomic import commit, discard, stage
    from .build import Failure

    staged = []
    try:
        for target in dict.fromkeys(job.target for job, _ in done):
            variants = [(bookmark_label(job), output.data) for job, output in done
                        if job.target == target]
            first = next(job for job, _ in done if job.target == target)
            title = f"{first.pack.pack.title} · Class set, {FILE_KINDS[first.edition]}"
            staged.append(stage(target, merge(variants, title)))
        commit(staged)
    except OSError as exc:
        discard(staged)
        result.failures.append(Failure(display_path(Path(done[0][0].pack.path)),
                                       "move its class-set PDFs into place",
                                       f"{type(exc).__name__}: {exc}", is_bug=False))
        return
    except BaseException:
        discard(staged)
        raise
    for s in staged:
        result.written.append(s.target)
        print(display_path(s.target), file=out, flush=True)


def bookmark_label(job: Job) -> str:
    """`Variant seed-7: Ada Lovelace`, or `Variant seed-7` without a roster."""
    label = f"Variant {job.render.variant}"
    return f"{label}: {job.render.candidate}" if job.render.candidate else label


# --- Merging --------------------------------------------------------------------------------
