"""Run the build's jobs, in worker processes when there are several: every result, in plan order.

The pool starts before the packs are loaded, so that the workers import WeasyPrint (about half a
second) while the parent reads and validates the content. The parent never imports WeasyPrint.
"""

from __future__ import annotations

import os
import resource
import sys
import threading
import time
import traceback
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable, Iterator

from .options import default_jobs  # noqa: F401 (the setting lives with the other options)

if TYPE_CHECKING:  # imported when a pool starts: a build with nothing to do never needs them
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor


@dataclass(frozen=True)
class Failure:
    """A job that raised: the message for the author and the traceback for a bug report."""

    message: str
    detail: str
    is_bug: bool = True  # False when the system refused (disk full, no permission)


@dataclass(frozen=True)
class Stats:
    """What a job cost the process that ran it."""

    import_seconds: float  # CPU seconds of WeasyPrint's import, when first in its process
    peak_rss_kib: int
    worker: int = 0  # process id


_imported_in = 0.0  # seconds this worker spent importing WeasyPrint, reported with its first job
_context: object = None  # what setup() made for this process's jobs (a render session)


def start_context() -> multiprocessing.context.BaseContext:
    """fork while it is safe (no threads, no WeasyPrint loaded here), else forkserver or spawn.

    fork saves each worker from starting Python and importing studypack's dependencies again.
    """
    import multiprocessing

    methods = multiprocessing.get_all_start_methods()
    if "fork" in methods and threading.active_count() == 1 and "weasyprint" not in sys.modules:
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")


def _warm_up(setup: Callable[[], object] | None) -> None:
    """Worker initializer: make the jobs' context and import WeasyPrint before the first job."""
    global _imported_in, _context

    from .pdf import MissingSystemLibraries, import_weasyprint, importing

    _context = setup() if setup else None
    started = time.process_time()
    try:
        with importing():
            import_weasyprint()
    except MissingSystemLibraries:
        return  # the first job raises it again and reports it
    _imported_in = time.process_time() - started


def _start_worker(setup: Callable[[], object] | None, memory_limit: int = 0) -> None:
    """Worker initializer. Ctrl-C reaches the whole process group: the parent handles it and
    stops the workers, which would otherwise each print a KeyboardInterrupt traceback."""
    import signal

    from .memory import set_ceiling

    global _memory_limit
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _memory_limit = memory_limit
    set_ceiling(memory_limit)
    _warm_up(setup)
    if hasattr(_context, "close"):  # run when the pool ends this worker, or stops it (Ctrl-C)
        from multiprocessing.util import Finalize

        Finalize(None, _context.close, exitpriority=10)
        signal.signal(signal.SIGTERM, _stopped)


def _stopped(signum, frame) -> None:
    """SIGTERM: the parent stops this worker (Ctrl-C, a failed build): close the session (its
    font copies) and end at once. Only SIGKILL leaves them, in the temporary folder."""
    _close_context()
    os._exit(128 + signum)


def _close_context() -> None:
    global _context
    context, _context = _context, None
    if hasattr(context, "close"):
        context.close()


def _attempt(work: Callable, job) -> tuple[object, Stats]:
    """The result of work(job), or a Failure: an exception never loses the other results."""
    global _imported_in
    from .pdf import MissingSystemLibraries

    try:
        outcome = work(job, _context)
    except MissingSystemLibraries:
        raise
    except MemoryError:  # past the ceiling: this document fails, the worker goes on
        from .memory import out_of_memory

        outcome = Failure(out_of_memory(_memory_limit), "", is_bug=False)
    except Exception as exc:  # a bug, or WeasyPrint failing on this document
        outcome = Failure(f"{type(exc).__name__}: {exc}", traceback.format_exc(),
                          not isinstance(exc, OSError))
    import_seconds, _imported_in = _imported_in, 0.0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return outcome, Stats(import_seconds, peak, os.getpid())


class Runner:
    """Runs jobs serially, or in a pool of processes started on entry (only when it can pay off)."""

    def __init__(self, jobs: int, expected: int, setup: Callable[[], object] | None = None,
                 memory_limit: int = 0):
        self.workers = max(1, min(jobs, expected))
        self.setup = setup  # run once in each process: its result goes to every job there
        self.memory_limit = memory_limit  # bytes each process may use for its jobs; 0: no limit
        self.pool: ProcessPoolExecutor | None = None

    def __enter__(self) -> Runner:
        if self.workers > 1:
            from concurrent.futures import ProcessPoolExecutor

            try:
                self.pool = ProcessPoolExecutor(self.workers, mp_context=start_context(),
                                                initializer=_start_worker,
                                                initargs=(self.setup, self.memory_limit))
            except OSError as exc:  # no semaphores: no writable /dev/shm (some containers)
                print(f"note: no worker processes here ({exc.strerror or exc}): the documents "
                      "are built one after another in this process", file=sys.stderr)
                self.workers = 1
                return self
            for _ in range(self.workers):  # start every worker now, not at the first job
                self.pool.submit(os.getpid)
        return self

    def __exit__(self, exc_type, *exc_info) -> None:
        if self.pool is None:
            return
        if exc_type is not None:  # Ctrl-C or a bug in the parent: do not finish the documents
            for process in list(getattr(self.pool, "_processes", {}).values()):
                process.terminate()
        self.pool.shutdown(wait=True, cancel_futures=True)

    def run(self, work: Callable, jobs: list, cost: Callable | None = None,
            together: Callable | None = None) -> Iterator[tuple[object, object, Stats]]:
        """(job, work(job, context) or a Failure, Stats) for every job, in the order given.

        Jobs for which `together` gives the same key (not None) run one after the other in one
        process, in the order given, so that a later one can reuse what an earlier one made.
        The pool starts the costliest tasks first, so that no worker ends alone on a long one."""
        tasks = _tasks(jobs, together)
        if self.pool is None:
            try:
                yield from self._run_here(work, jobs, tasks)
            finally:
                _close_context()  # this build's session ends with it
            return
        from concurrent.futures.process import BrokenProcessPool

        futures = {}
        for task in sorted(tasks, key=lambda t: -sum(cost(jobs[i]) for i in t) if cost else 0):
            future = self.pool.submit(_attempt_all, work, [jobs[i] for i in task])
            futures.update({i: (future, position) for position, i in enumerate(task)})
        for i, job in enumerate(jobs):
            future, position = futures[i]
            try:
                outcome, stats = future.result()[position]
            except BrokenProcessPool as exc:  # a worker died (killed, out of memory, crashed)
                outcome, stats = Failure(self._died(exc), "", is_bug=False), Stats(0.0, 0)
            yield job, outcome, stats

    def _run_here(self, work: Callable, jobs: list, tasks: list[list[int]]):
        """Every job in this process, under the memory ceiling, in the order given."""
        global _memory_limit
        from .memory import ceiling

        if jobs:
            _warm_up(self.setup)
        _memory_limit = self.memory_limit
        done: dict[int, tuple[object, Stats]] = {}
        following = 0  # the next job to yield: tasks come in the order of their first job
        for task in tasks:
            with ceiling(self.memory_limit):
                done.update(zip(task, _attempt_all(work, [jobs[i] for i in task])))
            while following in done:
                yield (jobs[following], *done.pop(following))
                following += 1

    def _died(self, exc: Exception) -> str:
        from .limits import size_text

        ceiling = (f"; a worker may use {size_text(self.memory_limit)} (--memory-limit)"
                   if self.memory_limit else "")
        return f"a worker process died: killed, or out of memory{ceiling} ({exc})"


def _tasks(jobs: list, together: Callable | None) -> list[list[int]]:
    """The jobs' indexes in tasks: one per job, except that jobs with the same key share one."""
    tasks: list[list[int]] = []
    by_key: dict[object, list[int]] = {}
    for i, job in enumerate(jobs):
        key = together(job) if together else None
        if key is None:
            tasks.append([i])
        elif key in by_key:
            by_key[key].append(i)
        else:
            tasks.append(by_key.setdefault(key, [i]))
    return tasks


def _attempt_all(work: Callable, jobs: list) -> list[tuple[object, Stats]]:
    return [_attempt(work, job) for job in jobs]
