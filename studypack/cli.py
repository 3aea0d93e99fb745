"""The command line: arguments in, exit code out (0 built, 1 content error, 2 usage, 3 system)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import __version__
from .build import BuildOptions, UsageError, build
from .options import EDITIONS, PAPERS
from .parallel import default_jobs


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # argparse would print usage and sys.exit(2)
        raise UsageError(message)


def make_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="build.py",
        description="Build print-ready study guides, worksheets and answer keys from YAML packs.",
    )
    parser.add_argument("packs", nargs="*", metavar="PACK",
                        help="pack ids to build (file names in the content folder); default: all")
    parser.add_argument("--content", type=Path, default=Path("content"), metavar="DIR",
                        help="folder holding the packs (default: content)")
    parser.add_argument("--output", type=Path, default=Path("output"), metavar="DIR",
                        help="folder the PDFs are written to (default: output)")
    parser.add_argument("--edition", action="append", choices=EDITIONS, metavar="NAME",
                        help=f"edition to build, repeatable: {', '.join(EDITIONS)} (default: all)")
    parser.add_argument("--paper", choices=sorted(PAPERS), default="a4",
                        help="paper size (default: a4)")
    parser.add_argument("--check", action="store_true",
                        help="validate the packs and write nothing")
    parser.add_argument("--jobs", "-j", type=_job_count, default=default_jobs(), metavar="N",
                        help="documents rendered at once, in worker processes "
                             "(default: the number of cores)")
    parser.add_argument("--force", action="store_true",
                        help="rebuild every file, even those whose inputs are unchanged")
    parser.add_argument("--version", action="version", version=f"studypack {__version__}")
    return parser


def _job_count(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of 1 or more, found {text!r}")
    return int(text)


def options_from(args: argparse.Namespace) -> BuildOptions:
    return BuildOptions(
        content=args.content,
        output=args.output,
        packs=tuple(args.packs),
        editions=tuple(dict.fromkeys(args.edition)) if args.edition else EDITIONS,
        paper=args.paper,
        check=args.check,
        jobs=args.jobs,
        force=args.force,
    )


def main(argv: list[str] | None = None) -> int:
    """Run the command; the return value is the process exit code."""
    parser = make_parser()
    try:
        args = parser.parse_args(argv)
        result = build(options_from(args))
    except SystemExit as exc:  # --help and --version
        return int(exc.code or 0)
    except UsageError as exc:
        print(f"{parser.prog}: error: {exc}", file=sys.stderr)
        print(f"usage: see '{parser.prog} --help'", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted: no partial files were left; earlier PDFs are unchanged", file=sys.stderr)
        return 130
    except Exception as exc:
        from .pdf import MissingSystemLibraries

        if isinstance(exc, MissingSystemLibraries):
            print(f"error: {exc}", file=sys.stderr)
            return 3
        raise
    for error in result.errors:
        print(error, file=sys.stderr)
    if result.errors:
        count = len(result.errors)
        print(f"{count} content error{'s' if count > 1 else ''}; fix "
              f"{'them' if count > 1 else 'it'} and build again", file=sys.stderr)
    for failure in result.failures:
        print(failure, file=sys.stderr)
    if result.errors or result.failures:
        return 1
    if args.check:
        for pack in result.checked:
            questions = sum(len(s.questions) for s in pack.pack.sections)
            print(f"ok: {pack.path} ({questions} questions)")
    return 0
