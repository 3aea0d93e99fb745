"""A ceiling on the memory of each process that renders documents (limits.DEFAULT_MEMORY_LIMIT).

RLIMIT_DATA bounds the heap and private mappings, what WeasyPrint's boxes and Pillow's pixels
take; past it an allocation fails with MemoryError, which fails that one document cleanly,
long before the machine's out-of-memory killer would end a process of its choosing.
"""

from __future__ import annotations

import contextlib
import gc

from .limits import MEMORY_LIMIT_VARIABLE, size_text

try:
    import resource
except ImportError:  # not on a POSIX system: no ceiling
    resource = None  # type: ignore[assignment]


def set_ceiling(limit: int) -> tuple[int, int] | None:
    """Cap this process's data at `limit` bytes (0: no cap); the limits it had, to restore."""
    if not limit or resource is None:
        return None
    soft, hard = resource.getrlimit(resource.RLIMIT_DATA)
    wanted = limit if hard == resource.RLIM_INFINITY else min(limit, hard)
    resource.setrlimit(resource.RLIMIT_DATA, (wanted, hard))
    return soft, hard


@contextlib.contextmanager
def ceiling(limit: int):
    """The cap for the work of this block only (jobs run in the command's own process)."""
    previous = set_ceiling(limit)
    try:
        yield
    finally:
        if previous is not None:
            resource.setrlimit(resource.RLIMIT_DATA, previous)


def out_of_memory(limit: int) -> str:
    """What a document that outgrew the ceiling reports."""
    gc.collect()  # what the failed document held goes now, before the next job
    return (f"it needed more memory than the ceiling of {size_text(limit)} a worker: make the "
            f"pack or its images smaller (split a long pack into several), or raise the ceiling "
            f"with --memory-limit or {MEMORY_LIMIT_VARIABLE}")
