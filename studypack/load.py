"""Read a pack file: YAML with line:col positions, validated into the model, every error at once."""

from __future__ import annotations

import difflib
import types
import typing
from pathlib import Path

import yaml
from pydantic import BaseModel, ValidationError

from .assets import image_problem
from .model import BLOCK_KINDS, ContentError, ContentErrors, LoadedPack, Pack, slugify

try:
    _Loader = yaml.CSafeLoader
except AttributeError:  # PyYAML built without libyaml
    _Loader = yaml.SafeLoader

# More values than this, once aliases are expanded, is refused as an alias bomb.
MAX_EXPANDED_NODES = 2_000_000
_TAG = "tag:yaml.org,2002:"
_SCALAR_TAGS = {_TAG + t for t in ("str", "int", "float", "bool", "null", "timestamp")}
Loc = tuple[int | str, ...]


class _Source:
    """Positions of every value (and every mapping key) of one file, by path."""

    def __init__(self, file: str, path: Path):
        self.file = file
        self.path = path
        self.values: dict[Loc, tuple[int, int]] = {}
        self.keys: dict[Loc, tuple[int, int]] = {}
        self.errors: list[ContentError] = []

    def error(self, loc: Loc, message: str, *, at_key: bool = False) -> None:
        line, col = self.position(loc, at_key=at_key)
        self.errors.append(ContentError(self.file, line, col, message, format_loc(loc)))

    def position(self, loc: Loc, *, at_key: bool = False) -> tuple[int, int]:
        if at_key and loc in self.keys:
            return self.keys[loc]
        while loc not in self.values and loc:
            loc = loc[:-1]
        return self.values.get(loc, (1, 1))


def format_loc(loc: Loc) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _mark(node: yaml.Node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


def _expanded_size(root: yaml.Node, src: _Source) -> int:
    """Values the document holds with aliases expanded, counted without expanding them."""
    sizes: dict[int, int] = {}
    pending: set[int] = set()

    def size(node: yaml.Node) -> int:
        key = id(node)
        if key in sizes:
            return sizes[key]
        if key in pending:
            raise RecursionError
        pending.add(key)
        total = 1
        if isinstance(node, yaml.SequenceNode):
            total += sum(size(child) for child in node.value)
        elif isinstance(node, yaml.MappingNode):
            total += sum(size(k) + size(v) for k, v in node.value)
        pending.discard(key)
        sizes[key] = total
        return total

    try:
        return size(root)
    except RecursionError:
        src.error((), "a YAML alias refers to itself (recursive anchors are not allowed)")
        return -1


def _to_python(node: yaml.Node, loc: Loc, src: _Source) -> object:
    """Plain data from the node tree; scalars stay as written (text), null becomes None."""
    src.values[loc] = _mark(node)
    if isinstance(node, yaml.ScalarNode):
        if node.tag == _TAG + "null":
            return None
        if node.tag not in _SCALAR_TAGS:
            src.error(loc, f"the YAML tag {node.tag!r} is not allowed: content is plain data")
            return None
        return node.value
    if isinstance(node, yaml.SequenceNode):
        if node.tag != _TAG + "seq":
            src.error(loc, f"the YAML tag {node.tag!r} is not allowed: content is plain data")
        return [_to_python(child, loc + (i,), src) for i, child in enumerate(node.value)]
    if node.tag != _TAG + "map":
        src.error(loc, f"the YAML tag {node.tag!r} is not allowed: content is plain data")
    out: dict[str, object] = {}
    first_seen: dict[str, int] = {}
    for key_node, value_node in node.value:
        if key_node.tag == _TAG + "merge":
            src.error(loc, "YAML merge keys (<<) are not supported: write the keys out")
            continue
        if not isinstance(key_node, yaml.ScalarNode) or key_node.tag == _TAG + "null":
            src.values[loc + ("?",)] = _mark(key_node)
            src.error(loc + ("?",), "a mapping key must be plain text")
            continue
        key = key_node.value
        line = key_node.start_mark.line + 1
        if key in first_seen:
            src.keys[loc + (key, "dup")] = _mark(key_node)
            src.error(
                loc + (key, "dup"),
                f"duplicate key {key!r} (first given at line {first_seen[key]})",
                at_key=True,
            )
            continue
        first_seen[key] = line
        src.keys[loc + (key,)] = _mark(key_node)
        out[key] = _to_python(value_node, loc + (key,), src)
    return out


def _read_text(path: Path, src: _Source) -> str | None:
    try:
        data = path.read_bytes()
    except OSError as exc:
        src.error((), f"cannot read the file: {exc.strerror or exc}")
        return None
    if b"\x00" in data[:8192]:
        src.error((), "this is a binary file, not a YAML text file")
        return None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        start = exc.start
        line = data.count(b"\n", 0, start) + 1
        col = start - (data.rfind(b"\n", 0, start) + 1) + 1
        src.errors.append(
            ContentError(src.file, line, col, f"the file is not UTF-8 text (byte 0x{data[start]:02x})")
        )
        return None
    if not text.strip() or all(
        not ln.strip() or ln.lstrip().startswith("#") for ln in text.splitlines()
    ):
        src.error((), "the file is empty: a pack needs at least a title and sections")
        return None
    return text


def _parse(text: str, src: _Source) -> object:
    try:
        root = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        message = " ".join(p for p in (exc.context, exc.problem) if p)
        src.errors.append(ContentError(src.file, line, col, f"YAML syntax error: {message}"))
        return None
    except yaml.YAMLError as exc:
        src.error((), f"YAML syntax error: {exc}")
        return None
    if root is None:
        src.error((), "the file is empty: a pack needs at least a title and sections")
        return None
    size = _expanded_size(root, src)
    if size < 0:
        return None
    if size > MAX_EXPANDED_NODES:
        src.error((), f"the document expands to over {MAX_EXPANDED_NODES:,} values through "
                      "YAML aliases (an alias bomb?); refused")
        return None
    return _to_python(root, (), src)


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


def _found(value: object) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "nothing (null)"
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "...'"


_EXPECTED = {
    "string_type": "text",
    "int_type": "a whole number",
    "int_parsing": "a whole number",
    "int_from_float": "a whole number",
    "float_type": "a number",
    "float_parsing": "a number",
    "list_type": "a list",
    "dict_type": "a mapping",
    "model_type": "a mapping",
    "model_attributes_type": "a mapping",
}


def _pydantic_errors(exc: ValidationError, src: _Source) -> None:
    for err in exc.errors(include_url=False):
        loc: Loc = tuple(err["loc"])
        kind = err["type"]
        ctx = err.get("ctx") or {}
        if kind == "extra_forbidden":
            key = str(loc[-1])
            model = _model_at(loc[:-1])
            allowed = list(model.model_fields) if model else []
            message = f"unknown key {key!r}"
            close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
            if close:
                message += f"; did you mean {close[0]!r}?"
            elif allowed:
                message += f"; expected one of: {', '.join(allowed)}"
            src.error(loc, message, at_key=True)
        elif kind == "missing":
            src.error(loc[:-1], f"missing required key {loc[-1]!r}")
        elif kind in _EXPECTED:
            src.error(loc, f"expected {_EXPECTED[kind]}, found {_found(err['input'])}")
        elif kind in ("too_short", "string_too_short"):
            what = "at least 1 character" if kind == "string_too_short" else (
                f"at least {ctx.get('min_length', 1)} item(s)")
            src.error(loc, f"expected {what}, found {_found(err['input']) if kind != 'too_short' else 'none'}")
        elif kind == "string_pattern_mismatch":
            if loc and loc[-1] == "language":
                expected = "a BCP 47 language tag such as 'en' or 'pt-BR'"
            else:
                expected = "an id of letters, digits, '-' and '_'"
            src.error(loc, f"expected {expected}, found {_found(err['input'])}")
        elif kind == "literal_error":
            src.error(loc, f"expected {ctx.get('expected')}, found {_found(err['input'])}")
        elif kind in ("greater_than_equal", "less_than_equal"):
            bound = ctx.get("ge", ctx.get("le"))
            sign = ">=" if kind == "greater_than_equal" else "<="
            src.error(loc, f"expected a number {sign} {bound}, found {_found(err['input'])}")
        else:
            message = err["msg"].removeprefix("Value error, ")
            src.error(loc, message)


def _check_raw(data: dict, src: _Source) -> None:
    """Checks on the plain data that the schema cannot express, so they come in the same run."""
    sections = data.get("sections")
    if not isinstance(sections, list):
        return
    seen: dict[str, Loc] = {}
    questions = 0
    for si, section in enumerate(sections):
        if not isinstance(section, dict):
            continue
        qs = section.get("questions")
        for key in ("intro",):
            _check_blocks(section.get(key), ("sections", si, key), src)
        if not isinstance(qs, list):
            continue
        for qi, q in enumerate(qs):
            questions += 1
            if not isinstance(q, dict):
                continue
            _check_blocks(q.get("answer"), ("sections", si, "questions", qi, "answer"), src)
            qid = q.get("id")
            if isinstance(qid, str):
                loc = ("sections", si, "questions", qi, "id")
                if qid in seen:
                    line = src.position(seen[qid])[0]
                    src.error(loc, f"duplicate question id {qid!r} (first used at line {line})")
                else:
                    seen[qid] = loc
    if sections and questions == 0:
        src.error(("sections",), "the pack has no questions: add `questions:` to a section",
                  at_key=True)


def _check_blocks(blocks: object, loc: Loc, src: _Source) -> None:
    if isinstance(blocks, dict):
        blocks = [blocks]
    if not isinstance(blocks, list):
        return
    for bi, block in enumerate(blocks):
        if not isinstance(block, dict):
            continue
        table = block.get("table")
        if isinstance(table, dict):
            columns, rows = table.get("columns"), table.get("rows")
            if isinstance(columns, list) and isinstance(rows, list):
                for ri, row in enumerate(rows):
                    if isinstance(row, list) and len(row) != len(columns):
                        src.error(loc + (bi, "table", "rows", ri),
                                  f"this row has {len(row)} cell(s) but the table has "
                                  f"{len(columns)} column(s)")
        chart = block.get("chart")
        if isinstance(chart, dict) and isinstance(chart.get("data"), dict):
            for label, value in chart["data"].items():
                try:
                    bad = float(value) < 0
                except (TypeError, ValueError):
                    continue
                if bad:
                    src.error(loc + (bi, "chart", "data", label),
                              f"a bar chart value must be zero or more, found {value}")
        image = block.get("image")
        if isinstance(image, dict) and isinstance(image.get("src"), str):
            problem = image_problem(image["src"], src.path.parent)
            if problem:
                src.error(loc + (bi, "image", "src"), problem)


def _unique(candidates: list[str], taken: set[str]) -> list[str]:
    out = []
    for base in candidates:
        name, n = base, 2
        while name in taken:
            name, n = f"{base}-{n}", n + 1
        taken.add(name)
        out.append(name)
    return out


def _resolve_ids(pack: Pack) -> tuple[tuple[str, ...], tuple[tuple[str, ...], ...]]:
    section_ids = _unique(
        [s.id or slugify(s.title) for s in pack.sections],
        set(),
    )
    explicit = {q.id for s in pack.sections for q in s.questions if q.id}
    taken = set(explicit)
    question_ids = []
    for s in pack.sections:
        ids = []
        for q in s.questions:
            ids.append(q.id if q.id else _unique([slugify(q.question)], taken)[0])
        question_ids.append(tuple(ids))
    return tuple(section_ids), tuple(question_ids)


def load_pack(path: Path, display: str | None = None) -> LoadedPack:
    """The validated pack in `path`; raises ContentErrors holding every problem found."""
    src = _Source(display or str(path), path)
    if not path.resolve().is_relative_to(path.parent.resolve()):
        src.error((), "the pack file is a symlink leading out of its folder; refused")
        raise ContentErrors(src.errors)
    text = _read_text(path, src)
    data = _parse(text, src) if text is not None else None
    if src.errors:
        raise ContentErrors(src.errors)
    if not isinstance(data, dict):
        src.error((), f"expected a mapping with title and sections at the top, found {_found(data)}")
        raise ContentErrors(src.errors)
    _check_raw(data, src)
    pack = None
    try:
        pack = Pack.model_validate(data)
    except ValidationError as exc:
        _pydantic_errors(exc, src)
    if src.errors:
        unique = list(dict.fromkeys(src.errors))
        raise ContentErrors(sorted(unique, key=lambda e: (e.line, e.col)))
    section_ids, question_ids = _resolve_ids(pack)
    return LoadedPack(path.stem, str(path), pack, section_ids, question_ids)


__all__ = ["load_pack", "format_loc", "BLOCK_KINDS"]
