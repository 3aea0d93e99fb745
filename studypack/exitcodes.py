"""The command's exit codes, and the error that means the command was asked for the impossible."""

from __future__ import annotations

import enum


class ExitCode(enum.IntEnum):
    OK = 0
    CONTENT_ERROR = 1  # a pack (or an imported file, a recorded key) is wrong; a document failed
    USAGE = 2  # the command line asks for something that cannot be
    SYSTEM = 3  # the machine lacks what WeasyPrint needs
    INTERRUPTED = 130  # Ctrl-C


class UsageError(Exception):
    """The command was asked for something that cannot be (exit code 2)."""
