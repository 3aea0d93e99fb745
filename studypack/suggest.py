"""What an author probably meant: the key for a word that is not a misspelling of it, and the
quotes a text with a colon in it needs."""

from __future__ import annotations

import difflib

# Words authors use for a block type (or a key) that are not misspellings of it.
SYNONYMS = {"bullets": "list", "bullet": "list", "items": "list", "ul": "list", "ol": "list",
             "numbered": "list", "steps": "list", "paragraph": "text", "p": "text",
             "markdown": "text", "md": "text", "prose": "text", "pre": "code", "snippet": "code",
             "source": "code", "img": "image", "picture": "image", "figure": "image",
             "graph": "chart", "bar": "chart", "grid": "table", "tag": "tags",
             "prompt": "question", "q": "question", "a": "answer", "solution": "answer",
             "score": "points", "marks": "points", "options": "choices",
             "alternatives": "choices", "right": "correct"}

# Words for a value of a key that takes one of a few (a table's `worksheet:`).
VALUE_SYNONYMS = {"none": "blank", "empty": "blank", "grid": "blank", "headers": "header",
                  "columns": "header", "column-headers": "header",
                  "default": "header-and-first-column", "both": "header-and-first-column",
                  "first-column": "header-and-first-column", "labels": "header-and-first-column"}


def colon_hint(kind: str, value: object) -> str:
    """Text that YAML read as a mapping because of `: ` inside it (`- Handler: text`)."""
    if kind == "string_type" and isinstance(value, dict) and len(value) == 1:
        (key, inner), = value.items()
        if isinstance(key, str) and isinstance(inner, (str, int, float)):
            return (f"; if the text is {f'{key}: {inner}'!r}, quote it: a colon followed by a "
                    "space starts a key")
    return ""


def value_hint(value: object, allowed: tuple[str, ...]) -> str:
    """"; did you mean 'header'?" for a value close to, or a synonym of, one of `allowed`."""
    if not isinstance(value, str) or not allowed:
        return ""
    word = value.strip().lower().replace("_", "-").replace(" ", "-")
    synonym = VALUE_SYNONYMS.get(word)
    close = [synonym] if synonym in allowed else difflib.get_close_matches(word, allowed, n=1,
                                                                           cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else ""
