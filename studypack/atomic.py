"""Nothing lost: new files are staged beside their targets and replace them together or not at all."""

from __future__ import annotations

import contextlib
import os
import signal
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

TEMP_SUFFIX = ".tmp"
_UMASK = os.umask(0o022)
os.umask(_UMASK)


@dataclass(frozen=True)
class Staged:
    """A complete new file waiting, under a temporary name in the target's folder, to replace it."""

    temp: Path
    target: Path


def stage(target: Path, data: bytes) -> Staged:
    """Write `data` to a temporary file next to `target`; the target itself is not touched."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=TEMP_SUFFIX, dir=target.parent)
    temp = Path(name)
    try:
        os.fchmod(fd, 0o666 & ~_UMASK)  # as any new file would be; mkstemp makes it private
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
    except BaseException:
        discard([Staged(temp, target)])
        raise
    return Staged(temp, target)


def discard(staged: list[Staged]) -> None:
    """Remove staged files that will not be used."""
    for item in staged:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(item.temp)


def sweep(targets: list[Path]) -> None:
    """Remove temporary files staged for these targets and not moved into place (after Ctrl-C,
    a worker may have staged a file whose result was never collected)."""
    for target in targets:
        for temp in target.parent.glob(f".{target.name}.*{TEMP_SUFFIX}"):
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temp)


def commit(staged: list[Staged]) -> None:
    """Move every staged file into place; Ctrl-C waits until all have moved: a set is never split."""
    with _interrupt_deferred():
        try:
            for item in staged:
                os.replace(item.temp, item.target)
        except BaseException:
            discard(staged)
            raise


@contextlib.contextmanager
def _interrupt_deferred():
    """Hold back SIGINT for the few renames of a commit, then deliver it."""
    if (threading.current_thread() is not threading.main_thread()
            or signal.getsignal(signal.SIGINT) is signal.SIG_IGN):
        yield
        return
    received = []
    previous = signal.signal(signal.SIGINT, lambda signum, frame: received.append(signum))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, signal.default_int_handler if previous is None else previous)
        if received:
            raise KeyboardInterrupt


def write_atomic(path: Path, data: bytes) -> None:
    """Write `data` to `path` through a temporary file in the same folder, replaced at the end."""
    commit([stage(path, data)])
