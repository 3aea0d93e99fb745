"""The command line: arguments in, exit code out (studypack.exitcodes.ExitCode)."""

from __future__ import annotations

import argparse
import io
import sys
from pathlib import Path

from . import __version__
from .build import BuildOptions, build
from .exitcodes import ExitCode, UsageError
from .limits import (DEFAULT_MEMORY_LIMIT, MEMORY_LIMIT_VARIABLE, default_memory_limit, parse_size,
                     size_text)
from .options import ALL_EDITIONS, PAPERS, Selection
from .options import default_jobs
from .paths import display_path
from .progress import Progress
from .report import report


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # argparse would print usage and sys.exit(2)
        raise UsageError(message)


def make_parser(prog: str = "build.py") -> argparse.ArgumentParser:
    parser = _Parser(
        prog=prog,
        description="Build print-ready study guides, worksheets and answer keys from YAML packs.",
    )
    parser.add_argument("packs", nargs="*", metavar="PACK",
                        help="pack ids to build (file names in the content folder); default: all")
    parser.add_argument("--content", type=Path, default=Path("content"), metavar="DIR",
                        help="folder holding the packs (default: content)")
    parser.add_argument("--output", type=Path, default=Path("output"), metavar="DIR",
                        help="folder the PDFs are written to (default: output)")
    parser.add_argument("--edition", action="append", choices=ALL_EDITIONS, metavar="NAME",
                        help=f"edition to build, repeatable: {', '.join(ALL_EDITIONS)} (default: all)")
    parser.add_argument("--paper", choices=sorted(PAPERS), default="a4",
                        help="paper size (default: a4)")
    choose = parser.add_argument_group(
        "variants", "choose and order the questions; worksheet, key and the other editions then "
        "carry a variant code in their footers and file names (see docs/variants-and-flashcards.md)")
    choose.add_argument("--section", action="append", default=[], metavar="NAME",
                        help="only this section (id or title), repeatable")
    choose.add_argument("--tag", action="append", default=[], metavar="TAG",
                        help="only questions with this tag, repeatable (any of the tags given)")
    choose.add_argument("--count", type=int, metavar="N",
                        help="exactly N of the chosen questions (with --seed: a seeded sample)")
    choose.add_argument("--seed", action="append", metavar="S",
                        help="shuffle the questions within each section; the same seed, the same "
                             "order; repeatable: one variant per seed")
    coach = parser.add_argument_group(
        "class sets", "one variant per candidate in two files, PACK-class-set-worksheets.pdf and "
        "PACK-class-set-keys.pdf, each variant from an odd page (see docs/coaching.md)")
    coach.add_argument("--class-set", type=_job_count, metavar="N",
                       help="variants seed-S to seed-(S+N-1), S from --seed (default 1); with "
                            "several --seed, those variants")
    coach.add_argument("--roster", type=Path, metavar="FILE",
                       help="one candidate name a line (UTF-8): one variant per name, the name "
                            "printed on its worksheet and key")
    parser.add_argument("--back-offset", type=_offset, default=(0.0, 0.0), metavar="X,Y",
                        help="flashcards: shift the back pages by X,Y mm (right, down) to match "
                             "a printer's duplex misalignment (default: 0,0)")
    parser.add_argument("--booklet", action="store_true",
                        help="also write PACK-EDITION-booklet.pdf: the pages imposed two to a "
                             "landscape sheet in saddle-stitch order, to print double-sided and fold")
    parser.add_argument("--html", action="store_true",
                        help="also write each edition's HTML beside its PDF, to look at in a browser")
    parser.add_argument("-q", "--quiet", action="store_true",
                        help="no progress or summary on stderr (errors are still printed)")
    parser.add_argument("--jobs", "-j", type=_job_count, default=default_jobs(), metavar="N",
                        help="documents rendered at once, in worker processes "
                             "(default: the number of cores)")
    parser.add_argument("--memory-limit", type=_memory_size, default=default_memory_limit(),
                        metavar="SIZE",
                        help="most memory one worker process may use, e.g. 2G or 800M; 0: no "
                             f"limit (default: {size_text(DEFAULT_MEMORY_LIMIT)}, or "
                             f"{MEMORY_LIMIT_VARIABLE})")
    parser.add_argument("--force", action="store_true",
                        help="rebuild every file, even those whose inputs are unchanged")
    modes = parser.add_mutually_exclusive_group()
    modes.add_argument("--check", action="store_true",
                       help="validate the packs and write nothing")
    modes.add_argument("--watch", action="store_true",
                       help="build, then rebuild whenever a pack, template or stylesheet changes")
    modes.add_argument("--serve", action="store_true",
                       help="build, rebuild like --watch, and show the printed pages in the "
                            "browser at http://127.0.0.1:PORT/, reloading after every rebuild")
    modes.add_argument("--new", metavar="NAME",
                       help="write a starter pack NAME.yaml in the content folder and stop")
    modes.add_argument("--schema", action="store_true",
                       help="print the JSON Schema of the pack format and stop")
    modes.add_argument("--import", dest="import_file", type=Path, metavar="FILE",
                       help="write a pack from an article (.md, .markdown, .txt), a CSV file or an "
                            "Anki deck (.apkg) into the content folder and stop; with --force it "
                            "may replace a pack of the same id")
    parser.add_argument("--id", metavar="ID",
                        help="--import: the new pack's id (default: made from FILE's name)")
    serving = parser.add_argument_group("--serve")
    serving.add_argument("--port", type=_port, default=8000, metavar="N",
                         help="port to serve on (default: 8000; 0: a free one)")
    serving.add_argument("--host", default="127.0.0.1", metavar="ADDRESS",
                         help="address to listen on (default: 127.0.0.1, this machine only)")
    coach = parser.add_argument_group("coaching", "record graded keys, aim the next worksheet, "
                                      "draw progress (see docs/coaching.md)")
    modes.add_argument("--record", type=Path, metavar="FILE",
                       help="store the scores of a filled answer key PDF (or a question,points "
                            "CSV, with its PACK) for --candidate, then stop")
    modes.add_argument("--progress", action="store_true",
                       help="write PACK-progress-NAME.pdf: --candidate's scores over time")
    coach.add_argument("--candidate", metavar="NAME", help="whose scores to record, focus on or draw")
    coach.add_argument("--scores", type=Path, metavar="DB",
                       help="the scores database (default: scores.sqlite in the content folder)")
    coach.add_argument("--replace", action="store_true",
                       help="--record: record a key recorded before again, replacing it")
    coach.add_argument("--focus", choices=["weak"],
                       help="weak: --candidate's weakest questions first (lowest latest score), "
                            "then those never scored, then the rest")
    parser.add_argument("--version", action="version", version=f"studypack {__version__}")
    return parser


def _offset(text: str) -> tuple[float, float]:
    """`X,Y` in millimetres, each within 20 mm (a larger error is a printer fault, not an offset)."""
    try:
        x, y = (float(v) for v in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not X,Y in millimetres, e.g. 1.5,-0.5") from None
    if not (abs(x) <= 20 and abs(y) <= 20):
        raise argparse.ArgumentTypeError(f"{text!r}: each offset must be within -20 and 20 mm")
    return (x, y)


def _port(text: str) -> int:
    if not text.isdigit() or int(text) > 65535:
        raise argparse.ArgumentTypeError(f"expected a port from 0 to 65535, found {text!r}")
    return int(text)


def _job_count(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of 1 or more, found {text!r}")
    return int(text)


def _memory_size(text: str) -> int:
    size = parse_size(text)
    if size is None or 0 < size < 64 * 2**20:
        raise argparse.ArgumentTypeError(
            f"expected a size of 64M or more (e.g. 2G, 800M) or 0 for no limit, found {text!r}")
    return size


def options_from(args: argparse.Namespace) -> BuildOptions:
    return BuildOptions(
        content=args.content,
        output=args.output,
        packs=tuple(args.packs),
        editions=tuple(e for e in ALL_EDITIONS if e in args.edition) if args.edition
        else ALL_EDITIONS,  # in this order, whatever the flags': the worksheet before its key
        paper=args.paper,
        check=args.check,
        booklet=args.booklet,
        html=args.html,
        selection=Selection(tuple(args.section), tuple(args.tag), args.count,
                            args.seed[0] if args.seed else None, focus_from(args)),
        seeds=tuple(args.seed) if args.seed and len(args.seed) > 1 else (),
        back_offset_mm=args.back_offset,
        jobs=args.jobs,
        force=args.force,
        memory_limit=args.memory_limit,
    )


def focus_from(args: argparse.Namespace):
    """--focus weak --candidate NAME, or None."""
    if args.focus is None:
        return None
    from .coach import candidate_name, scores_path
    from .focus import Focus

    return Focus(candidate_name(args, "--focus"), scores_path(args), args.focus)


def main(argv: list[str] | None = None, prog: str = "build.py") -> int:
    """Run the command; the return value is the process exit code."""
    parser = make_parser(prog)
    try:
        args = parser.parse_args(argv)
        return run(args, options_from(args))
    except SystemExit as exc:  # --help and --version
        return int(exc.code or 0)
    except UsageError as exc:
        print(f"{parser.prog}: error: {exc}", file=sys.stderr)
        print(f"usage: see '{parser.prog} --help'", file=sys.stderr)
        return ExitCode.USAGE
    except KeyboardInterrupt:
        print("interrupted: packs not finished keep their earlier PDFs; no partial files were left",
              file=sys.stderr)
        return ExitCode.INTERRUPTED
    except Exception as exc:
        from .pdf import MissingSystemLibraries

        if isinstance(exc, MissingSystemLibraries):
            print(f"error: {exc}", file=sys.stderr)
            return ExitCode.SYSTEM
        raise


def run(args: argparse.Namespace, options: BuildOptions) -> int:
    """Run the mode `args` asks for: --schema, --new, --watch, or a build (the default)."""
    if args.schema:
        from .schema import schema_text

        if args.packs:
            raise UsageError("--schema takes no pack names")
        sys.stdout.write(schema_text())
        return ExitCode.OK
    if args.new is not None:
        return new_pack(args, options)
    if args.import_file is not None:
        from .importers import run_import

        return run_import(args, options.content)
    if args.id is not None:
        raise UsageError("--id goes with --import FILE")
    if args.record is not None:
        from .coach import record

        return record(args)
    if args.progress:
        from .coach import progress

        return progress(args, options)
    if args.class_set is not None or args.roster is not None:
        return class_sets(args, options)
    if args.watch:
        from .watch import watch

        return watch(options, sys.stdout, sys.stderr, quiet=args.quiet)
    if args.serve:
        from .serve import serve

        return serve(options, args.host, args.port, sys.stdout, sys.stderr, quiet=args.quiet)
    progress = None if args.quiet or args.check else Progress(sys.stderr, sys.stdout)
    result = build(options, progress.stdout if progress else None, progress,
                   err=io.StringIO() if args.quiet else None)
    code = report(result, sys.stderr)
    if code == ExitCode.OK and args.check:
        for pack in result.checked:
            questions = sum(len(s.questions) for s in pack.pack.sections)
            print(f"ok: {pack.path} ({questions} questions)")
    return code


def class_sets(args: argparse.Namespace, options: BuildOptions) -> int:
    """--class-set N / --roster FILE: the two class-set files of each pack."""
    from dataclasses import replace

    from .classset import RosterError, build_class_sets, class_editions, class_set_from

    for flag, given in (("--watch", args.watch), ("--serve", args.serve),
                        ("--booklet", args.booklet), ("--html", args.html)):
        if given:
            raise UsageError(f"{flag} does not apply to class sets (--class-set, --roster)")
    try:
        chosen = class_set_from(args.class_set, args.seed or [], args.roster)
    except RosterError as exc:
        print(exc, file=sys.stderr)
        return ExitCode.CONTENT_ERROR
    options = replace(options, editions=class_editions(args.edition), seeds=())
    result = build_class_sets(options, chosen, sys.stdout)
    return report(result, sys.stderr)


def new_pack(args: argparse.Namespace, options: BuildOptions) -> int:
    """--new NAME: a starter pack in the content folder; the files written, one a line."""
    from .scaffold import ScaffoldRefused, new_pack as write_starter

    if args.packs:
        raise UsageError("--new takes one NAME and no pack names")
    try:
        written = write_starter(args.new, options.content)
    except ScaffoldRefused as exc:
        raise UsageError(str(exc)) from None
    for path in written:
        print(display_path(path))
    return ExitCode.OK


def entry_point() -> None:
    """The installed `studypack` command."""
    sys.exit(main(prog="studypack"))
