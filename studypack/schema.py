"""The JSON Schema of the content format, generated from the model, for editors to check packs."""

from __future__ import annotations

import json

from pydantic.json_schema import GenerateJsonSchema

from .model import Pack


class _AsTheLoaderReads(GenerateJsonSchema):
    """Scalars as the loader takes them: it hands every scalar to the model as the text written.

    An editor reads `points: 2` as a number and `title: 2024` as a number too; the loader accepts
    both (text where text is expected, digits where a number is), so the schema must as well.
    """

    def str_schema(self, schema):
        out = super().str_schema(schema)
        out["type"] = ["string", "number", "boolean"]
        return out

    def int_schema(self, schema):
        out = super().int_schema(schema)
        out["type"] = ["integer", "string"]
        out["pattern"] = r"^\s*[+-]?[0-9]+\s*$"
        return out

    def float_schema(self, schema):
        out = super().float_schema(schema)
        out["type"] = ["number", "string"]
        out["pattern"] = r"^\s*[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?\s*$"
        return out


def pack_schema() -> dict:
    """The JSON Schema (draft 2020-12) a pack file must satisfy."""
    schema = Pack.model_json_schema(schema_generator=_AsTheLoaderReads)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        **schema,
        "title": "studypack pack",
    }


def schema_text() -> str:
    """The schema as the repository keeps it in schema/studypack.schema.json."""
    return json.dumps(pack_schema(), indent=2, ensure_ascii=False) + "\n"
