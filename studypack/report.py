"""One reporter for a build's outcome, used by the command and by --watch: content errors, failed
documents (a bug keeps its traceback), and the exit code they make."""

from __future__ import annotations

from typing import TYPE_CHECKING, TextIO

from .exitcodes import ExitCode

if TYPE_CHECKING:
    from .build import BuildResult


def report(result: BuildResult, err: TextIO, watching: bool = False) -> ExitCode:
    """Print what went wrong in `result` on `err`; the exit code it makes."""
    for error in result.errors:
        print(error, file=err)
    for failure in result.failures:  # a bug keeps its traceback; what it cost comes last
        if failure.is_bug and failure.detail:
            print(failure.detail, end="", file=err)
        print(failure, file=err)
    problems = []
    if result.errors:
        count = len(result.errors)
        problems.append(f"{count} content error{'s' if count > 1 else ''}")
    if result.failures:
        count = len(result.failures)
        problems.append(f"{count} document{'s' if count > 1 else ''} not built")
    if problems:
        then = "watching for changes" if watching else (
            "fix them and build again" if len(result.errors) + len(result.failures) > 1
            else "fix it and build again")
        print(f"{'; '.join(problems)}; {then}", file=err, flush=True)
        return ExitCode.CONTENT_ERROR
    return ExitCode.OK
