"""The imported pack written as YAML a person can edit, proved by the normal loader, then put in place."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

import yaml

from ..atomic import commit, discard, stage
from ..load import load_pack
from ..model import ContentErrors
from ..scaffold import BESIDE, nearby_schema, schema_line
from .draft import Draft, ImportFailed, Problem

_QUESTION_KEYS = ("id", "question", "choices", "correct", "answer", "key_points", "points", "tags")
_AT = re.compile(r"^sections\[(\d+)\](?:\.questions\[(\d+)\])?")


class _Dumper(yaml.SafeDumper):
    """Block style throughout, lists indented under their key, multi-line text as `|` blocks."""

    def increase_indent(self, flow: bool = False, indentless: bool = False):
        return super().increase_indent(flow, False)


def _text(dumper: yaml.SafeDumper, value: str):
    return dumper.represent_scalar("tag:yaml.org,2002:str", value,
                                   style="|" if "\n" in value else None)


_Dumper.add_representer(str, _text)


def pack_data(draft: Draft) -> dict:
    """The pack as plain data in the order a person reads it; sections without questions left out."""
    data: dict = {"title": draft.title}
    if draft.description:
        data["description"] = draft.description
    sections = []
    for section in draft.sections:
        if not section.questions:
            continue
        entry: dict = {"title": section.title}
        if section.intro:
            entry["intro"] = section.intro
        entry["questions"] = [{k: q.fields[k] for k in _QUESTION_KEYS
                               if k in q.fields and q.fields[k] not in ([], "")}
                              for q in section.questions]
        sections.append(entry)
    data["sections"] = sections
    return data


def pack_text(draft: Draft, content: Path, schema: Path) -> str:
    body = yaml.dump(pack_data(draft), Dumper=_Dumper, sort_keys=False, allow_unicode=True,
                     default_flow_style=False, width=100)
    return f"{schema_line(content, schema)}\n{body}"


def write_pack(draft: Draft, content: Path, pack_id: str, source: str) -> Path:
    """Write `<content>/<pack_id>.yaml` and its images, all or nothing; the pack file's path.

    The text is first loaded by the normal loader in a scratch folder laid out like the content
    folder; a pack it refuses is never written (its errors are told at the source's lines)."""
    if draft.problems:
        raise ImportFailed(draft.problems)
    if not any(s.questions for s in draft.sections):
        raise ImportFailed([Problem(0, "found no questions to import (see docs/importing.md "
                                       "for the shapes an article, a CSV file or a deck can have)")])
    # As --new does: the repository's schema, or one written beside the packs when none is near.
    schema = nearby_schema(content) or content / BESIDE
    text = pack_text(draft, content, schema)
    media = {f"{pack_id}-images/{m.name}": m.data for m in draft.media}
    with tempfile.TemporaryDirectory(prefix="studypack-import-") as scratch:
        trial = Path(scratch) / f"{pack_id}.yaml"
        trial.write_text(text, encoding="utf-8")
        for name, data in media.items():
            (Path(scratch) / name).parent.mkdir(exist_ok=True)
            (Path(scratch) / name).write_bytes(data)
        try:
            load_pack(trial)
        except ContentErrors as exc:
            raise ImportFailed([_at_source(draft, e.path, e.message) for e in exc.errors]) from None
    target = content / f"{pack_id}.yaml"
    staged = []
    try:
        for name, data in media.items():
            staged.append(stage(content / name, data))
        if not schema.exists():
            from ..schema import schema_text

            staged.append(stage(schema, schema_text().encode("utf-8")))
        staged.append(stage(target, text.encode("utf-8")))
    except BaseException:
        discard(staged)
        raise
    commit(staged)
    return target


def _at_source(draft: Draft, path: str, message: str) -> Problem:
    """A loader error told at the line of the imported file that the faulty question came from."""
    kept = [s for s in draft.sections if s.questions]
    match = _AT.match(path)
    if match:
        section = kept[int(match[1])]
        if match[2] is not None:
            question = section.questions[int(match[2])]
            return Problem(question.line, f"{message} ({_field(path)})", question.where)
        return Problem(section.line, message)
    return Problem(0, message)


def _field(path: str) -> str:
    rest = _AT.sub("", path).lstrip(".")
    return rest.split(".")[0].split("[")[0] or "question"
