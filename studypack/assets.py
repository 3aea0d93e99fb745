"""What the renderer may read: the builder's own files and images inside a pack's content folder."""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import NoReturn
from xml.parsers import expat

from .limits import MAX_IMAGE_BYTES, MAX_IMAGE_FRAMES, MAX_IMAGE_PIXELS
from .svgshape import SvgShape

# Installed, the templates are package data (pyproject.toml); in a checkout, the top-level folder.
_PACKAGED = Path(__file__).resolve().parent / "templates"
TEMPLATES = _PACKAGED if _PACKAGED.is_dir() else Path(__file__).resolve().parent.parent / "templates"
IMAGE_TYPES = {".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp"}
RASTER_FORMATS = ("PNG", "JPEG", "GIF", "WEBP")
# How the templates link their stylesheets, files in TEMPLATES:
# <link rel="stylesheet" href="print.css">
STYLESHEET_LINK = re.compile(r'<link rel="stylesheet" href="([A-Za-z0-9_-]+\.css)">')
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
_PLAIN_URL = re.compile(r"""url\(\s*['"]?\s*([^'"\s)]*)""", re.IGNORECASE)


def image_problem(src: str, content_root: Path) -> str | None:
    """Why an image `src` may not be used, or None when it is a file inside the content folder."""
    if _SCHEME.match(src) or src.startswith("//"):
        return f"image src {src!r} is a URL; only files inside the content folder can be used"
    if src.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:[\\/]", src):
        return f"image src {src!r} is an absolute path; give a path relative to the pack file"
    if "\\" in src:
        return f"image src {src!r} uses backslashes; use '/' between folders"
    if "\0" in src:
        return f"image src {src!r} holds a NUL character"
    root = content_root.resolve()
    try:
        target = (root / src).resolve()
    except (OSError, RuntimeError):  # a symlink loop
        return f"image src {src!r} is a symlink that leads nowhere"
    if not target.is_relative_to(root):
        return f"image src {src!r} leads outside the content folder"
    if target.suffix.lower() not in IMAGE_TYPES:
        return f"image src {src!r} is not an image (expected {', '.join(sorted(IMAGE_TYPES))})"
    if not target.is_file():
        if target.exists():
            return f"image src {src!r} is not a regular file"
        return f"image src {src!r} does not exist in the content folder"
    size = target.stat().st_size
    if size > MAX_IMAGE_BYTES:
        return (f"image src {src!r} is {size / 2**20:.1f} MiB; an image may be at most "
                f"{MAX_IMAGE_BYTES // 2**20} MiB")
    try:
        problem = (svg_problem(target.read_bytes()) if target.suffix.lower() == ".svg"
                   else raster_problem(target))
    except OSError as exc:
        problem = f"cannot be read: {exc.strerror or exc}"
    return f"image src {src!r} {problem}" if problem else None


def raster_problem(path: Path) -> str | None:
    """Why the file is not a PNG, JPEG, GIF or WebP image of a sensible size, or None.

    Only the header is read, and only those four decoders may claim the file: Pillow knows
    formats (EPS, through Ghostscript) that must never see untrusted data. Damaged pixel data is
    not refused: WeasyPrint lets Pillow draw truncated images as far as they decode.
    """
    from PIL import Image, UnidentifiedImageError

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(path, formats=RASTER_FORMATS) as image:
                width, height = image.size
                if width * height > MAX_IMAGE_PIXELS:
                    return (f"is {width} x {height} pixels; an image may have at most "
                            f"{MAX_IMAGE_PIXELS // 1_000_000} million pixels")
                frames = getattr(image, "n_frames", 1)
                if frames > MAX_IMAGE_FRAMES:
                    return (f"has {frames:,} frames; an image may have at most "
                            f"{MAX_IMAGE_FRAMES} (only the first is printed: save that one)")
    except Image.DecompressionBombError:
        return f"has far too many pixels (at most {MAX_IMAGE_PIXELS // 1_000_000} million)"
    except UnidentifiedImageError:
        hint = " (it looks like an SVG: name it .svg)" if _looks_like_svg(path) else ""
        return f"is not a PNG, JPEG, GIF or WebP image{hint}"
    except (OSError, SyntaxError, ValueError) as exc:
        return f"is not a readable image: {exc}"
    return None


def _looks_like_svg(path: Path) -> bool:
    with path.open("rb") as handle:
        return b"<svg" in handle.read(4096)


def svg_problem(data: bytes) -> str | None:
    """Why an SVG file is unsafe or unusable, or None when it is self-contained.

    WeasyPrint would follow any reference inside an SVG (an <image>, an external <use>, a CSS
    url() or @import, an xml:base), so an SVG image must not refer to anything outside itself.
    A DOCTYPE is refused too: it is where entities (and entity bombs) live.
    """
    elements: list[str] = []
    style: list[str] = []
    shape = SvgShape()
    parser = expat.ParserCreate(namespace_separator=" ")

    def refuse(message: str) -> NoReturn:
        raise _Refused(f"{message} (line {parser.CurrentLineNumber} of the SVG)")

    def start(name: str, attributes: dict[str, str]) -> None:
        local = name.rpartition(" ")[2]
        if not elements and local != "svg":
            refuse(f"is not an SVG image: its root element is <{local}>")
        elements.append(local)
        problem = shape.start(local, attributes)
        if problem:
            refuse(problem)
        if local == "image":
            refuse("embeds another image with <image>; an SVG image must be self-contained")
        for attribute, value in attributes.items():
            attr = attribute.rpartition(" ")[2]
            if attr == "base":
                refuse("sets xml:base; an SVG image must not refer to anything outside itself")
            elif attr == "href" and not value.strip().startswith("#"):
                refuse(f"refers to {value!r}; an SVG image must not refer to anything "
                       "outside itself")
            else:
                _check_css(value, refuse)

    def text(data: str) -> None:
        if elements and elements[-1] == "style":
            style.append(data)

    def end(name: str) -> None:
        shape.end()
        if elements.pop() == "style":
            _check_css("".join(style), refuse)
            style.clear()

    parser.StartDoctypeDeclHandler = lambda *args: refuse(
        "has a DOCTYPE; an SVG image may not declare entities")
    parser.EntityDeclHandler = lambda *args: refuse("declares an entity")
    parser.ProcessingInstructionHandler = lambda target, data: refuse(
        f"has a <?{target}?> instruction; an SVG image must not refer to anything outside itself")
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = text
    try:
        parser.Parse(data, True)
        problem = shape.expanded_problem()
        if problem:
            return problem
    except _Refused as exc:
        return str(exc)
    except expat.ExpatError as exc:
        return (f"is not a well-formed SVG file: {expat.ErrorString(exc.code)} "
                f"(line {exc.lineno} of the SVG)")
    return None


class _Refused(Exception):
    """Stops the SVG parser at the first reference it may not follow."""


def _css_references(text: str):
    """The at-rules and url() targets in CSS text, escapes decoded as WeasyPrint decodes them."""
    import tinycss2

    pending = list(tinycss2.parse_component_value_list(text))
    while pending:
        token = pending.pop(0)
        if token.type == "at-keyword":
            yield "@" + token.lower_value
        elif token.type == "url":
            yield token.value
        elif token.type == "function" and token.lower_name == "url":
            yield "".join(getattr(arg, "value", "") for arg in token.arguments
                          if arg.type in ("string", "ident"))
        if token.type in ("function", "() block", "[] block", "{} block"):
            pending[:0] = token.arguments if token.type == "function" else token.content


def _check_css(text: str, refuse: Callable[[str], NoReturn]) -> None:
    """Refuse CSS (a style element or any attribute) that would load something."""
    lowered = text.lower()
    if "url" not in lowered and "\\" not in lowered and "@" not in lowered:
        return
    # Without escapes or at-rules a plain search finds every url(), far faster than tinycss2.
    plain = "\\" not in lowered and "@" not in lowered
    references = _PLAIN_URL.findall(text) if plain else _css_references(text)
    for reference in references:
        if reference in ("@import", "@font-face"):
            refuse(f"has an {reference} rule; an SVG image must not refer to anything "
                   "outside itself")
        if not reference.startswith(("#", "@")):
            refuse(f"refers to url({reference}); an SVG image must not refer to anything "
                   "outside itself")
