"""A pack file being read: the line:col of every value and key by its path in the data, and the
errors found, each located for the author."""

from __future__ import annotations

import re
from pathlib import Path

from .limits import MAX_FILE_BYTES
from .model import ContentError

_WORD = re.compile(r"[A-Za-z0-9_-]+")
_LINE_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")

_SIGNATURES = {
    b"%PDF-": "a PDF document",
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"GIF8": "a GIF image",
    b"PK\x03\x04": "a ZIP archive (or a .docx, .xlsx, .odt file)",
    b"\x7fELF": "a program (ELF executable)",
}
_BOMS = {
    b"\xff\xfe\x00\x00": "UTF-32", b"\x00\x00\xfe\xff": "UTF-32",
    b"\xff\xfe": "UTF-16", b"\xfe\xff": "UTF-16",
}

Loc = tuple[int | str, ...]


class Source:
    """One file being read: positions of every value and mapping key by path, and its errors."""

    def __init__(self, file: str, path: Path):
        self.file = file
        self.path = path
        self.values: dict[Loc, tuple[int, int]] = {}
        self.keys: dict[Loc, tuple[int, int]] = {}
        self.errors: list[ContentError] = []
        self.syntax_errors = False  # lines were set aside to read on after a syntax error

    def error(self, loc: Loc, message: str, *, at_key: bool = False) -> None:
        line, col = self.position(loc, at_key=at_key)
        self.errors.append(ContentError(self.file, line, col, message, format_loc(loc)))

    def error_at(self, mark, message: str, loc: Loc = ()) -> None:
        self.errors.append(ContentError(self.file, mark.line + 1, mark.column + 1, message,
                                        format_loc(loc)))

    def position(self, loc: Loc, *, at_key: bool = False) -> tuple[int, int]:
        if at_key and loc in self.keys:
            return self.keys[loc]
        while loc not in self.values and loc:
            loc = loc[:-1]
        return self.values.get(loc, (1, 1))


def format_loc(loc: Loc) -> str:
    """`sections[2].questions[4].lines`; a key that is not a plain word is quoted."""
    out = ""
    for part in loc:
        if isinstance(part, int) or not _WORD.fullmatch(part):
            out += f"[{part!r}]"
        else:
            out += f".{part}" if out else part
    return out


def key_text(key: object) -> str:
    """A key as a message shows it: plain words as they are, anything else quoted."""
    return key if isinstance(key, str) and _WORD.fullmatch(key) else repr(key)


def where(text: str, index: int) -> tuple[int, int]:
    """Line and column (from 1, in characters, YAML's line breaks) of a character of `text`."""
    breaks = list(_LINE_BREAK.finditer(text, 0, index))
    start = breaks[-1].end() if breaks else 0
    return len(breaks) + 1, index - start + 1


def read_text(path: Path, src: Source) -> str | None:
    """The file's text, or None with an error if it is unreadable, binary, not UTF-8 or empty."""
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            src.error((), f"expected a pack file of at most {MAX_FILE_BYTES // 2**20} MiB, found "
                          f"{size / 2**20:.0f} MiB: split it into several packs")
            return None
        data = path.read_bytes()
    except OSError as exc:
        src.error((), f"cannot read the file: {exc.strerror or exc}")
        return None
    for bom, encoding in _BOMS.items():
        if data.startswith(bom):
            src.error((), f"expected UTF-8 text, found {encoding} text: save the file as UTF-8")
            return None
    nul = data.find(b"\x00", 0, 8192)
    if nul >= 0 or data.startswith(tuple(_SIGNATURES)):
        kind = next((name for sig, name in _SIGNATURES.items() if data.startswith(sig)),
                    "binary data")
        src.error((), f"expected YAML text, found {kind}: is this the right file?")
        return None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        before = data[:exc.start].decode("utf-8-sig")  # valid up to the bad byte
        src.errors.append(ContentError(
            src.file, *where(before, len(before)),
            f"expected UTF-8 text, found the byte 0x{data[exc.start]:02x}: save the file as UTF-8"))
        return None
    return text
