"""The coach's commands: --record a graded key, --progress of a candidate (docs/coaching.md)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .exitcodes import ExitCode, UsageError
from .paths import display_path


def scores_path(args: argparse.Namespace) -> Path:
    from .scores import default_path

    return args.scores if args.scores is not None else default_path(args.content)


def load_named_pack(content: Path, name: str):
    """The pack `name` of the content folder, loaded; ContentErrors when it is wrong."""
    from .build import find_packs
    from .load import load_pack

    path = find_packs(content, (name,))[0]
    return load_pack(path, display_path(path))


def candidate_name(args: argparse.Namespace, flag: str) -> str:
    name = (args.candidate or "").strip()
    if not name:
        raise UsageError(f"{flag} needs --candidate NAME")
    return name


def record(args: argparse.Namespace) -> int:
    """--record FILE --candidate NAME: store one graded key or CSV, print what was stored."""
    from .model import ContentErrors
    from .record import RecordError, is_pdf, key_identity, read_csv, read_key
    from .scores import ScoresError, connect, store

    candidate = candidate_name(args, "--record")
    path: Path = args.record
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise UsageError(f"--record {display_path(path)}: {exc.strerror or exc}") from None
    try:
        if is_pdf(data):
            pack_id, variant = key_identity(path, data)
            if args.packs and [Path(p).stem for p in args.packs] != [pack_id]:
                raise RecordError([f"{display_path(path)}: this is a key of pack {pack_id!r}, "
                                   f"not of {', '.join(args.packs)}"])
        elif len(args.packs) != 1:
            raise UsageError("--record of a CSV needs the pack it scores: --record FILE PACK")
        else:
            pack_id, variant = Path(args.packs[0]).stem, ""
        try:
            loaded = load_named_pack(args.content, pack_id)
        except UsageError as exc:
            raise RecordError([f"{display_path(path)}: a key of pack {pack_id!r}: {exc}"]) from None
        sheet = (read_key if is_pdf(data) else read_csv)(path, data, loaded, variant, candidate)
        conn = connect(scores_path(args))
        try:
            session = store(conn, candidate, sheet, replace=args.replace)
        finally:
            conn.close()
    except ContentErrors as exc:
        for error in exc.errors:
            print(error, file=sys.stderr)
        return ExitCode.CONTENT_ERROR
    except RecordError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        print("nothing stored", file=sys.stderr)
        return ExitCode.CONTENT_ERROR
    except ScoresError as exc:
        print(f"{display_path(path)}: {exc}", file=sys.stderr)
        return ExitCode.CONTENT_ERROR
    got = sum(s.points for s in sheet.scores)
    most = sum(s.maximum for s in sheet.scores)
    variant_text = f", variant {sheet.variant}" if sheet.variant else ""
    print(f"recorded {candidate}: {sheet.pack}{variant_text}, {len(sheet.scores)} question"
          f"{'s' if len(sheet.scores) != 1 else ''}, {got:g}/{most:g} points -> "
          f"{display_path(scores_path(args))} (session {session})")
    return ExitCode.OK


def progress(args: argparse.Namespace, options) -> int:
    """--progress --candidate NAME: PACK-progress-NAME.pdf for each pack named (or all)."""
    from .build import find_packs
    from .focus import Focus, UnknownCandidate, candidate_slug, history
    from .load import load_pack
    from .model import ContentErrors
    from .progress_report import write_progress

    candidate = candidate_name(args, "--progress")
    focus = Focus(candidate, scores_path(args))
    written = 0
    for path in find_packs(args.content, tuple(args.packs)):
        try:
            loaded = load_pack(path, display_path(path))
        except ContentErrors as exc:
            for error in exc.errors:
                print(error, file=sys.stderr)
            return ExitCode.CONTENT_ERROR
        try:
            sessions = history(focus, loaded.pack_id)
        except UnknownCandidate as exc:
            raise UsageError(str(exc)) from None
        if not sessions and args.packs:
            print(f"{display_path(path)}: no session of {candidate!r} recorded for this pack",
                  file=sys.stderr)
            return ExitCode.CONTENT_ERROR
        if not sessions:
            continue
        target = options.output / f"{loaded.pack_id}-progress-{candidate_slug(candidate)}.pdf"
        target.parent.mkdir(parents=True, exist_ok=True)
        pages = write_progress(loaded, candidate, sessions, target, args.content, args.paper)
        print(f"{display_path(target)} ({pages} page{'s' if pages != 1 else ''}, "
              f"{len(sessions)} session{'s' if len(sessions) != 1 else ''})")
        written += 1
    if not written:
        print(f"no pack has a session of {candidate!r} recorded", file=sys.stderr)
        return ExitCode.CONTENT_ERROR
    return ExitCode.OK
