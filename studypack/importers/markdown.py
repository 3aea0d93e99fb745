"""Markdown articles, read by markdown-it-py (the renderer's parser) into article pieces."""

from __future__ import annotations

import re
from pathlib import Path

from markdown_it import MarkdownIt
from markdown_it.tree import SyntaxTreeNode

from .article import HEADING, MARKED, PLAIN, INLINE_IMAGE, Piece, question_text, strip_html
from .draft import Draft, Problem
from .images import Images

FRONT_MATTER = re.compile(r"\A---\n(.*?\n)---\n", re.DOTALL)
EMPTY_LINK = re.compile(r"\[\s*\]\([^)]*\)")


def _asks(text: str) -> bool:
    return bool(question_text(text)) or text.rstrip("*_ ").endswith("?")


class MarkdownReader:
    """Pieces of a markdown article; see article.assemble for what becomes of them."""

    def __init__(self, text: str, draft: Draft, images: Images, root: Path):
        self.draft, self.images, self.root = draft, images, root
        self.title: str | None = None
        front = FRONT_MATTER.match(text)
        if front:  # YAML front matter: its title, and blank lines in its place (lines stay true)
            found = re.search(r"^title:\s*['\"]?(.+?)['\"]?\s*$", front[1], re.MULTILINE)
            self.title = found[1] if found else None
            text = "\n" * front[0].count("\n") + text[front.end():]
        parser = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])
        self.tree = SyntaxTreeNode(parser.parse(text))
        self.out: list[Piece] = []

    def pieces(self) -> tuple[str | None, list[Piece]]:
        best = max((self._style(node) for node in self.tree.children), default=0)
        for node in self.tree.children:
            self._top(node, best)
        return self.title, _numbered_sections(self.out)

    @staticmethod
    def _first_line(node: SyntaxTreeNode) -> str:
        paragraph = node.children[0] if node.children else None
        if paragraph is None or paragraph.type != "paragraph":
            return ""
        return paragraph.children[0].content.split("\n")[0]

    def _style(self, node: SyntaxTreeNode) -> int:
        """The strongest question style the node shows (0: none)."""
        if node.type == "heading":
            return HEADING if _asks(node.children[0].content) else 0
        if node.type == "paragraph":
            asked = question_text(node.children[0].content.split("\n")[0])
            return MARKED if asked and asked[0] == MARKED else 0
        if node.type == "ordered_list":
            firsts = [self._first_line(item) for item in node.children]
            return PLAIN if any(f.rstrip("*_ ").endswith("?") for f in firsts) else 0
        return 0

    def _top(self, node: SyntaxTreeNode, best: int) -> None:
        line = node.map[0] + 1 if node.map else 0
        if node.type == "heading":
            text, _ = self._inline(node.children[0], line, images=False)
            level = int(node.tag[1])
            asked = question_text(text)
            if best == HEADING and _asks(text):
                self.out.append(Piece("question", line, asked[1] if asked else text, level=level))
            elif level == 1 and self.title is None and not any(p.kind == "question" for p in self.out):
                self.title = text
            elif text:
                self.out.append(Piece("heading", line, text, level=level))
        elif node.type == "paragraph" and best == MARKED:
            first, _, rest = node.children[0].content.partition("\n")
            asked = question_text(first)
            if asked and asked[0] == MARKED:
                self.out.append(Piece("question", line, asked[1]))
                if rest.strip():
                    self._text(rest, node.children[0], line + 1)
            else:
                self._blocks(node)
        elif node.type == "ordered_list" and best == PLAIN:
            for item in node.children:
                self._list_question(item)
        else:
            self._blocks(node)

    def _list_question(self, item: SyntaxTreeNode) -> None:
        """`1. What is X?` as an item of an ordered list: the question, then its answer."""
        line = item.map[0] + 1
        first = self._first_line(item)
        if not first.rstrip("*_ ").endswith("?"):
            self._blocks(item)
            return
        text = strip_html(first, line, self.draft)
        bold = re.fullmatch(r"(\*\*|__)(.+)\1", text.strip())
        self.out.append(Piece("question", line, bold[2] if bold else text.strip()))
        paragraph, *others = item.children
        rest = paragraph.children[0].content.partition("\n")[2]
        if rest.strip():
            self._text(rest, paragraph.children[0], line + 1)
        for child in others:
            self._blocks(child)

    def _blocks(self, node: SyntaxTreeNode) -> None:
        """The blocks of an answer (or a section's intro) that `node` holds."""
        line = node.map[0] + 1 if node.map else 0
        kind = node.type
        if kind == "paragraph":
            self._text(node.children[0].content, node.children[0], line)
        elif kind == "heading":
            text, _ = self._inline(node.children[0], line, images=False)
            self.out.append(Piece("heading", line, text, level=int(node.tag[1])))
        elif kind in ("bullet_list", "ordered_list"):
            items, extra = self._items(node)
            if items:
                self.out.append(Piece("block", line, block={"list": items}))
            self.out.extend(extra)
        elif kind in ("fence", "code_block"):
            code = {"text": node.content or " "}
            language = (node.info or "").split()[0] if kind == "fence" and node.info else None
            if language and re.fullmatch(r"[A-Za-z0-9+#._-]{1,40}", language):
                code = {"language": language, **code}
            self.out.append(Piece("block", line, block={"code": code}))
        elif kind == "table":
            self._table(node, line)
        elif kind == "html_block":
            self.draft.warnings.append(Problem(line, f"raw HTML dropped: {_excerpt(node.content)}"))
        elif kind in ("blockquote", "list_item"):
            for child in node.children:
                self._blocks(child)
        # hr and anything else: nothing to show

    def _items(self, node: SyntaxTreeNode, depth: int = 0) -> tuple[list[str], list[Piece]]:
        """A list's items, nested items flattened after their parent (marked with a dash)."""
        items: list[str] = []
        extra: list[Piece] = []
        for item in node.children:
            texts = []
            for child in item.children:
                line = child.map[0] + 1 if child.map else 0
                if child.type == "paragraph":
                    text, pictures = self._inline(child.children[0], line)
                    texts.append(text)
                    extra.extend(Piece("block", line, block=p) for p in pictures)
                elif child.type in ("bullet_list", "ordered_list"):
                    if texts:
                        items.append(("\u2013 " * depth) + " ".join(texts))
                        texts = []
                    sub, more = self._items(child, depth + 1)
                    items.extend(sub)
                    extra.extend(more)
                else:
                    saved, self.out = self.out, []
                    self._blocks(child)
                    extra.extend(self.out)
                    self.out = saved
            if texts and any(texts):
                items.append(("\u2013 " * depth) + " ".join(t for t in texts if t))
        return items, extra

    def _table(self, node: SyntaxTreeNode, line: int) -> None:
        rows = []
        for part in node.children:  # thead, tbody
            for tr in part.children:
                rows.append([self._inline(cell.children[0], line, images=False)[0]
                             if cell.children else "" for cell in tr.children])
        if len(rows) < 2:
            if rows:
                self.out.append(Piece("block", line, block={"text": " | ".join(rows[0])}))
            return
        self.out.append(Piece("block", line, block={"table": {"columns": rows[0], "rows": rows[1:]}}))

    def _text(self, content: str, inline: SyntaxTreeNode, line: int) -> None:
        text, pictures = self._inline(inline, line, content=content)
        if text:
            self.out.append(Piece("block", line, block={"text": text}))
        self.out.extend(Piece("block", line, block=p) for p in pictures)

    def _inline(self, inline: SyntaxTreeNode, line: int, images: bool = True,
                content: str | None = None) -> tuple[str, list[dict]]:
        """Inline markdown as written, less raw HTML and images (images given as image blocks)."""
        text = inline.content if content is None else content
        pictures = []
        for child in _walk(inline):
            if child.type == "image" and (content is None or child.attrs.get("src", "") in text):
                src = str(child.attrs.get("src", ""))
                at = line + next((i for i, row in enumerate(text.split("\n")) if src in row), 0)
                if images:
                    block = self.images.block(src, self.root, child.content, at)
                    if block:
                        pictures.append(block)
                else:
                    self.draft.warnings.append(Problem(at, f"image {src!r} in a heading or "
                                                             "table cell dropped"))
        if pictures or "![" in text:
            text = EMPTY_LINK.sub("", INLINE_IMAGE.sub("", text))
        if any(child.type == "html_inline" for child in _walk(inline)):
            text = strip_html(text, line, self.draft)
        return " ".join(text.split()) if "\n" not in text.strip() else text.strip(), pictures


def _numbered_sections(pieces: list[Piece]) -> list[Piece]:
    """`## 1. Basics` above `### What is X?`: a numbered heading that asks nothing and holds
    deeper questions is a section, not a question."""
    def asks_nothing(piece: Piece) -> bool:
        return (piece.kind == "question" and bool(piece.level)
                and not piece.text.rstrip("*_ ").endswith("?"))

    levels = set()
    for index, piece in enumerate(pieces):
        following = next((p for p in pieces[index + 1:] if p.kind != "block"), None)
        if (asks_nothing(piece) and following and following.kind == "question"
                and following.level > piece.level):
            levels.add(piece.level)
    # Then every such heading of that level is one (`## 3. Summary` after the last question too).
    return [Piece("heading", p.line, p.text, level=p.level)
            if asks_nothing(p) and p.level in levels else p for p in pieces]


def _walk(node: SyntaxTreeNode):
    for child in node.children:
        yield child
        yield from _walk(child)


def _excerpt(html: str) -> str:
    first = html.strip().split("\n")[0]
    return first if len(first) <= 60 else first[:57] + "..."
