"""Layouts kept between builds, in the output folder: the page maps of laid-out documents and the
flashcards' measured heights, each under the SHA-256 of everything it was laid out from.

A key covers the HTML laid out, the builder (templates, stylesheets, fonts, studypack's source,
WeasyPrint's version: the manifest's digest), the native text libraries WeasyPrint loaded and
the bytes of every image the pack uses, so an entry is only found again for the very same layout.
Entries are written atomically, one file each, and the folder keeps the newest few of each kind.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import sys
from pathlib import Path

FOLDER = ".studypack-layouts"
FORMAT = "1"
KEPT = 32  # files of each kind: page maps of a few packs' guides and worksheets, their cards


class LayoutStore:
    """The layouts kept in one output folder. Made by the build, used by its render sessions
    (in the workers too: it holds only paths and strings). `read=False` (--force) lays
    everything out afresh, and still keeps what it lays out."""

    def __init__(self, output: Path, builder: str, read: bool = True) -> None:
        self.folder = Path(output) / FOLDER
        self.builder = builder
        self.read = read
        self._native: str | None = None
        self._images: dict[str, str] = {}  # pack path -> image_digests: a build's packs stay put

    def key(self, kind: str, loaded, *texts: str) -> str:
        """The key of a layout of `texts` (HTML) for the pack `loaded`, of one kind."""
        if self._native is None:
            self._native = native_libraries()
        if loaded.path not in self._images:
            self._images[loaded.path] = image_digests(loaded)
        digest = hashlib.sha256()
        for text in (FORMAT, kind, self.builder, self._native, self._images[loaded.path], *texts):
            digest.update(text.encode("utf-8", "surrogatepass"))
            digest.update(b"\0")
        return digest.hexdigest()

    def page_map(self, key: str) -> dict[int, int] | None:
        data = self._load(f"pages-{key}.json")
        pages = data.get("pages") if data.get("key") == key else None
        if not isinstance(pages, dict):
            return None
        try:
            return {int(number): int(page) for number, page in pages.items()}
        except (TypeError, ValueError):
            return None

    def keep_page_map(self, key: str, pages: dict[int, int]) -> None:
        self._keep("pages", f"pages-{key}.json", {"key": key, "pages": pages})

    def heights(self, name: str) -> dict[str, list[float]]:
        """The measured boxes of the cards last built into `name`: box key -> heights in mm."""
        boxes = self._load(f"heights-{name}.json").get("boxes")
        if not isinstance(boxes, dict):
            return {}
        return {key: value for key, value in boxes.items()
                if isinstance(value, list) and value
                and all(isinstance(h, (int, float)) and not math.isnan(h) for h in value)}

    def keep_heights(self, name: str, boxes: dict[str, list[float]]) -> None:
        self._keep("heights", f"heights-{name}.json", {"boxes": boxes})

    def _load(self, name: str) -> dict:
        if not self.read:
            return {}
        try:
            data = json.loads((self.folder / name).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}  # none yet, or unreadable: laid out again
        return data if isinstance(data, dict) else {}

    def _keep(self, kind: str, name: str, data: dict) -> None:
        from .atomic import sweep_stale, write_atomic

        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            write_atomic(self.folder / name, json.dumps(data, sort_keys=True).encode())
            _prune(self.folder, f"{kind}-", KEPT)
            sweep_stale(self.folder)  # what a killed worker's write left behind
        except OSError:  # an unwritable folder only costs the next build a layout
            return


def _prune(folder: Path, prefix: str, kept: int) -> None:
    """Remove all but the `kept` newest files of one kind."""
    entries = []
    for entry in os.scandir(folder):
        if entry.name.startswith(prefix) and entry.name.endswith(".json"):
            try:
                entries.append((entry.stat().st_mtime_ns, entry.name))
            except OSError:
                continue
    for _, name in sorted(entries, reverse=True)[kept:]:
        try:
            (folder / name).unlink()
        except OSError:
            pass


def image_digests(loaded) -> str:
    """The SHA-256 of every image the pack shows, by its path: an image laid out at its size."""
    from .incremental import file_digest, image_sources

    folder = Path(loaded.path).parent
    return json.dumps([(src, file_digest(folder / src)) for src in image_sources(loaded.pack)])


def native_libraries() -> str:
    """Pango's version and the files of the native text libraries this process loaded (their
    names carry their versions): another Pango or HarfBuzz may break lines elsewhere."""
    from .pdf import import_weasyprint

    weasyprint = import_weasyprint()
    found = [f"pango {weasyprint.text.ffi.pango.pango_version()}"]
    try:
        with open("/proc/self/maps", encoding="utf-8") as maps:
            names = {line.split()[-1] for line in maps if ".so" in line}
    except OSError:  # not Linux: the version alone
        return found[0]
    for path in sorted(names):
        if any(lib in Path(path).name for lib in ("harfbuzz", "pango", "fontconfig", "freetype",
                                                   "fribidi")):
            try:
                size = os.stat(path).st_size
            except OSError:
                size = -1
            found.append(f"{os.path.realpath(path)} {size}")
    return "\n".join(found) + f"\n{sys.byteorder}"
