"""Images in markdown (`![alt](diagram.png)`): parsed, checked like image blocks, drawn from the pack."""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator
from urllib.parse import unquote

from markdown_it import MarkdownIt
from markdown_it.rules_inline.image import image as _image_rule
from markupsafe import escape

from .assets import image_problem
from .model import ContentError
from .yamlread import Loc, Source, format_loc

# Plain text that is never markdown: ids, tags, paths, alt text, code and chart labels.
NOT_MARKDOWN = {"id", "language", "tags", "unit", "type", "src", "alt", "code", "data"}
_LINE_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")
_NOT_IN_PACK = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*:|[/\\])")  # a URL or an absolute path


def install(md: MarkdownIt) -> None:
    """Let `md` parse images whatever their target, and draw them through `env["image_url"]`.

    markdown-it refuses an image whose target its `validateLink` refuses, and ours refuses all but
    web and mail links; an image target is instead checked by the loader, which refuses the pack
    (with the image's line and column) unless the file is inside the pack's folder. What the
    renderer draws, the locked fetcher serves only from that folder all the same."""

    def image(state, silent: bool) -> bool:
        validate = state.md.validateLink
        state.md.validateLink = lambda url: True
        try:
            return _image_rule(state, silent)
        finally:
            state.md.validateLink = validate

    md.inline.ruler.at("image", image)
    md.add_render_rule("image", _render_image)


def _render_image(self, tokens, idx, options, env) -> str:
    token = tokens[idx]
    alt = self.renderInlineAsText(token.children or [], options, env)
    to_url = env.get("image_url") if isinstance(env, dict) else None
    if to_url is None:  # plain text (bookmarks, metadata): what the image shows
        return str(escape(alt))
    src = source_path(token.attrGet("src") or "")
    if _NOT_IN_PACK.match(src):  # the loader refuses these; never handed to the renderer
        return str(escape(alt))
    return f'<img class="md-image" src="{escape(to_url(src))}" alt="{escape(alt)}">'


def source_path(target: str) -> str:
    """The file a markdown image target names: markdown-it percent-encodes what it keeps."""
    return unquote(target)


def images_in(md: MarkdownIt, text: str) -> list[tuple[str, str]]:
    """(target, alt text) of every image in a markdown text, in order."""
    if "![" not in text:
        return []
    found = []
    for tokens in (md.parse(text), md.parseInline(text)):
        for block in tokens:
            for child in block.children or ():
                if child.type == "image":
                    alt = "".join(t.content for t in child.children or () if t.type == "text")
                    found.append((source_path(child.attrGet("src") or ""), alt))
        if found:  # the block reading finds them all, unless the text reads as code there
            break
    return found


def markdown_texts(data: object, loc: Loc = ()) -> Iterator[tuple[Loc, str]]:
    """Every text of a pack's plain data that is read as markdown, with its path."""
    if isinstance(data, dict):
        for key, value in data.items():
            if key not in NOT_MARKDOWN:
                yield from markdown_texts(value, loc + (key,))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from markdown_texts(value, loc + (index,))
    elif isinstance(data, str):
        yield loc, data


def check_images(data: object, text: str, src: Source) -> None:
    """An error at its own line and column for each markdown image that is not an image file
    inside the pack's folder (a URL, an absolute path, `..`), or that says nothing in alt text."""
    if "![" not in text and "\\" not in text:  # no image, not even one spelt with YAML escapes
        return
    from .render import markdown_images_in  # the renderer's own reading of markdown

    lines: list[int] | None = None
    for loc, value in markdown_texts(data):
        images = markdown_images_in(value)
        if not images:
            continue
        if lines is None:
            lines = _line_starts(text)
        line, col = src.position(loc)
        cursor = lines[line - 1] + col - 1 if line <= len(lines) else len(text)
        for target, alt in images:
            # The image's own place in the file: its `![`, from where the value starts.
            found = text.find("![", cursor)
            if found >= 0:
                cursor = found + 2
                line, col = _position(lines, found)
            problem = _problem(target, alt, src)
            if problem:
                src.errors.append(ContentError(src.file, line, col, problem, format_loc(loc)))


def _problem(target: str, alt: str, src: Source) -> str | None:
    try:
        problem = image_problem(target, src.path.parent)
    except (OSError, ValueError) as exc:  # a NUL or an overlong name in the path
        problem = f"image src {target!r} is not a usable file path ({exc})"
    if problem:
        return f"markdown {problem}; never fetched"
    if not alt.strip():
        return (f"markdown image {target!r} has no alt text: say what it shows, "
                f"![what it shows]({target})")
    return None


def _line_starts(text: str) -> list[int]:
    return [0] + [m.end() for m in _LINE_BREAK.finditer(text)]


def _position(lines: list[int], offset: int) -> tuple[int, int]:
    index = bisect.bisect_right(lines, offset) - 1
    return index + 1, offset - lines[index] + 1
