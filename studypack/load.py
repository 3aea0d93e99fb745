"""Read a pack file: YAML with line:col positions, validated into the model, every error at once."""

from __future__ import annotations

import difflib
import math
import types
import typing
from pathlib import Path

from pydantic import BaseModel, ValidationError

from .assets import image_problem
from .cost import check_cost, raw_blocks
from .ids import resolve_ids
from .markdown_images import check_images
from .model import BLOCK_KINDS, ContentErrors, LoadedPack, Pack
from .multiple_choice import check_question, letter_hint
from .suggest import SYNONYMS, colon_hint, value_hint
from .yamlhints import maybe_caused_by_setting_aside
from .yamlread import Source, format_loc, key_text, parse, read_text

Loc = tuple[int | str, ...]


def _unwrap(annotation: object) -> object:
    """The model or list type behind Optional[...] and Annotated[...]."""
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
        elif origin in (typing.Union, types.UnionType):
            args = [a for a in typing.get_args(annotation) if a is not type(None)]
            annotation = next((a for a in args if _is_model(a) or typing.get_origin(a)), args[0])
        else:
            return annotation


def _is_model(t: object) -> bool:
    return isinstance(t, type) and issubclass(t, BaseModel)


def _model_at(loc: Loc) -> type[BaseModel] | None:
    current: object = Pack
    for part in loc:
        current = _unwrap(current)
        if isinstance(part, int):
            args = typing.get_args(current)
            if not args:
                return None
            current = args[-1]
        elif _is_model(current) and part in current.model_fields:
            current = current.model_fields[part].annotation
        else:
            return None
    current = _unwrap(current)
    return current if _is_model(current) else None


def _literal_values(loc: Loc) -> tuple[str, ...]:
    """The values a `Literal[...]` key takes (the table's `worksheet`, the chart's `type`)."""
    model = _model_at(loc[:-1])
    field = model.model_fields.get(str(loc[-1])) if model else None
    annotation = _unwrap(field.annotation) if field else None
    return typing.get_args(annotation) if typing.get_origin(annotation) is typing.Literal else ()


def _found(value: object) -> str:
    if isinstance(value, dict):
        return "a mapping" if value else "an empty mapping"
    if isinstance(value, list):
        return "a list" if value else "an empty list"
    if value is None:
        return "nothing (null)"
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "...'"


def _at(data: object, loc: Loc) -> object:
    """The plain value at `loc`, or None."""
    for part in loc:
        try:
            data = data[part]  # type: ignore[index]
        except (KeyError, IndexError, TypeError):
            return None
    return data


_EXPECTED = {
    "string_type": "text",
    "int_type": "a whole number",
    "int_parsing": "a whole number",
    "int_parsing_size": "a whole number of sensible size",
    "int_from_float": "a whole number",
    "float_type": "a number",
    "float_parsing": "a number",
    "list_type": "a list",
    "dict_type": "a mapping",
    "model_type": "a mapping",
    "model_attributes_type": "a mapping",
}
_ENTRY = {"sections": "section", "questions": "question", "columns": "column", "rows": "row",
          "data": "value", "answer": "block", "list": "item", "choices": "choice",
          "correct": "right choice"}


def _unknown_key(loc: Loc) -> tuple[str, str | None]:
    """The message for an unknown key, and the valid key it is probably a misspelling of."""
    key = str(loc[-1])
    model = _model_at(loc[:-1])
    allowed = list(model.model_fields) if model else []
    synonym = SYNONYMS.get(key.lower())
    close = [synonym] if synonym in allowed else difflib.get_close_matches(key, allowed, n=1,
                                                                           cutoff=0.6)
    if close:
        return f"unknown key {key!r}; did you mean {close[0]!r}?", close[0]
    return f"unknown key {key!r}; expected one of: {', '.join(allowed)}", None


def _pydantic_errors(exc: ValidationError, data: object, src: Source) -> None:
    errors = exc.errors(include_url=False)
    # A misspelt key also makes the key it stands for missing; the suggestion says both at once.
    meant = set()
    for err in errors:
        if err["type"] == "extra_forbidden":
            suggestion = _unknown_key(tuple(err["loc"]))[1]
            meant.add(tuple(err["loc"][:-1]) + (suggestion,))
    for err in errors:
        loc: Loc = tuple(err["loc"])
        kind = err["type"]
        ctx = err.get("ctx") or {}
        found = _found(err["input"])
        if kind == "extra_forbidden":
            src.error(loc, _unknown_key(loc)[0], at_key=True)
        elif kind == "missing":
            if loc not in meant:
                keys = list(_at(data, loc[:-1]) or ())
                has = f"found only {', '.join(map(key_text, keys))}" if keys else "found none"
                src.error(loc[:-1], f"missing required key {loc[-1]!r}: {has}")
        elif kind in _EXPECTED:
            src.error(loc, f"expected {_EXPECTED[kind]}, found {found}"
                           + colon_hint(kind, err["input"]) + letter_hint(loc, err["input"]))
        elif kind == "too_short":
            entry = _ENTRY.get(str(loc[-1]), "entry")
            least = ctx.get("min_length", 1)
            src.error(loc, f"expected at least {least} {entry}{'s' if least != 1 else ''}, "
                           f"found {found}")
        elif kind == "too_long":
            entry = _ENTRY.get(str(loc[-1]), "entry")
            src.error(loc, f"expected at most {ctx.get('max_length')} {entry}s, found "
                           f"{ctx.get('actual_length')}")
        elif kind == "string_too_short":
            src.error(loc, f"expected at least 1 character, found {found}")
        elif kind == "string_too_long":
            src.error(loc, f"expected at most {ctx.get('max_length')} characters, found "
                           f"{len(err['input'])}")
        elif kind == "string_pattern_mismatch":
            if loc and loc[-1] == "language":
                expected = "a BCP 47 language tag such as 'en' or 'pt-BR'"
            else:
                expected = "an id of letters, digits, '-' and '_'"
            src.error(loc, f"expected {expected}, found {found}")
        elif kind == "literal_error":
            src.error(loc, f"expected {ctx.get('expected')}, found {found}"
                           + value_hint(err["input"], _literal_values(loc)))
        elif kind in ("greater_than_equal", "less_than_equal"):
            bound = ctx.get("ge", ctx.get("le"))
            sign = ">=" if kind == "greater_than_equal" else "<="
            src.error(loc, f"expected a number {sign} {bound}, found {found}")
        else:
            message = err["msg"].removeprefix("Value error, ")
            src.error(loc, message)


def _check_raw(data: dict, src: Source) -> None:
    """Checks on the plain data that the schema cannot express, so they come in the same run."""
    sections = data.get("sections")
    if not isinstance(sections, list):
        return
    seen: dict[str, Loc] = {}
    questions = 0
    well_formed = True
    for si, section in enumerate(sections):
        if not isinstance(section, dict):
            well_formed = False
            continue
        qs = section.get("questions")
        for key in ("intro",):
            _check_blocks(section.get(key), ("sections", si, key), src)
        if not isinstance(qs, list):
            well_formed = well_formed and qs is None
            continue
        for qi, q in enumerate(qs):
            questions += 1
            if not isinstance(q, dict):
                continue
            _check_blocks(q.get("answer"), ("sections", si, "questions", qi, "answer"), src)
            check_question(q, ("sections", si, "questions", qi), src)
            qid = q.get("id")
            if isinstance(qid, str):
                loc = ("sections", si, "questions", qi, "id")
                if qid in seen:
                    line = src.position(seen[qid])[0]
                    src.error(loc, f"duplicate question id {qid!r}: already used at line {line}; "
                                   "ids are unique within a pack")
                else:
                    seen[qid] = loc
    if sections and well_formed and questions == 0:
        src.error(("sections",), "expected at least 1 question in the pack, found none: add "
                                 "`questions:` to a section", at_key=True)


def _check_blocks(blocks: object, loc: Loc, src: Source) -> None:
    for bi, block in raw_blocks(blocks):
        table = block.get("table")
        if isinstance(table, dict):
            columns, rows = table.get("columns"), table.get("rows")
            if isinstance(columns, list) and isinstance(rows, list):
                for ri, row in enumerate(rows):
                    if isinstance(row, list) and len(row) != len(columns):
                        src.error(loc + (bi, "table", "rows", ri),
                                  f"expected {len(columns)} cell(s) in this row, one per column, "
                                  f"found {len(row)}")
        chart = block.get("chart")
        if isinstance(chart, dict) and isinstance(chart.get("data"), dict):
            for label, value in chart["data"].items():
                try:
                    number = float(value)
                except (TypeError, ValueError):
                    continue
                if not 0 <= number < math.inf:
                    src.error(loc + (bi, "chart", "data", label), "expected a bar chart value "
                              f"of zero or more (and finite), found {_found(value)}")
        image = block.get("image")
        if isinstance(image, dict) and isinstance(image.get("src"), str):
            try:
                problem = image_problem(image["src"], src.path.parent)
            except (OSError, ValueError) as exc:  # a NUL or an overlong name in the path
                problem = f"expected the path of an image file, found {_found(image['src'])} ({exc})"
            if problem:
                src.error(loc + (bi, "image", "src"), problem)


def load_pack(path: Path, display: str | None = None) -> LoadedPack:
    """The validated pack in `path`; raises ContentErrors holding every problem found."""
    src = Source(display or str(path), path)
    if not path.resolve().is_relative_to(path.parent.resolve()):
        src.error((), "the pack file is a symlink leading out of its folder; refused")
        raise ContentErrors(src.errors)
    text = read_text(path, src)
    data = parse(text, src) if text is not None else None
    if data is None and src.errors:
        raise ContentErrors(src.errors)
    if not isinstance(data, dict):
        src.error((), f"expected a mapping with title and sections at the top, found {_found(data)}")
        raise ContentErrors(src.errors)
    # A value the YAML reading already refused is left out; the schema need not say so again.
    reported = {(e.line, e.col) for e in src.errors}
    checks = Source(src.file, path)
    checks.values, checks.keys = src.values, src.keys
    _check_raw(data, checks)
    check_images(data, text, checks)
    check_cost(data, checks)
    pack = None
    try:
        pack = Pack.model_validate(data)
    except ValidationError as exc:
        _pydantic_errors(exc, data, checks)
    errors = src.errors + [e for e in checks.errors if (e.line, e.col) not in reported
                           and not (src.syntax_errors and maybe_caused_by_setting_aside(e))]
    if errors:
        unique = list(dict.fromkeys(errors))
        raise ContentErrors(sorted(unique, key=lambda e: (e.line, e.col)))
    section_ids, question_ids = resolve_ids(pack)
    return LoadedPack(path.stem, str(path), pack, section_ids, question_ids)


__all__ = ["load_pack", "format_loc", "BLOCK_KINDS"]
