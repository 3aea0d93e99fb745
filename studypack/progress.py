"""What a build tells while it runs, on stderr: a progress bar on a terminal, plain lines
otherwise, and a summary of the files written (pages, seconds). stdout keeps one line per file."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from .jobs import Written

# Builds of more documents than this get a progress bar (on a terminal) or progress lines.
FEW = 3


def is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


class Progress:
    """Reports one build: start(total), written(file) for each file, stop()."""

    def __init__(self, err: TextIO, out: TextIO, terminal: bool | None = None):
        self.err = err
        self.out = out
        self.terminal = is_terminal(err) if terminal is None else terminal
        self.files: list[Written] = []
        self.total = 0
        self.started = 0.0
        self._bar = None
        self._task = None

    @property
    def stdout(self) -> TextIO:
        """Where the build prints its file lines: above the bar while it is shown."""
        return _AboveBar(self)

    def start(self, total: int) -> None:
        self.files, self.total, self.started = [], total, time.perf_counter()
        if self.terminal and total > FEW:
            from rich.console import Console
            from rich.progress import (BarColumn, MofNCompleteColumn, TextColumn,
                                       TimeElapsedColumn)
            from rich.progress import Progress as Bar

            console = Console(file=self.err, force_terminal=True)
            self._bar = Bar(TextColumn("building"), BarColumn(), MofNCompleteColumn(),
                            TimeElapsedColumn(), TextColumn("{task.description}"),
                            console=console, transient=True, redirect_stdout=False,
                            redirect_stderr=False)
            self._task = self._bar.add_task("", total=total)
            self._bar.start()

    def written(self, file: Written) -> None:
        from .paths import display_path

        self.files.append(file)
        if self._bar is not None:
            self._bar.update(self._task, advance=1, description=display_path(file.target))
        elif self.total > FEW:
            print(f"[{len(self.files)}/{self.total}] {display_path(file.target)}: "
                  + (f"{_pages(file.pages)}, " if file.pages else "")  # the deck has none
                  + f"{file.seconds:.1f} s", file=self.err, flush=True)

    def stop(self) -> None:
        if self._bar is not None:
            self._bar.stop()
            self._bar = None
        if self.files:
            self.summary()

    def summary(self) -> None:
        from .paths import display_path

        wall = time.perf_counter() - self.started
        pages = sum(f.pages for f in self.files)
        total = (f"{len(self.files)} file{'s' if len(self.files) != 1 else ''}, "
                 f"{_pages(pages)} in {wall:.1f} s")
        rows = [(display_path(f.target), str(f.pages) if f.pages else "", f"{f.seconds:.1f}")
                for f in self.files]
        if self.terminal:
            from rich.console import Console
            from rich.table import Table

            table = Table("file", "pages", "seconds", box=None, pad_edge=False,
                          caption=total, caption_justify="left")
            table.columns[1].justify = table.columns[2].justify = "right"
            for row in rows:
                table.add_row(*row)
            Console(file=self.err, force_terminal=True, highlight=False).print(table)
            return
        width = max(len("file"), *(len(r[0]) for r in rows))
        lines = [f"{'file':<{width}}  pages  seconds"]
        lines += [f"{name:<{width}}  {pages:>5}  {seconds:>7}" for name, pages, seconds in rows]
        print("\n".join(lines + [total]), file=self.err, flush=True)


def _pages(count: int) -> str:
    return f"{count} page{'s' if count != 1 else ''}"


class _AboveBar:
    """A stdout that prints above the progress bar while the bar is on the same terminal."""

    def __init__(self, progress: Progress):
        self.progress = progress
        self.pending = ""

    def write(self, text: str) -> int:
        bar = self.progress._bar
        if bar is None or not is_terminal(self.progress.out):
            return self.progress.out.write(text)
        self.pending += text
        while "\n" in self.pending:
            line, self.pending = self.pending.split("\n", 1)
            bar.console.print(line, markup=False, highlight=False, soft_wrap=True)
        return len(text)

    def flush(self) -> None:
        self.progress.out.flush()
