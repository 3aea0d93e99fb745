"""Whatever bytes an author saves, the loader loads them or raises ContentErrors: nothing else."""

from __future__ import annotations

import os
from pathlib import Path

import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from studypack.load import load_pack
from studypack.model import ContentErrors, LoadedPack
from conftest import SEED_PACK, small_pack

SEED_LINES = SEED_PACK.read_text(encoding="utf-8").splitlines(keepends=True)
SMALL_LINES = yaml.safe_dump(small_pack(), sort_keys=False).splitlines(keepends=True)
# What hand edits put into YAML: indentation, structure, quoting, anchors, escapes, odd characters.
DEBRIS = ["\t", ":", ": ", "- ", "'", '"', "&a ", "*a", "*b", "<<: *a", "!!binary ", "!foo ",
          "[", "]", "{", "}", "#", "|", ">", "---\n", "...\n", "? ", "\\", "\\x00", "%", "@",
          "\n", "  ", "é", "\u2028", "\x85", "\ufeff", "\x00", "\x07", "null", "~", "1e400",
          ".nan", "-1", "0x1F", "2024-01-01", "yes"]

# A few seconds in the suite; STUDYPACK_EXAMPLES=3000 digs deeper (about two minutes).
properties = settings(max_examples=int(os.environ.get("STUDYPACK_EXAMPLES", "60")), deadline=None,
                      suppress_health_check=[HealthCheck.too_slow,
                                             HealthCheck.function_scoped_fixture])


def outcome(tmp_path: Path, data: bytes) -> LoadedPack | ContentErrors:
    path = tmp_path / "pack.yaml"
    path.write_bytes(data)
    try:
        return load_pack(path, "pack.yaml")
    except ContentErrors as exc:
        assert exc.errors, "ContentErrors without any error"
        for error in exc.errors:
            assert error.file == "pack.yaml"
            assert error.line >= 1 and error.col >= 1
            assert error.message and "\n" not in error.message
        return exc


@st.composite
def mutated(draw, lines: list[str]) -> bytes:
    """The lines of a real pack after a few careless edits."""
    lines = list(lines)
    for _ in range(draw(st.integers(1, 4))):
        i = draw(st.integers(0, len(lines) - 1))
        edit = draw(st.sampled_from(["delete", "duplicate", "swap", "insert", "indent", "bytes"]))
        line = lines[i]
        if edit == "delete":
            del lines[i]
        elif edit == "duplicate":
            lines.insert(i, line)
        elif edit == "swap" and len(line) > 1:
            j = draw(st.integers(0, len(line) - 2))
            lines[i] = line[:j] + line[j + 1] + line[j] + line[j + 2:]
        elif edit == "insert":
            j = draw(st.integers(0, len(line)))
            lines[i] = line[:j] + draw(st.sampled_from(DEBRIS)) + line[j:]
        elif edit == "indent":
            lines[i] = draw(st.sampled_from([" ", "  ", "\t", ""])) + line.lstrip(" ")
        if not lines:
            lines = [""]
    text = "".join(lines).encode("utf-8")
    if draw(st.booleans()) and draw(st.booleans()):  # now and then, raw bytes in the middle
        at = draw(st.integers(0, len(text)))
        text = text[:at] + draw(st.binary(min_size=1, max_size=8)) + text[at:]
    return text


@properties
@given(mutated(SEED_LINES))
def test_mutated_seed_pack_loads_or_gives_content_errors(tmp_path, data):
    outcome(tmp_path, data)


@properties
@given(mutated(SMALL_LINES))
def test_mutated_small_pack_loads_or_gives_content_errors(tmp_path, data):
    outcome(tmp_path, data)


yaml_scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(),
                         st.text(max_size=20), st.sampled_from(DEBRIS))
yaml_values = st.recursive(
    yaml_scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
        st.sampled_from(["title", "sections", "questions", "question", "answer", "id", "table",
                         "columns", "rows", "text", "list", "chart", "data", "lines", "points",
                         "tags", "intro", "anwser", "x"]) | st.text(max_size=8),
        inner, max_size=4),
    max_leaves=30)


@properties
@given(yaml_values, st.sampled_from(["block", "flow", "canonical"]))
@example({"title": "t", "sections": [{"title": "s", "questions": [
    {"question": "q", "answer": [{"table": {"columns": ["a"], "rows": [["1", "2"]]}}]}]}]}, "block")
def test_random_yaml_documents_load_or_give_content_errors(tmp_path, value, style):
    text = yaml.safe_dump(value, default_flow_style=style == "flow", canonical=style == "canonical",
                          allow_unicode=True)
    outcome(tmp_path, text.encode("utf-8"))


@properties
@given(st.binary(max_size=200))
@example(b"\xef\xbb\xbf")  # a byte-order mark and nothing else
@example(b"a: \x00")
@example(b"\xff\xfe")
def test_random_bytes_give_content_errors(tmp_path, data):
    assert isinstance(outcome(tmp_path, data), ContentErrors)


@properties
@given(st.text(alphabet=st.sampled_from(list("[]{}:,-?&*!|>'\" \n\tab#%@`") + ["\u2028"]),
               max_size=120))
def test_random_yaml_punctuation_loads_or_gives_content_errors(tmp_path, text):
    outcome(tmp_path, text.encode("utf-8"))


def test_the_unmutated_packs_load(tmp_path):
    assert isinstance(outcome(tmp_path, "".join(SEED_LINES).encode()), LoadedPack)
    assert isinstance(outcome(tmp_path, "".join(SMALL_LINES).encode()), LoadedPack)
