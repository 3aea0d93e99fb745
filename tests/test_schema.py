"""--schema: the JSON Schema generated from the model, its committed copy, and what it accepts."""

from __future__ import annotations

import copy
import json

import jsonschema
import pytest
import yaml

from conftest import ROOT, SEED_PACK, run_cli, small_pack, write_pack
from studypack.load import load_pack
from studypack.schema import pack_schema, schema_text

COMMITTED = ROOT / "schema" / "studypack.schema.json"


@pytest.fixture(scope="module")
def validator():
    schema = json.loads(COMMITTED.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def messages(validator, data) -> list[str]:
    return [error.message for error in validator.iter_errors(data)]


def test_committed_copy_is_the_generated_schema():
    assert COMMITTED.read_text(encoding="utf-8") == schema_text(), (
        "schema/studypack.schema.json is stale: run "
        "`python build.py --schema > schema/studypack.schema.json`")


def test_schema_flag_prints_the_schema():
    result = run_cli("--schema")
    assert result.code == 0, result.err
    assert json.loads(result.out) == pack_schema()
    assert result.err == ""


def test_the_seed_pack_refers_to_the_committed_schema():
    first = SEED_PACK.read_text(encoding="utf-8").splitlines()[0]
    assert first == "# yaml-language-server: $schema=../schema/studypack.schema.json"
    assert (SEED_PACK.parent / "../schema/studypack.schema.json").resolve() == COMMITTED


def test_fields_carry_descriptions_for_editors():
    schema = pack_schema()
    question = schema["$defs"]["Question"]["properties"]
    assert "worksheet" in question["answer"]["description"]
    for name, definition in [("Pack", schema), *schema["$defs"].items()]:
        for key, prop in definition["properties"].items():
            assert prop.get("description"), f"{name}.{key} has no description"


def test_the_seed_pack_is_valid(validator):
    data = yaml.safe_load(SEED_PACK.read_text(encoding="utf-8"))
    assert messages(validator, data) == []


def test_a_misspelled_key_is_rejected(validator):
    data = small_pack()
    data["sections"][0]["questions"][0]["anwser"] = "typo"
    assert messages(validator, data) == [
        "Additional properties are not allowed ('anwser' was unexpected)"]
    top = small_pack(titel="typo")
    assert any("'titel' was unexpected" in m for m in messages(validator, top))


def test_a_block_with_two_kinds_is_rejected(validator):
    data = small_pack()
    data["sections"][0]["questions"][0]["answer"] = [{"text": "a", "list": ["b"]}]
    assert messages(validator, data)


@pytest.mark.parametrize("where, value", [
    (("points",), 2),            # an editor reads points: 2 as a number
    (("points",), "2"),          # and points: "2" as text; the loader takes both
    (("question",), 2024),       # a number where markdown is expected prints as written
    (("tags",), [2024, True]),
    (("answer",), "A plain string is one text block."),
    (("answer",), {"code": {"text": "print(1)"}}),  # one block without a list
    (("lines",), 4),
])
def test_what_the_loader_accepts_the_schema_accepts(validator, tmp_path, where, value):
    data = copy.deepcopy(small_pack())
    data["sections"][0]["questions"][0][where[0]] = value
    assert messages(validator, data) == []
    load_pack(write_pack(tmp_path, "pack", data))  # the loader agrees


@pytest.mark.parametrize("key, value", [("points", "two"), ("points", -1), ("lines", 0),
                                        ("id", "has space")])
def test_bad_values_are_flagged(validator, key, value):
    data = small_pack()
    data["sections"][0]["questions"][0][key] = value
    assert messages(validator, data)


def test_chart_values_may_be_numbers_or_numeric_text(validator):
    data = small_pack()
    data["sections"][0]["intro"] = [{"chart": {"data": {"A": 3, "B": "4.5"}}}]
    assert messages(validator, data) == []
    data["sections"][0]["intro"] = [{"chart": {"data": {"A": "many"}}}]
    assert messages(validator, data)
