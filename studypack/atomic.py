"""Nothing lost: new files are staged beside their targets and replace them together or not at all."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

TEMP_SUFFIX = ".tmp"
# `.NAME.PID-XXXXXXXX.tmp`: the process that staged it, and mkstemp's random part. An older build
# named them `.NAME.XXXXXXXX.tmp`. Only files named so, for the files a build writes, are swept.
_TEMP_NAME = re.compile(r"^\.(?P<name>.+\.(?:pdf|apkg|html|json))\.(?:(?P<pid>\d+)-)?"
                        r"[A-Za-z0-9_]{8}" + re.escape(TEMP_SUFFIX) + "$")
# A temporary file whose process cannot be told is left this long to a build that may still be
# running (the longest pack's documents all finish well within it).
STALE_AFTER_SECONDS = 3600
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
    fd, name = tempfile.mkstemp(prefix=f".{target.name}.{os.getpid()}-", suffix=TEMP_SUFFIX,
                                dir=target.parent)
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


def sweep_stale(folder: Path, now: float | None = None) -> list[Path]:
    """Remove the temporary files an earlier build left in `folder` when it was killed (SIGKILL,
    a power cut): those of a process that no longer runs, or older than STALE_AFTER_SECONDS.
    A running build's files are left alone. The files removed."""
    removed = []
    now = time.time() if now is None else now
    try:
        entries = list(os.scandir(folder))
    except OSError:  # no output folder yet
        return removed
    for entry in entries:
        match = _TEMP_NAME.match(entry.name)
        if not match or not entry.is_file(follow_symlinks=False):
            continue
        pid = int(match.group("pid")) if match.group("pid") else None
        try:
            old = now - entry.stat(follow_symlinks=False).st_mtime > STALE_AFTER_SECONDS
            if old or (pid is not None and not _running(pid)):
                os.unlink(entry.path)
                removed.append(Path(entry.path))
        except FileNotFoundError:  # swept by another build at the same moment
            continue
    return removed


def _running(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process
        return True
    try:  # a killed process nobody has reaped yet (PID 1 of a container may never) is gone too
        with open(f"/proc/{pid}/stat", "rb") as stat:
            return stat.read().rpartition(b")")[2].split()[0] != b"Z"
    except (OSError, IndexError):
        return True


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
