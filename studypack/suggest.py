"""What an author probably meant: the key for a word that is not a misspelling of it, and the
quotes a text with a colon in it needs."""

from __future__ import annotations

# Words authors use for a block type (or a key) that are not misspellings of it.
SYNONYMS = {"bullets": "list", "bullet": "list", "items": "list", "ul": "list", "ol": "list",
             "numbered": "list", "steps": "list", "paragraph": "text", "p": "text",
             "markdown": "text", "md": "text", "prose": "text", "pre": "code", "snippet": "code",
             "source": "code", "img": "image", "picture": "image", "figure": "image",
             "graph": "chart", "bar": "chart", "grid": "table", "tag": "tags",
             "prompt": "question", "q": "question", "a": "answer", "solution": "answer",
             "score": "points", "marks": "points", "options": "choices",
             "alternatives": "choices", "right": "correct"}


def colon_hint(kind: str, value: object) -> str:
    """Text that YAML read as a mapping because of `: ` inside it (`- Handler: text`)."""
    if kind == "string_type" and isinstance(value, dict) and len(value) == 1:
        (key, inner), = value.items()
        if isinstance(key, str) and isinstance(inner, (str, int, float)):
            return (f"; if the text is {f'{key}: {inner}'!r}, quote it: a colon followed by a "
                    "space starts a key")
    return ""
