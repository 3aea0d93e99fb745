"""Images an imported file shows: remote ones dropped, local ones checked and copied with the pack."""

from __future__ import annotations

import re
from pathlib import Path

from ..assets import _SCHEME, image_problem
from .draft import Draft, Media, Problem


class Images:
    """Collects the images of one import under the pack's image folder, `<pack-id>-images/`."""

    def __init__(self, draft: Draft, pack_id: str):
        self.draft = draft
        self.folder = f"{pack_id}-images"
        self._names: dict[str, Path] = {}

    def block(self, src: str, root: Path, alt: str, line: int = 0, where: str = "") -> dict | None:
        """An image block for `src` (relative to `root`), or None, with a warning, when it cannot be."""
        src = src.strip()
        if _SCHEME.match(src) or src.startswith("//"):
            if not src.lower().startswith("data:"):
                src = src if len(src) <= 80 else src[:77] + "..."
            else:
                src = "a data: URL"
            self.draft.warnings.append(Problem(line, f"remote image {src} dropped: images are "
                                               "never fetched; save it beside the file", where))
            return None
        problem = image_problem(src, root)
        if problem:
            self.draft.warnings.append(Problem(line, f"{problem}; image dropped", where))
            return None
        path = (root / src).resolve()
        name = self._name_for(path)
        alt = " ".join(alt.split()) or Path(src).stem.replace("-", " ").replace("_", " ") or "image"
        return {"image": {"src": f"{self.folder}/{name}", "alt": alt}}

    def _name_for(self, path: Path) -> str:
        for name, taken in self._names.items():
            if taken == path:
                return name
        stem = re.sub(r"[^A-Za-z0-9_.-]+", "-", path.stem).strip("-.") or "image"
        name, n = f"{stem}{path.suffix.lower()}", 2
        while name in self._names:
            name, n = f"{stem}-{n}{path.suffix.lower()}", n + 1
        self._names[name] = path
        self.draft.media.append(Media(name, path.read_bytes()))
        return name
