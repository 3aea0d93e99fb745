"""What the --serve preview shows: each pack's last build (its errors and the PDFs it made).

`Preview` follows the builds through watch()'s `on_build` hook and is read by the server's routes;
it changes only under its lock.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from .build import BuildOptions, BuildResult, find_packs
from .exitcodes import UsageError
from .paths import output_name

PREVIEWED = ("guide", "worksheet", "answer-key", "flashcards")  # the editions printed as PDFs


@dataclass
class PackState:
    path: Path
    errors: list[str] = field(default_factory=list)  # `file:line:col: message`, as printed
    failures: list[str] = field(default_factory=list)
    pdfs: dict[str, Path] = field(default_factory=dict)  # edition -> the PDF the build made
    built_at: float = 0.0  # when its last build finished (an up-to-date PDF keeps its old mtime)


class Preview:
    """What the builds made, as the server shows it; changed only by `built`, under a lock."""

    def __init__(self, options: BuildOptions):
        self.options = options
        self.lock = threading.Lock()
        self.packs: dict[str, PackState] = {}
        self.building = True
        self.generation = 0  # one more after every finished build: the pages' reload signal

    def editions(self) -> tuple[str, ...]:
        return tuple(e for e in self.options.editions if e in PREVIEWED)

    def built(self, packs: tuple[str, ...], result: BuildResult | None) -> None:
        """watch()'s hook: a rebuild of `packs` (empty: all) starts (result None) or finished."""
        with self.lock:
            if result is None:
                self.building = True
                return
            try:
                found = {p.stem: p for p in find_packs(self.options.content, self.options.packs)}
            except UsageError:
                found = {}
            rebuilt = set(packs) if packs else set(found)
            for name in list(self.packs):
                if name not in found:
                    del self.packs[name]
            for name, path in found.items():
                state = self.packs.setdefault(name, PackState(path))
                if name in rebuilt:
                    state.built_at = time.time()
                    state.errors = [str(e) for e in result.errors if Path(e.file).stem == name]
                    state.failures = [str(f) for f in result.failures
                                      if Path(f.pack_path).stem == name]
                for pdf in (*result.written, *result.up_to_date):
                    for edition in self.editions():
                        if _made_for(pdf, name, edition, set(found)):
                            state.pdfs[edition] = pdf
            self.building = False
            self.generation += 1


def _made_for(pdf: Path, pack: str, edition: str, packs: set[str]) -> bool:
    """Whether `pdf` is `pack`'s `edition` (plain or a variant, never a booklet)."""
    name, plain = pdf.name, output_name(pack, edition)
    if pdf.suffix != ".pdf" or name.endswith("-booklet.pdf"):
        return False
    if name == plain:
        return True
    stem = plain.removesuffix(".pdf") + "-"
    # a variant (`-seed-7`), and not another pack whose id merely starts the same way
    return name.startswith(stem) and not any(
        other != pack and other.startswith(pack + "-")
        and name.startswith(output_name(other, edition).removesuffix(".pdf"))
        for other in packs)
