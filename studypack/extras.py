"""The command's modes besides building: --schema, --new NAME and --watch."""

from __future__ import annotations

import argparse
import sys

from .build import BuildOptions, UsageError, display_path


def run(args: argparse.Namespace, options: BuildOptions) -> int:
    """Run the mode `args` asks for; the exit code."""
    if args.schema:
        from .schema import schema_text

        if args.packs:
            raise UsageError("--schema takes no pack names")
        sys.stdout.write(schema_text())
        return 0
    if args.new is not None:
        from .scaffold import ScaffoldRefused, new_pack

        if args.packs:
            raise UsageError("--new takes one NAME and no pack names")
        try:
            written = new_pack(args.new, options.content)
        except ScaffoldRefused as exc:
            raise UsageError(str(exc)) from None
        for path in written:
            print(display_path(path))
        return 0
    from .watch import watch

    return watch(options, sys.stdout, sys.stderr, quiet=args.quiet)
