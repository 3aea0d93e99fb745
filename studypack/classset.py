"""Class sets: one seeded variant per candidate, merged into one worksheets PDF and one keys PDF,
each variant from an odd page, with its tags, bookmarks and variant code kept."""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from .exitcodes import UsageError
from .paths import display_path

if TYPE_CHECKING:
    import pikepdf

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

def merge(documents: list[tuple[str, bytes]], title: str) -> bytes:
    """One tagged PDF of the documents, in order: each from an odd page (a blank page after an
    odd-paged one), one bookmark per document holding its own bookmarks, one structure tree
    (a Part per document under one Document), and the same bytes for the same input."""
    import pikepdf

    from .record import VARIANT_KEY

    merged = pikepdf.open(io.BytesIO(documents[0][1]))
    tree = merged.Root.StructTreeRoot
    top = merged.make_indirect(pikepdf.Dictionary(
        Type=pikepdf.Name.StructElem, S=pikepdf.Name.Document, P=tree, K=pikepdf.Array()))
    nums = pikepdf.Array()
    outline: list[tuple[str, int, list]] = []
    next_key = 0
    first_form = merged.Root.get("/AcroForm")
    form_fields, form_resources = pikepdf.Array(), pikepdf.Dictionary()
    for index, (label, data) in enumerate(documents):
        if index and len(merged.pages) % 2:
            last = merged.pages[-1].mediabox
            merged.add_blank_page(page_size=(float(last[2] - last[0]), float(last[3] - last[1])))
        source = merged if index == 0 else pikepdf.open(io.BytesIO(data))
        first = len(merged.pages) if index else 0
        pages = {page.objgen: i for i, page in enumerate(source.pages)}
        marks = _outline_marks(source, pages)
        src_tree = source.Root.StructTreeRoot
        kids, keyed = _as_array(src_tree.K), _number_tree(src_tree.ParentTree)
        form = source.Root.get("/AcroForm", pikepdf.Dictionary())
        fields, resources = _as_array(form.get("/Fields", pikepdf.Array())), form.get("/DR")
        code = str(source.docinfo.get(VARIANT_KEY) or f"variant-{index + 1}").replace(".", "-")
        if source is not merged:
            with warnings.catch_warnings():  # the fields are gathered below, not by pikepdf
                warnings.simplefilter("ignore", pikepdf.PageCopyWarning)
                merged.pages.extend(source.pages)  # one copier per source: /Pg points at copies
            kids = merged.copy_foreign(source.make_indirect(kids))
            keyed = merged.copy_foreign(source.make_indirect(keyed))
            fields = merged.copy_foreign(source.make_indirect(fields))  # the copied widgets
            if resources is not None:
                resources = merged.copy_foreign(source.make_indirect(resources))
        _add_fields(merged, form_fields, form_resources, code, fields, resources)
        offset, highest = next_key, next_key - 1
        for page in merged.pages[first:]:
            _shift(page.obj, "/StructParents", offset)
            for annot in page.obj.get("/Annots", []):
                _shift(annot, "/StructParent", offset)
        for i in range(0, len(keyed), 2):
            nums.append(int(keyed[i]) + offset)
            nums.append(keyed[i + 1])
            highest = max(highest, int(keyed[i]) + offset)
        next_key = highest + 1
        part = pikepdf.Dictionary(Type=pikepdf.Name.StructElem, S=pikepdf.Name.Part, P=top,
                                  T=pikepdf.String(label), K=pikepdf.Array())
        part = merged.make_indirect(part)
        for kid in kids:
            if isinstance(kid, pikepdf.Dictionary):
                kid.P = part
            part.K.append(kid)
        top.K.append(part)
        outline.append((label, first, [(t, first + p, dest, sub) for t, p, dest, sub in marks]))
    tree.K = pikepdf.Array([top])
    tree.ParentTree = merged.make_indirect(pikepdf.Dictionary(Nums=nums))
    tree.ParentTreeNextKey = next_key
    if first_form is not None and len(form_fields):  # the key's /DA, NeedAppearances kept
        first_form.Fields, first_form.DR = form_fields, form_resources
    if "/Names" in merged.Root:  # the per-document named destinations would clash
        del merged.Root["/Names"]
    _write_outline(merged, outline)
    with merged.open_metadata(set_pikepdf_as_editor=False) as meta:
        meta["dc:title"] = title
    merged.docinfo["/Title"] = title
    buffer = io.BytesIO()
    merged.save(buffer, deterministic_id=True)
    return buffer.getvalue()


def _add_fields(merged: pikepdf.Pdf, fields: pikepdf.Array, resources: pikepdf.Dictionary,
                code: str, variant_fields: pikepdf.Array, variant_resources) -> None:
    """The variant's form fields under one parent field named for it (`seed-7.score.q1`, one
    name per variant), and its field resources (fonts) under names not yet taken: WeasyPrint
    names a font by a hash of it, so one name is one font."""
    import pikepdf

    if not len(variant_fields):
        return
    parent = merged.make_indirect(pikepdf.Dictionary(T=pikepdf.String(code), Kids=pikepdf.Array()))
    for field in variant_fields:
        field.Parent = parent
        parent.Kids.append(field)
    fields.append(parent)
    for kind, named in (variant_resources or pikepdf.Dictionary()).items():
        if kind not in resources:
            resources[kind] = pikepdf.Dictionary()
        for name, value in named.items():
            if name not in resources[kind]:
                resources[kind][name] = value


def _as_array(value) -> pikepdf.Array:
    import pikepdf

    return pikepdf.Array(list(value)) if isinstance(value, pikepdf.Array) else pikepdf.Array([value])


def _number_tree(node) -> pikepdf.Array:
    """The flat [key, value, ...] of a number tree, its kids in order."""
    import pikepdf

    flat = pikepdf.Array()
    for item in node.get("/Nums", []):
        flat.append(item)
    for kid in node.get("/Kids", []):
        for item in _number_tree(kid):
            flat.append(item)
    return flat


def _shift(obj, key: str, offset: int) -> None:
    if key in obj:
        obj[key] = int(obj[key]) + offset


def _outline_marks(source: pikepdf.Pdf, pages: dict) -> list:
    """(title, page index, destination after the page, children) of each bookmark of `source`."""
    import pikepdf

    with source.open_outline() as outline:
        def marks(items):
            found = []
            for item in items:
                dest = item.destination
                if (isinstance(dest, pikepdf.Array) and len(dest)
                        and isinstance(dest[0], pikepdf.Dictionary)):
                    page, rest = pages.get(dest[0].objgen, 0), list(dest)[1:]
                else:  # a named destination: the document's first page
                    page, rest = 0, []
                found.append((item.title, page, rest, marks(item.children)))
            return found
        return marks(outline.root)


def _write_outline(merged: pikepdf.Pdf, variants: list) -> None:
    import pikepdf

    def item(title: str, page: int, rest: list, children: list) -> pikepdf.OutlineItem:
        made = pikepdf.OutlineItem(title)
        made.destination = pikepdf.Array([merged.pages[page].obj, *rest]) if rest else \
            pikepdf.Array([merged.pages[page].obj, pikepdf.Name.Fit])
        made.children.extend(item(*child) for child in children)
        return made

    with merged.open_outline() as outline:
        outline.root.clear()
        for label, first, marks in variants:
            outline.root.append(item(label, first, [], marks))
