"""Plain-text articles (text copied from a web page): one line a paragraph, a list item or a cell."""

from __future__ import annotations

import re

from .draft import Draft, Problem

BULLET = re.compile(r"^\s*(?:[-*+\u2022\u25aa\u25e6\u2013]|\d{1,3}[.)])\s+(?P<text>\S.*)$")
HTML_LINE = re.compile(r"^\s*(?:<[^<>]+>\s*)+$")
# Lines that close the questions of an article: what follows them is not an answer.
END_WORDS = {"conclusion", "conclusions", "summary", "final thoughts", "wrapping up", "wrap up",
             "references", "further reading", "resources", "related articles", "related posts",
             "about the author", "next steps", "see also", "acknowledgements", "acknowledgments"}
STOP = ".,;:!?|"
MAX_COLUMNS = 8


def words(text: str) -> int:
    return len(text.split())


def is_short_label(text: str, most: int) -> bool:
    return 0 < words(text) <= most and text[-1] not in ".!?;:"


def table_shape(cells: list[str]) -> int | None:
    """The number of columns of a table flattened one cell a line (the seed's tables), or None.

    The widest layout whose header cells and row labels are all short labels wins: prose cells
    (a sentence ending in a full stop, eight words and more) are never headers or labels."""
    for columns in range(min(MAX_COLUMNS, len(cells) // 2), 1, -1):
        if len(cells) % columns:
            continue
        header = cells[:columns]
        labels = cells[columns::columns]
        if all(is_short_label(c, 5) for c in header) and all(is_short_label(c, 7) for c in labels):
            return columns
    return None


class TextReader:
    """Pieces of a plain-text article; see article.assemble for what becomes of them."""

    def __init__(self, text: str, draft: Draft):
        self.lines = text.split("\n")
        self.draft = draft
        blank = sum(1 for line in self.lines if not line.strip())
        # Text with blank lines between paragraphs is wrapped; without, each line is a paragraph.
        self.wrapped = blank * 10 >= len(self.lines) - blank
        self.out: list = []
        self.items: list[list] = []  # [text, line]
        self.cells: list[tuple[str, int]] = []
        self.rows: list[tuple[list[str], int]] = []
        self.paragraph: list[tuple[str, int]] = []

    def pieces(self):
        from .article import MARKED, Piece, question_text, strip_html

        start, title = self._title()
        styles = [question_text(line)[0] for line in self.lines[start:]
                  if question_text(line) and self._asks(line)]
        best = max(styles, default=0)
        for index in range(start, len(self.lines)):
            number, raw = index + 1, self.lines[index]
            line = raw.strip()
            if not line:
                self._flush()
                continue
            if HTML_LINE.match(line):
                self._flush()
                self.draft.warnings.append(Problem(number, "raw HTML dropped"))
                continue
            line = strip_html(line, number, self.draft)
            asked = question_text(line)
            if asked and asked[0] == best and self._asks(line):
                self._flush()
                self.out.append(Piece("question", number, asked[1]))
            elif self._is_part(line, index) or line.lower().rstrip(":") in END_WORDS:
                self._flush()
                self.out.append(Piece("heading", number, line, level=2))
            elif line.endswith("|") and not line.startswith("|"):
                self._flush(keep="cells")
                self.cells.append((line[:-1].strip(), number))
            elif line.startswith("|") and line.endswith("|") and len(line) > 1:
                self._flush(keep="rows")
                if not re.fullmatch(r"[|:\-\s]+", line):
                    self.rows.append(([c.strip() for c in line[1:-1].split("|")], number))
            elif "\t" in raw.strip() and len(raw.strip().split("\t")) >= 2:
                self._flush(keep="rows")
                self.rows.append(([c.strip() for c in raw.strip().split("\t")], number))
            elif BULLET.match(line) and not (asked and asked[0] >= MARKED):
                self._flush(keep="items")
                self.items.extend(self._split_items(BULLET.match(line)["text"], number))
            elif self.items and (self.wrapped or line[0].islower()):
                self.items[-1:] = self._split_items(f"{self.items[-1][0]} {line}", self.items[-1][1])
            elif self.cells and self._ends_table(line):
                self.cells.append((line, number))
                self._flush()
            else:
                self._flush(keep="paragraph")
                if self.wrapped:
                    self.paragraph.append((line, number))
                else:
                    self.out.append(Piece("block", number, block={"text": line}))
        self._flush()
        return title, self.out

    def _title(self) -> tuple[int, str | None]:
        """Where the article starts after its title line (the first line of three words or more)."""
        filled = [(i, line.strip()) for i, line in enumerate(self.lines[:15]) if line.strip()]
        for index, line in filled:
            if words(line) >= 3 and len(line) <= 150 and not line.endswith("."):
                return index + 1, line
        return (filled[0][0] + 1, filled[0][1]) if filled else (0, None)

    def _asks(self, line: str) -> bool:
        """A numbered line is a question when it ends with `?` or is marked (`Q1.`, bold)."""
        from .article import MARKED, question_text

        style, text = question_text(line)
        return style >= MARKED or text.rstrip("*_ ").endswith("?")

    def _is_part(self, line: str, index: int) -> bool:
        """A line naming a part ("Basic AWS Lambda Interview Questions"), or a short label that
        the next line's question follows."""
        from .article import question_text

        if not is_short_label(line, 12) or line[-1] in STOP or BULLET.match(line):
            return False
        if self.wrapped and not self._alone(index):
            return False  # a line of a wrapped paragraph
        if re.search(r"\bquestions?\b", line, re.IGNORECASE):
            return True
        following = next((l for l in self.lines[index + 1:] if l.strip()), "")
        return (is_short_label(line, 6) and line[0].isupper()
                and bool(question_text(following)) and self._asks(following))

    def _alone(self, index: int) -> bool:
        """Whether the line at `index` is a paragraph of its own (blank lines around it)."""
        before = self.lines[index - 1].strip() if index else ""
        after = self.lines[index + 1].strip() if index + 1 < len(self.lines) else ""
        return not before and not after

    def _ends_table(self, line: str) -> bool:
        """Whether `line` is the last cell of the flattened table above (written without `|`)."""
        cells = [c for c, _ in self.cells]
        return table_shape(cells + [line]) is not None and table_shape(cells) is None

    @staticmethod
    def _split_items(text: str, line: int) -> list[list]:
        # Copied web text loses the break between items: "...fields. - Test the function".
        return [[part, line] for part in re.split(r"(?<=[.!?:])\s+-\s+(?=[A-Z])", text)]

    def _flush(self, keep: str = "") -> None:
        from .article import Piece

        if keep != "items" and self.items:
            self.out.append(Piece("block", self.items[0][1], block={"list": [t for t, _ in self.items]}))
            self.items = []
        if keep != "cells" and self.cells:
            self.out.extend(self._cells_table())
            self.cells = []
        if keep != "rows" and self.rows:
            self.out.append(self._rows_table())
            self.rows = []
        if keep != "paragraph" and self.paragraph:
            self.out.append(Piece("block", self.paragraph[0][1],
                                  block={"text": " ".join(t for t, _ in self.paragraph)}))
            self.paragraph = []

    def _cells_table(self) -> list:
        from .article import Piece

        cells = [c for c, _ in self.cells]
        columns = table_shape(cells)
        line = self.cells[0][1]
        if columns is None:
            self.draft.warnings.append(Problem(line, f"{len(cells)} lines ending in '|' do not "
                                                     "make a table: kept as text"))
            return [Piece("block", line, block={"text": " | ".join(cells)})]
        rows = [cells[i:i + columns] for i in range(columns, len(cells), columns)]
        return [Piece("block", line, block={"table": {"columns": cells[:columns], "rows": rows}})]

    def _rows_table(self):
        from .article import Piece

        header, line = self.rows[0]
        rows = [(cells + [""] * len(header))[:len(header)] for cells, _ in self.rows[1:]]
        if not rows:
            return Piece("block", line, block={"text": " | ".join(header)})
        return Piece("block", line, block={"table": {"columns": header, "rows": rows}})
