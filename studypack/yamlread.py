"""A pack file's bytes to plain data with the line:col of every value, in one bounded pass."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from .model import ContentError

try:
    _Loader = yaml.CSafeLoader
except AttributeError:  # PyYAML built without libyaml
    _Loader = yaml.SafeLoader

# Aliases may add at most this many values to what the file spells out (a larger sum is an alias
# bomb); and no value sits deeper than MAX_DEPTH collections. A pack needs about a dozen levels.
MAX_ALIAS_VALUES = 100_000
MAX_DEPTH = 64
MAX_FILE_BYTES = 64 * 2**20  # a 2,000-question pack is about 2.5 MiB

_TAG = "tag:yaml.org,2002:"
_SCALAR_TAGS = {_TAG + t for t in ("str", "int", "float", "bool", "null", "timestamp")} | {"!"}
_COLLECTION_TAGS = {_TAG + "seq", _TAG + "map", "!"}
_NULLS = {"", "~", "null", "Null", "NULL"}
# What YAML accepts as text: tab, line breaks and the printable characters of Unicode.
_NOT_PRINTABLE = re.compile("[^\t\n\r\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
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
_WORD = re.compile(r"[A-Za-z0-9_-]+")
_DISCARD = object()  # the key of a value that is read (to stay in step) but not kept

Loc = tuple[int | str, ...]


class Source:
    """One file being read: positions of every value and mapping key by path, and its errors."""

    def __init__(self, file: str, path: Path):
        self.file = file
        self.path = path
        self.values: dict[Loc, tuple[int, int]] = {}
        self.keys: dict[Loc, tuple[int, int]] = {}
        self.errors: list[ContentError] = []

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


class _Refused(Exception):
    """Reading stops here; the reason is already among the errors."""


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
            src.file, *_where(before, len(before)),
            f"expected UTF-8 text, found the byte 0x{data[exc.start]:02x}: save the file as UTF-8"))
        return None
    return text


def _where(text: str, index: int) -> tuple[int, int]:
    """Line and column (from 1, in characters, YAML's line breaks) of a character of `text`."""
    breaks = list(_LINE_BREAK.finditer(text, 0, index))
    start = breaks[-1].end() if breaks else 0
    return len(breaks) + 1, index - start + 1


def _char_at(text: str, line: int, col: int) -> str:
    lines = _LINE_BREAK.split(text)
    if 0 < line <= len(lines) and 0 < col <= len(lines[line - 1]):
        return lines[line - 1][col - 1]
    return ""


def _syntax_message(exc: yaml.MarkedYAMLError, text: str) -> tuple[int, int, str]:
    mark = exc.problem_mark or exc.context_mark
    line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    if _char_at(text, line, col) == "\t":
        return line, col, ("YAML syntax error: found a tab; expected spaces "
                           "(YAML indents with spaces only)")
    message = f"YAML syntax error: {exc.problem or 'the text cannot be parsed'}"
    context = exc.context
    cmark = exc.context_mark
    if context and cmark and (cmark.line, cmark.column) != (line - 1, col - 1):
        message += f" ({context} that starts at line {cmark.line + 1}, column {cmark.column + 1})"
    elif context:
        message += f" ({context})"
    return line, col, message


def parse(text: str, src: Source) -> object:
    """The plain data of the one YAML document in `text`; None (with errors) when there is none."""
    bad = [m for _, m in zip(range(10), _NOT_PRINTABLE.finditer(text))]
    for match in bad:
        line, col = _where(text, match.start())
        src.errors.append(ContentError(
            src.file, line, col,
            f"expected printable text, found the control character U+{ord(match.group()):04X}"))
    if bad:
        return None
    try:
        found, data = _Builder(src).build(text)
    except yaml.MarkedYAMLError as exc:
        src.errors.append(ContentError(src.file, *_syntax_message(exc, text)))
        return None
    except yaml.YAMLError as exc:
        src.error((), f"YAML syntax error: {exc}")
        return None
    except _Refused:
        return None
    if not found:
        src.error((), "the file is empty: expected a mapping with title and sections")
    return data


class _Frame:
    """A collection being read: the object, its path (None: not kept), the key awaiting a value."""

    __slots__ = ("value", "loc", "key", "seen", "anchor", "start", "depth")

    def __init__(self, value, loc: Loc | None, anchor: str | None, start: int):
        self.value = value
        self.loc = loc
        self.key = None
        self.seen: dict[str, int] = {}
        self.anchor = anchor
        self.start = start  # values counted before this collection began
        self.depth = 0  # deepest level below this collection, aliases included


class _Builder:
    """Plain data from YAML events, without recursion, counting every value aliases add."""

    def __init__(self, src: Source):
        self.src = src
        self.stack: list[_Frame] = []
        self.anchors: dict[str, tuple[object, int, int]] = {}  # value, values, depth
        self.root: object = None
        self.count = 0  # values and keys of the document, aliases expanded
        self.added = 0  # of which aliases added

    def build(self, text: str) -> tuple[bool, object]:
        """Whether the text holds a document, and the document's data."""
        documents = 0
        for event in yaml.parse(text, Loader=_Loader):
            kind = type(event)
            if kind is yaml.ScalarEvent:
                self.scalar(event)
            elif kind is yaml.MappingStartEvent or kind is yaml.SequenceStartEvent:
                self.start(event, {} if kind is yaml.MappingStartEvent else [])
            elif kind is yaml.MappingEndEvent or kind is yaml.SequenceEndEvent:
                self.end()
            elif kind is yaml.AliasEvent:
                self.alias(event)
            elif kind is yaml.DocumentStartEvent:
                documents += 1
                if documents > 1:
                    self.src.error_at(event.start_mark, "expected one pack per file, found a "
                                      "second YAML document (after `---`)")
                    break
        return documents > 0, self.root

    def parent_loc(self) -> Loc:
        return (self.stack[-1].loc or ()) if self.stack else ()

    def wants_key(self) -> bool:
        frame = self.stack[-1] if self.stack else None
        return frame is not None and frame.key is None and isinstance(frame.value, dict)

    def place(self, value: object, mark, size: int) -> Loc | None:
        """Put `value` where the next value goes; its path, or None if it is not kept."""
        self.count += size
        if not self.stack:
            self.root = value
            loc: Loc | None = ()
        else:
            frame = self.stack[-1]
            if isinstance(frame.value, list):
                index = len(frame.value)
                frame.value.append(value)
                loc = None if frame.loc is None else frame.loc + (index,)
            else:
                key, frame.key = frame.key, None
                if key is _DISCARD or frame.loc is None:
                    return None
                frame.value[key] = value
                loc = frame.loc + (key,)
        if loc is not None:
            self.src.values[loc] = (mark.line + 1, mark.column + 1)
        return loc

    def take_key(self, key: object, mark, found: str | None = None) -> None:
        frame = self.stack[-1]
        self.count += 1
        if found is not None or not isinstance(key, str):
            self.src.error_at(mark, f"expected a plain text key, found {found or 'nothing (null)'}",
                              frame.loc or ())
            frame.key = _DISCARD
            return
        loc = (frame.loc or ()) + (key,)
        if key in frame.seen:
            self.src.error_at(mark, f"duplicate key {key!r}: already given at line "
                              f"{frame.seen[key]}; a mapping holds each key once", loc)
            frame.key = _DISCARD
            return
        frame.seen[key] = mark.line + 1
        if frame.loc is not None:
            self.src.keys[loc] = (mark.line + 1, mark.column + 1)
        frame.key = key

    def scalar(self, event: yaml.ScalarEvent) -> None:
        value: object = event.value
        tag, plain, mark = event.tag, event.implicit[0], event.start_mark
        problem = None
        if event.style == '"' and _NOT_PRINTABLE.search(value):
            char = _NOT_PRINTABLE.search(value).group()
            problem = f"expected printable text, found the control character U+{ord(char):04X}"
            value = None
        elif tag is None and plain and value in _NULLS or tag == _TAG + "null":
            value = None
        elif tag is not None and tag not in _SCALAR_TAGS:
            problem = f"expected plain data, found the YAML tag {tag!r}"
            value = None
        if self.wants_key():
            if tag is None and plain and value == "<<":
                self.take_key(None, mark, "a YAML merge key (<<): write the keys out")
            else:
                self.take_key(value, mark, problem and problem.partition("found ")[2])
            if event.anchor is not None:
                self.anchors[event.anchor] = (value, 1, 0)
            return
        loc = self.place(value, mark, 1)
        if problem:
            self.src.error_at(mark, problem, self.parent_loc() if loc is None else loc)
        if event.anchor is not None:
            self.anchors[event.anchor] = (value, 1, 0)

    def start(self, event, value: dict | list) -> None:
        mark = event.start_mark
        if len(self.stack) >= MAX_DEPTH:
            self.src.error_at(mark, f"expected at most {MAX_DEPTH} levels of nesting, found more: "
                              "the file is refused")
            raise _Refused
        start = self.count
        if self.wants_key():
            self.take_key(None, mark, "a list" if isinstance(value, list) else "a mapping")
            loc = None  # read to stay in step with the events, then dropped
        else:
            loc = self.place(value, mark, 1)
        if event.tag is not None and event.tag not in _COLLECTION_TAGS:
            self.src.error_at(mark, f"expected plain data, found the YAML tag {event.tag!r}",
                              self.parent_loc() if loc is None else loc)
        self.stack.append(_Frame(value, loc, event.anchor, start))

    def end(self) -> None:
        frame = self.stack.pop()
        if frame.anchor is not None:
            self.anchors[frame.anchor] = (frame.value, self.count - frame.start, frame.depth + 1)
        if self.stack:
            self.stack[-1].depth = max(self.stack[-1].depth, frame.depth + 1)

    def alias(self, event: yaml.AliasEvent) -> None:
        name, mark = event.anchor, event.start_mark
        if any(frame.anchor == name for frame in self.stack):
            self.src.error_at(mark, f"expected an alias to a finished value, found *{name} inside "
                              f"the value it refers to (a recursive alias): the file is refused",
                              self.parent_loc())
            raise _Refused
        if name in self.anchors:
            value, size, depth = self.anchors[name]
        else:
            self.src.error_at(mark, f"expected an anchor &{name} earlier in the file for the "
                              f"alias *{name}, found none", self.parent_loc())
            value, size, depth = None, 1, 0
        self.added += size - 1
        if self.added > MAX_ALIAS_VALUES:
            self.src.error_at(mark, f"expected YAML aliases to add at most {MAX_ALIAS_VALUES:,} "
                              "values, found more (an alias bomb?): the file is refused",
                              self.parent_loc())
            raise _Refused
        if len(self.stack) + depth > MAX_DEPTH:
            self.src.error_at(mark, f"expected at most {MAX_DEPTH} levels of nesting, found more "
                              f"through the alias *{name}: the file is refused")
            raise _Refused
        if self.wants_key():
            self.take_key(value, mark, "an alias to a collection"
                          if isinstance(value, (dict, list)) else None)
            return
        self.place(value, mark, size)
        if self.stack:
            self.stack[-1].depth = max(self.stack[-1].depth, depth)
