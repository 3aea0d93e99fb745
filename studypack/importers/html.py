"""HTML (an Anki field) to studypack blocks and markdown, through a real parser: never as markup."""

from __future__ import annotations

import re
from collections.abc import Callable

from bs4 import BeautifulSoup, NavigableString, Tag
from markdownify import MarkdownConverter

DROPPED = ["script", "style", "iframe", "object", "embed", "audio", "video", "head", "title",
           "meta", "link", "noscript", "template", "svg", "math", "form", "input", "button"]
BLOCKISH = {"div", "p", "section", "article", "blockquote", "center", "main", "header", "footer",
            "ul", "ol", "table", "pre", "figure", "img", "h1", "h2", "h3", "h4", "h5", "h6", "hr"}

ImageFn = Callable[[str, str], "dict | None"]  # (src, alt) -> an image block, or None


class _Converter(MarkdownConverter):
    """markdownify with images left to the caller (they become image blocks)."""

    def convert_img(self, el, text, parent_tags):
        return ""


_CONVERTER = _Converter(heading_style="ATX", bullets="-", newline_style="backslash",
                        escape_misc=False)


def parse(html: str) -> BeautifulSoup:
    soup = BeautifulSoup(html, "html.parser")
    for tag in soup(DROPPED):
        tag.decompose()
    return soup


def markdown(html: str | Tag) -> str:
    """Inline markdown for a fragment: emphasis, code, links kept; every other tag's text only."""
    text = _CONVERTER.convert(html) if isinstance(html, str) else _CONVERTER.convert_soup(html)
    text = re.sub(r"\n{3,}", "\n\n", text.replace("\xa0", " ")).strip()
    return re.sub(r"\\$", "", text).strip()  # a trailing <br>


def blocks(html: str, image: ImageFn) -> list[dict]:
    """The blocks of an answer written in HTML: paragraphs, lists, tables, code, images."""
    out: list[dict] = []
    _children(parse(html), out, image)
    return out


def _children(node: Tag, out: list[dict], image: ImageFn) -> None:
    pending: list = []

    def flush():
        if pending:
            holder = BeautifulSoup("", "html.parser")
            for piece in list(pending):
                holder.append(piece.extract() if isinstance(piece, Tag) else NavigableString(str(piece)))
            for img in holder.find_all("img"):
                _image(img, out, image)
            text = markdown(holder)
            if text:
                out.append({"text": text})
            pending.clear()

    for child in list(node.children):
        if isinstance(child, Tag) and child.name in BLOCKISH:
            flush()
            _block(child, out, image)
        elif isinstance(child, Tag) and child.find(list(BLOCKISH - {"img"})):
            flush()
            _children(child, out, image)
        elif not (isinstance(child, Tag) and child.name == "br" and not pending):
            pending.append(child)
    flush()


def _block(el: Tag, out: list[dict], image: ImageFn) -> None:
    name = el.name
    if name in ("ul", "ol"):
        items = _items(el)
        if items:
            out.append({"list": items})
    elif name == "table":
        table = _table(el)
        if table:
            out.append(table)
    elif name == "pre":
        code = {"text": el.get_text() or " "}
        language = el.get("data-language") or next(
            (c[9:] for inner in [el.find("code")] if inner for c in inner.get("class", [])
             if c.startswith("language-")), None)
        if language and re.fullmatch(r"[A-Za-z0-9+#._-]{1,40}", language):
            code = {"language": language, **code}
        out.append({"code": code})
    elif name == "figure":
        if "chart" in (el.get("class") or []):  # a studypack chart: its description, as text
            label = el.get("aria-label", "").strip()
            if label:
                out.append({"text": label})
            return
        img = el.find("img")
        if img:
            caption = el.find("figcaption")
            _image(img, out, image, markdown(caption.decode_contents()) if caption else None)
    elif name == "img":
        _image(el, out, image)
    elif name.startswith("h") and name[1:].isdigit():
        text = markdown(el.decode_contents())
        if text:
            out.append({"text": f"**{text}**"})
    elif name != "hr":
        _children(el, out, image)


def _image(img: Tag, out: list[dict], image: ImageFn, caption: str | None = None) -> None:
    block = image(str(img.get("src", "")), str(img.get("alt", "")))
    if block:
        if caption:
            block["image"]["caption"] = caption
        out.append(block)


def _items(el: Tag, depth: int = 0) -> list[str]:
    items = []
    for li in el.find_all("li", recursive=False):
        nested = [sub.extract() for sub in li.find_all(["ul", "ol"], recursive=False)]
        text = markdown(li.decode_contents())
        if text:
            items.append("\u2013 " * depth + " ".join(text.split()))
        for sub in nested:
            items.extend(_items(sub, depth + 1))
    return items


def _table(el: Tag) -> dict | None:
    rows = [[" ".join(markdown(cell.decode_contents()).split()) for cell in tr.find_all(["th", "td"])]
            for tr in el.find_all("tr")]
    rows = [row for row in rows if row]
    if len(rows) < 2:
        return {"text": " | ".join(rows[0])} if rows else None
    width = len(rows[0])
    table: dict = {"columns": rows[0], "rows": [(r + [""] * width)[:width] for r in rows[1:]]}
    if el.get("data-worksheet") in ("blank", "header"):  # as studypack's own decks write it
        table["worksheet"] = el["data-worksheet"]
    caption = el.find("caption")
    if caption and markdown(caption.decode_contents()):
        table = {"caption": markdown(caption.decode_contents()), **table}
    return {"table": table}
