"""`--html`: each edition's HTML beside its PDF, with its stylesheets and fonts, for a browser."""

from __future__ import annotations

import filecmp
import re
import shutil
from pathlib import Path

from .assets import STYLESHEET_LINK, TEMPLATES
from .pdf import write_atomic

ASSETS = "html-assets"
PREVIEW_CSS = "preview.css"
_CSS_URL = re.compile(r"url\(\s*['\"]?([^'\")]+?)['\"]?\s*\)")


def preview_html(html: str) -> str:
    """The HTML with its stylesheets taken from the assets folder, plus the screen frame."""
    html = STYLESHEET_LINK.sub(lambda m: f'<link rel="stylesheet" href="{ASSETS}/{m[1]}">', html)
    frame = f'<link rel="stylesheet" href="{ASSETS}/{PREVIEW_CSS}">\n'
    return html.replace("</head>", frame + "</head>", 1)


def asset_files(html: str) -> list[str]:
    """The builder's own files the preview uses: its stylesheets and what they refer to (fonts)."""
    sheets = [m[1] for m in STYLESHEET_LINK.finditer(html)] + [PREVIEW_CSS]
    files = list(sheets)
    for sheet in sheets:
        css = (TEMPLATES / sheet).read_text(encoding="utf-8")
        base = Path(sheet).parent
        files += [(base / url).as_posix() for url in _CSS_URL.findall(css) if ":" not in url]
    return list(dict.fromkeys(files))


def copy_assets(files: list[str], folder: Path) -> None:
    """Copy the templates' files into `folder`, skipping those already there and unchanged."""
    root = TEMPLATES.resolve()
    for name in files:
        source = (root / name).resolve()
        if not source.is_relative_to(root) or not source.is_file():
            continue  # only the builder's own files, never a path a stylesheet leads elsewhere
        target = folder / name
        if target.is_file() and filecmp.cmp(source, target, shallow=True):
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(target, source.read_bytes())
        shutil.copystat(source, target)


def write_preview(html: str, target: Path) -> None:
    """Write `html` to `target` with the stylesheets and fonts it needs beside it."""
    copy_assets(asset_files(html), target.parent / ASSETS)
    write_atomic(target, preview_html(html).encode("utf-8"))
