"""One JSON Schema subset checker: a tool's arguments and a structured reply fit a
schema or not by the same rules (and jsonschema's), each told in its reader's words."""

from __future__ import annotations

import json
from typing import Any

import jsonschema
import pytest

from chatterm.api.structured import validate_reply
from chatterm.tools.validate import argument_errors

POINT = {"type": "object", "properties": {"x": {"type": "integer"}}, "required": ["x"]}

CASES: list[tuple[dict[str, Any], Any]] = [
    # a tool schema made by pydantic names its parts by $ref
    (
        {"type": "object", "properties": {"at": {"$ref": "#/$defs/Point"}}, "$defs": {"Point": POINT}},
        {"at": {"x": "1"}},
    ),
    ({"type": "object", "properties": {"at": {"$ref": "#/$defs/Point"}}, "$defs": {"Point": POINT}}, {"at": {"x": 1}}),
    ({"type": "object", "properties": {"code": {"type": "string", "pattern": "^[0-9]+$"}}}, {"code": "abc"}),
    ({"type": "object", "properties": {"n": {"type": "number", "exclusiveMinimum": 0}}}, {"n": 0}),
    ({"type": "object", "properties": {"n": {"type": "integer", "multipleOf": 5}}}, {"n": 12}),
    ({"type": "object", "properties": {"tags": {"type": "array", "uniqueItems": True}}}, {"tags": ["a", "a"]}),
    ({"type": "object", "properties": {"v": {"oneOf": [{"type": "integer"}, {"type": "number"}]}}}, {"v": 3}),
    ({"type": "object", "properties": {"v": {"oneOf": [{"type": "integer"}, {"type": "string"}]}}}, {"v": 3}),
    ({"type": "object", "properties": {"v": {"allOf": [{"type": "integer"}, {"minimum": 2}]}}}, {"v": 1}),
    ({"type": "object", "properties": {"pair": {"type": "array", "prefixItems": [{"type": "string"}]}}}, {"pair": [1]}),
    ({"type": "object", "maxProperties": 1}, {"a": 1, "b": 2}),
]


@pytest.mark.parametrize(("schema", "value"), CASES)
def test_arguments_and_replies_fit_a_schema_by_the_same_rules(schema: dict[str, Any], value: Any) -> None:
    fits = jsonschema.Draft202012Validator(schema).is_valid(value)
    assert (argument_errors(value, schema) == []) is fits
    assert validate_reply(json.dumps(value), schema).ok is fits


def test_each_reader_gets_its_own_words_for_the_same_error() -> None:
    schema, value = CASES[0]
    assert argument_errors(value, schema) == ["argument 'at.x' must be an integer, got string \"1\""]
    outcome = validate_reply(json.dumps(value), schema)
    assert (outcome.error_path, outcome.message) == ("$.at.x", "expected integer, got string")


def test_a_tool_schema_that_cannot_be_checked_is_told_not_raised() -> None:
    errors = argument_errors({"a": 1}, {"properties": {"a": {"$ref": "#/$defs/Nowhere"}}})
    assert errors == ["the tool's parameters schema cannot be checked: $ref #/$defs/Nowhere points nowhere"]
