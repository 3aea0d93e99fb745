"""A pack file's text to plain data with the line:col of every value, in one bounded pass.

Why not yaml.safe_load: PyYAML's composer recurses, and segfaults on 100,000 nested brackets; it
expands aliases without counting (a billion-laughs file takes the machine's memory); it keeps
no position for values, only for nodes; and it accepts tags, merge keys and duplicate keys,
which a pack must not use. So the data is built here straight from libyaml's events, without
recursion, counting the values aliases add and the depth, refusing tags, merge keys and
duplicate keys at their line:col. Reading the file's bytes (size, encoding, binary files) is
source.read_text; syntax errors in an author's words are yamlhints'."""

from __future__ import annotations

import re

import yaml

from .limits import MAX_ALIAS_VALUES, MAX_DEPTH, MAX_TEXT_CHARS, over
from .model import ContentError
from .source import (MAX_FILE_BYTES, Loc, Source, format_loc, key_text,  # noqa: F401
                     read_text, where as _where)
from .yamlhints import set_aside, syntax_message

try:
    _Loader = yaml.CSafeLoader
except AttributeError:  # PyYAML built without libyaml
    _Loader = yaml.SafeLoader

# The bounds (aliases, depth, text once aliases are expanded) and their reasons: limits.py.
_TAG = "tag:yaml.org,2002:"
_SCALAR_TAGS = {_TAG + t for t in ("str", "int", "float", "bool", "null", "timestamp")} | {"!"}
_COLLECTION_TAGS = {_TAG + "seq", _TAG + "map", "!"}
_NULLS = {"", "~", "null", "Null", "NULL"}
# What YAML accepts as text: tab, line breaks and the printable characters of Unicode.
_NOT_PRINTABLE = re.compile("[^\t\n\r\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_DISCARD = object()  # the key of a value that is read (to stay in step) but not kept

class _Refused(Exception):
    """Reading stops here; the reason is already among the errors."""


# After a syntax error, the line is set aside (made a comment) and the file read again, so that
# its other errors are reported too; errors that setting a line aside may cause (a key missing
# from the mapping it was in) are not reported.
MAX_SYNTAX_ERRORS = 5


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
    syntax: list[ContentError] = []
    found, data = False, None
    while True:
        try:
            found, data = _Builder(src).build(text)
        except yaml.MarkedYAMLError as exc:
            error = ContentError(src.file, *syntax_message(exc, text))
            syntax.append(error)
            mark = exc.problem_mark or exc.context_mark
            line = mark.line + 1 if mark else error.line
            text = set_aside(text, line, error.message)
            if text is None or len(syntax) == MAX_SYNTAX_ERRORS:
                break
            src.values.clear()
            src.keys.clear()
            continue
        except yaml.YAMLError as exc:
            src.error((), f"YAML syntax error: {exc}")
            return None
        except _Refused:
            return None
        break
    if syntax:
        src.errors.extend(syntax)
        src.syntax_errors = True
        return data if text is not None else None
    if not found:
        src.error((), "the file is empty: expected a mapping with title and sections")
    return data


class _Frame:
    """A collection being read: the object, its path (None: not kept), the key awaiting a value."""

    __slots__ = ("value", "loc", "key", "seen", "anchor", "start", "depth", "chars")

    def __init__(self, value, loc: Loc | None, anchor: str | None, start: int, chars: int):
        self.value = value
        self.loc = loc
        self.key = None
        self.seen: dict[str, int] = {}
        self.anchor = anchor
        self.start = start  # values counted before this collection began
        self.depth = 0  # deepest level below this collection, aliases included
        self.chars = chars  # characters counted before this collection began


class _Builder:
    """Plain data from YAML events, without recursion, counting every value aliases add."""

    def __init__(self, src: Source):
        self.src = src
        self.stack: list[_Frame] = []
        self.anchors: dict[str, tuple[object, int, int, int]] = {}  # value, values, depth, chars
        self.root: object = None
        self.count = 0  # values and keys of the document, aliases expanded
        self.added = 0  # of which aliases added
        self.chars = 0  # characters of text, aliases expanded

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

    def add_chars(self, chars: int, mark) -> None:
        """Count text as it is read (aliases expanded), refusing a file that holds too much."""
        self.chars += chars
        if self.chars > MAX_TEXT_CHARS:
            self.src.error_at(mark, over("characters of text (YAML aliases expanded)", self.chars,
                                         MAX_TEXT_CHARS) + "; the file is refused",
                              self.parent_loc())
            raise _Refused

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
        self.add_chars(len(value), mark)
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
                self.anchors[event.anchor] = (value, 1, 0, len(event.value))
            return
        loc = self.place(value, mark, 1)
        if problem:
            self.src.error_at(mark, problem, self.parent_loc() if loc is None else loc)
        if event.anchor is not None:
            self.anchors[event.anchor] = (value, 1, 0, len(event.value))

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
        self.stack.append(_Frame(value, loc, event.anchor, start, self.chars))

    def end(self) -> None:
        frame = self.stack.pop()
        if frame.anchor is not None:
            self.anchors[frame.anchor] = (frame.value, self.count - frame.start, frame.depth + 1,
                                          self.chars - frame.chars)
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
            value, size, depth, chars = self.anchors[name]
        else:
            self.src.error_at(mark, f"expected an anchor &{name} earlier in the file for the "
                              f"alias *{name}, found none", self.parent_loc())
            value, size, depth, chars = None, 1, 0, 0
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
        self.add_chars(chars, mark)
        if self.wants_key():
            self.take_key(value, mark, "an alias to a collection"
                          if isinstance(value, (dict, list)) else None)
            return
        self.place(value, mark, size)
        if self.stack:
            self.stack[-1].depth = max(self.stack[-1].depth, depth)
