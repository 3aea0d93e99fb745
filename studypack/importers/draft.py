"""What every importer hands the writer: a pack as plain data, with the source line of each part."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Problem:
    """A fault in the imported file, at a line (0: the file as a whole) or a named place."""

    line: int
    message: str
    where: str = ""  # e.g. "note 3", where a file has no lines (an Anki deck)

    def format(self, file: str, kind: str = "") -> str:
        if self.where:
            return f"{file}: {self.where}: {kind}{self.message}"
        return f"{file}:{self.line}: {kind}{self.message}" if self.line else f"{file}: {kind}{self.message}"


class ImportFailed(Exception):
    """The file cannot be imported; every problem found (exit code 1, nothing written)."""

    def __init__(self, problems: list[Problem]):
        super().__init__("\n".join(p.message for p in problems))
        self.problems = problems


@dataclass
class Media:
    """An image the pack will show: where its bytes come from and the name it gets in the pack."""

    name: str  # file name inside the pack's image folder
    data: bytes  # the checked file's bytes (from the article's folder, or unpacked from a deck)


@dataclass
class DraftQuestion:
    fields: dict  # question, answer (a list of blocks), and any of id, key_points, points, tags
    line: int = 0
    where: str = ""


@dataclass
class DraftSection:
    title: str
    line: int = 0
    intro: list[dict] = field(default_factory=list)
    questions: list[DraftQuestion] = field(default_factory=list)


@dataclass
class Draft:
    """A pack about to be written; `warnings` are told to the author, `problems` stop the import."""

    title: str
    description: str | None = None
    sections: list[DraftSection] = field(default_factory=list)
    media: list[Media] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    def section(self, title: str, line: int = 0) -> DraftSection:
        """The section of this title, made at the end when there is none yet."""
        for section in self.sections:
            if section.title == title:
                return section
        self.sections.append(DraftSection(title, line))
        return self.sections[-1]


def merge_text(blocks: list[dict]) -> list[dict]:
    """Adjacent text blocks joined into one, paragraphs apart: fewer, more editable blocks."""
    out: list[dict] = []
    for block in blocks:
        if out and "text" in block and "text" in out[-1]:
            out[-1] = {"text": out[-1]["text"] + "\n\n" + block["text"]}
        else:
            out.append(dict(block))
    return out


def decode_utf8(data: bytes) -> str:
    """The file's text (UTF-8, with or without a byte order mark), line breaks made `\\n`."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise ImportFailed([Problem(line, f"expected UTF-8 text, found the byte "
                                          f"0x{data[exc.start]:02x}: save the file as UTF-8")]) from None
    if "\0" in text:
        line = text[:text.index("\0")].count("\n") + 1
        raise ImportFailed([Problem(line, "holds a NUL character: this is not a text file")])
    return text.replace("\r\n", "\n").replace("\r", "\n")
