"""What the renderer may read: the builder's own files and images inside a pack's content folder."""

from __future__ import annotations

import re
from pathlib import Path

# Installed, the templates are package data (pyproject.toml); in a checkout, the top-level folder.
_PACKAGED = Path(__file__).resolve().parent / "templates"
TEMPLATES = _PACKAGED if _PACKAGED.is_dir() else Path(__file__).resolve().parent.parent / "templates"
IMAGE_TYPES = {".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp"}
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


def image_problem(src: str, content_root: Path) -> str | None:
    """Why an image `src` may not be used, or None when it is a file inside the content folder."""
    if _SCHEME.match(src) or src.startswith("//"):
        return f"image src {src!r} is a URL; only files inside the content folder can be used"
    if src.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:[\\/]", src):
        return f"image src {src!r} is an absolute path; give a path relative to the pack file"
    if "\\" in src:
        return f"image src {src!r} uses backslashes; use '/' between folders"
    root = content_root.resolve()
    target = (root / src).resolve()
    if not target.is_relative_to(root):
        return f"image src {src!r} leads outside the content folder"
    if target.suffix.lower() not in IMAGE_TYPES:
        return f"image src {src!r} is not an image (expected {', '.join(sorted(IMAGE_TYPES))})"
    if not target.is_file():
        return f"image src {src!r} does not exist in the content folder"
    return None
