"""YAML syntax errors in an author's words, with a hint at the usual cause, and the lines to
set aside so that the rest of the file can still be read (and its other errors reported)."""

from __future__ import annotations

import re

import yaml

_LINE_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")
_KEY = re.compile(r"\s*(?:-\s+)?([^\s:#'\"][^:#]*?):(?:\s|$)")


def lines_of(text: str) -> list[str]:
    return _LINE_BREAK.split(text)


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _key_on(line: str) -> str | None:
    match = _KEY.match(line)
    return match[1].strip() if match else None


def _siblings_column(lines: list[str], line: int) -> int | None:
    """The column (from 1) where the keys before `line` (from 1) start: the nearest earlier line
    holding a key, skipping blank lines and comments."""
    for earlier in range(line - 2, -1, -1):
        text = lines[earlier]
        if not text.strip() or text.lstrip().startswith("#"):
            continue
        stripped = text.lstrip(" ")
        offset = 2 if stripped.startswith("- ") else 0  # the key after a list's dash
        return _indent(text) + offset + 1
    return None


def syntax_message(exc: yaml.MarkedYAMLError, text: str) -> tuple[int, int, str]:
    """line, column and message of a YAML syntax error, said as an author would fix it."""
    mark = exc.problem_mark or exc.context_mark
    line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    lines = lines_of(text)
    here = lines[line - 1] if 0 < line <= len(lines) else ""
    if 0 < col <= len(here) and here[col - 1] == "\t" or "\t" in here[:_indent(here) + 1]:
        return line, col, ("YAML syntax error: found a tab; expected spaces "
                           "(YAML indents with spaces only)")
    problem = exc.problem or ""
    context = exc.context or ""
    cmark = exc.context_mark
    start = f"line {cmark.line + 1}, column {cmark.column + 1}" if cmark else "earlier"
    if "quoted scalar" in context:
        where = (cmark.line + 1, cmark.column + 1) if cmark else (line, col)
        return (*where, f"YAML syntax error: the quoted text that starts at {start} is never "
                        "closed: end it with the same quote mark it starts with")
    if problem.startswith("mapping values are not allowed"):
        return line, col, ("YAML syntax error: a colon followed by a space starts a key, and "
                           "a key cannot start here: quote this text (\"...\") if the colon "
                           "is part of it, or start the key on a line of its own")
    if problem.startswith(("did not find expected", "expected <block end>")) or \
            "block mapping" in context or "block collection" in context:
        key = _key_on(here)
        column = _siblings_column(lines, line)
        if key is not None and column is not None and column != _indent(here) + 1:
            return line, _indent(here) + 1, (
                f"YAML syntax error: wrong indentation of the key {key!r}: it starts at column "
                f"{_indent(here) + 1}, the keys above it at column {column}; indent it as they "
                "are (or as the key it belongs under)")
        if here.lstrip().startswith("- "):
            return line, col, ("YAML syntax error: a list item ('- ') where a key was expected: "
                               "check the indentation of this line against the lines above")
        return line, col, (f"YAML syntax error: {problem or 'the text cannot be parsed'} "
                           f"(in what starts at {start}); check the indentation of this line")
    message = f"YAML syntax error: {problem or 'the text cannot be parsed'}"
    if context and cmark and (cmark.line, cmark.column) != (line - 1, col - 1):
        message += f" ({context} that starts at line {cmark.line + 1}, column {cmark.column + 1})"
    elif context:
        message += f" ({context})"
    return line, col, message


# Errors confined to their own line: with that line set aside, the rest reads as written.
_ONE_LINE = ("YAML syntax error: wrong indentation of the key",
             "YAML syntax error: a colon followed by a space starts a key")


def set_aside(text: str, line: int, message: str) -> str | None:
    """`text` with `line` (from 1) made a comment, to read on after a syntax error there; None
    where the error is not confined to that line (reading on would report its consequences)."""
    lines = lines_of(text)
    if not message.startswith(_ONE_LINE) or not 0 < line <= len(lines) \
            or not lines[line - 1].strip():
        return None
    lines[line - 1] = "#" + " " * max(0, len(lines[line - 1]) - 1)
    return "\n".join(lines)


def maybe_caused_by_setting_aside(error) -> bool:
    """A content error that a line set aside after a syntax error may have caused (a missing key
    or entry): left out of the report, so that only real errors are shown."""
    return error.message.startswith(("missing required key", "expected at least"))
