"""Structured output: response_format builders and local validation of replies."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from chatterm.api.errors import RequestValidationError
from chatterm.api.request import ChatRequest
from chatterm.api.shaping import prepare
from chatterm.api.structured import (
    json_object_format,
    response_format_for_schema,
    schema_of,
    validate_reply,
)

from .conftest import DemoPair

ORDER = {
    "title": "Order",
    "type": "object",
    "properties": {
        "id": {"type": "string", "pattern": "^ord_[0-9]+$"},
        "items": {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/item"}},
        "status": {"enum": ["open", "paid"]},
        "note": {"anyOf": [{"type": "string", "maxLength": 10}, {"type": "null"}]},
    },
    "required": ["id", "items", "status", "note"],
    "additionalProperties": False,
    "$defs": {
        "item": {
            "type": "object",
            "properties": {
                "name": {"type": "string", "minLength": 1},
                "qty": {"type": "integer", "minimum": 1, "maximum": 99},
                "kind": {"const": "item"},
            },
            "required": ["name", "qty"],
            "additionalProperties": False,
        }
    },
}
GOOD = {"id": "ord_1", "items": [{"name": "tea", "qty": 2, "kind": "item"}], "status": "open", "note": None}


def test_schema_file_becomes_a_json_schema_response_format(tmp_path: Path) -> None:
    path = tmp_path / "my order (v2).json"
    path.write_text(json.dumps({"type": "object"}))
    assert response_format_for_schema(path) == {
        "type": "json_schema",
        "json_schema": {"name": "my_order_v2", "schema": {"type": "object"}, "strict": False},
    }


def test_strict_only_for_schemas_strict_mode_takes() -> None:
    """OpenAI's strict mode refuses the whole request for an open or partly optional
    object; such schemas go non-strict (the reply is still checked locally)."""
    closed = {
        "type": "object",
        "additionalProperties": False,
        "required": ["a", "b"],
        "properties": {
            "a": {"type": "string"},
            "b": {
                "type": "array",
                "items": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["x"],
                    "properties": {"x": {"type": "integer"}},
                },
            },
        },
    }
    assert response_format_for_schema(closed)["json_schema"]["strict"] is True
    inner_open = json.loads(json.dumps(closed))
    del inner_open["properties"]["b"]["items"]["additionalProperties"]
    assert response_format_for_schema(inner_open)["json_schema"]["strict"] is False
    optional = {**closed, "required": ["a"]}
    assert response_format_for_schema(optional)["json_schema"]["strict"] is False
    assert response_format_for_schema({"type": "array", "items": {"type": "string"}})["json_schema"]["strict"] is False
    assert response_format_for_schema(optional, strict=True)["json_schema"]["strict"] is True  # asked for


def test_name_prefers_the_title_then_an_explicit_name_wins() -> None:
    assert response_format_for_schema(ORDER)["json_schema"]["name"] == "Order"
    fmt = response_format_for_schema(ORDER, name="x" * 80, strict=False)
    assert fmt["json_schema"]["name"] == "x" * 64 and fmt["json_schema"]["strict"] is False
    assert response_format_for_schema({"title": "¿¿"})["json_schema"]["name"] == "response"


def test_bad_schema_files_are_refused_with_the_file_named(tmp_path: Path) -> None:
    with pytest.raises(RequestValidationError, match="no such file"):
        response_format_for_schema(tmp_path / "none.json")
    broken = tmp_path / "broken.json"
    broken.write_text("{ nope")
    with pytest.raises(RequestValidationError, match=r"schema broken\.json: not JSON \(line 1"):
        response_format_for_schema(broken)
    listed = tmp_path / "list.json"
    listed.write_text("[]")
    with pytest.raises(RequestValidationError, match="must be a JSON object"):
        response_format_for_schema(listed)


def test_formats_go_on_the_wire_and_validate_against_the_spec() -> None:
    fmt = response_format_for_schema(ORDER)
    body = prepare(ChatRequest("gpt-4o", [{"role": "user", "content": "x"}], response_format=fmt)).body
    assert body["response_format"] == fmt
    assert json_object_format() == {"type": "json_object"}
    assert schema_of(fmt) is ORDER and schema_of(json_object_format()) is None


def test_a_fitting_reply_is_ok_and_parsed() -> None:
    outcome = validate_reply(json.dumps(GOOD), ORDER)
    assert outcome.ok and outcome.data == GOOD and outcome.error_path is None


@pytest.mark.parametrize(
    ("change", "path", "message"),
    [
        ({"items": [{"name": "tea", "qty": 2}, {"name": "", "qty": 1}]}, "$.items[1].name", "at least 1 characters"),
        ({"items": [{"name": "tea", "qty": 0}]}, "$.items[0].qty", "at least 1"),
        ({"items": [{"name": "tea", "qty": 2.5}]}, "$.items[0].qty", "expected integer, got number"),
        ({"items": [{"qty": 2}]}, "$.items[0].name", "required but missing"),
        ({"items": [{"name": "t", "qty": 1, "kind": "box"}]}, "$.items[0].kind", 'must be "item"'),
        ({"items": []}, "$.items", "at least 1 items"),
        ({"id": "order-1"}, "$.id", "pattern"),
        ({"status": "lost"}, "$.status", 'one of "open", "paid"'),
        ({"note": "far too long a note"}, "$.note", "none of the 2 allowed shapes"),
        ({"extra field": 1}, '$["extra field"]', "not allowed"),
        ({"items": "tea"}, "$.items", "expected array, got string"),
    ],
)
def test_a_misfit_is_flagged_with_the_first_error_path(change: dict[str, Any], path: str, message: str) -> None:
    reply = {**GOOD, **change}
    outcome = validate_reply(json.dumps(reply), ORDER)
    assert not outcome.ok
    assert outcome.error_path == path
    assert outcome.message is not None and message in outcome.message
    assert outcome.data == reply
    # jsonschema agrees that it does not fit.
    assert not jsonschema.Draft202012Validator(ORDER).is_valid(reply)


def test_the_first_error_is_the_first_in_the_reply() -> None:
    reply = {**GOOD, "items": [{"name": "a", "qty": 0}, {"name": 3, "qty": 1}], "status": "lost"}
    assert validate_reply(json.dumps(reply), ORDER).error_path == "$.items[0].qty"


def test_missing_top_level_field_is_named() -> None:
    reply = {k: v for k, v in GOOD.items() if k != "status"}
    outcome = validate_reply(json.dumps(reply), ORDER)
    assert (outcome.error_path, outcome.message) == ("$.status", "is required but missing")


def test_not_json_is_flagged_at_the_root() -> None:
    outcome = validate_reply("Sure! Here is your order: {", ORDER)
    assert not outcome.ok and outcome.data is None and outcome.error_path == "$"
    assert outcome.message is not None and outcome.message.startswith("the reply is not JSON")


def test_a_json_fence_around_the_reply_is_tolerated() -> None:
    assert validate_reply("```json\n" + json.dumps(GOOD) + "\n```", ORDER).ok


def test_json_mode_only_checks_that_it_is_json() -> None:
    assert validate_reply('{"anything": [1, 2]}', None).ok


@pytest.mark.parametrize(
    ("schema", "value"),
    [
        ({"type": "integer"}, True),
        ({"type": "number"}, 3),
        ({"type": "integer"}, 3.0),
        ({"type": ["string", "null"]}, None),
        ({"multipleOf": 0.5}, 0.75),
        ({"exclusiveMaximum": 5}, 5),
        ({"maxItems": 1}, [1, 2]),
        ({"uniqueItems": True}, [1, 1.0]),
        ({"uniqueItems": True}, [1, True]),
        ({"oneOf": [{"type": "integer"}, {"type": "number"}]}, 1),
        ({"allOf": [{"minimum": 1}, {"maximum": 3}]}, 4),
        ({"prefixItems": [{"type": "string"}], "items": {"type": "integer"}}, ["a", 1, "b"]),
        ({"type": "object", "additionalProperties": {"type": "integer"}}, {"a": 1, "b": "x"}),
        ({"$ref": "#/$defs/n", "$defs": {"n": {"anyOf": [{"type": "null"}, {"$ref": "#"}]}}}, None),
        ({"minProperties": 1}, {}),
        ({"enum": [1, "1"]}, 1.0),
        ({"const": {"a": [1]}}, {"a": [1.0]}),
    ],
)
def test_verdicts_agree_with_jsonschema(schema: dict[str, Any], value: Any) -> None:
    expected = jsonschema.Draft202012Validator(schema).is_valid(value)
    assert validate_reply(json.dumps(value), schema).ok is expected


def test_multiple_of_a_decimal_step_is_not_fooled_by_float_rounding() -> None:
    # 0.3 / 0.1 == 2.9999999999999996 in floats; jsonschema says no, a person says yes.
    assert validate_reply("0.3", {"multipleOf": 0.1}).ok
    assert not validate_reply("0.35", {"multipleOf": 0.1}).ok


def test_recursive_schemas_check_nested_replies() -> None:
    tree = {
        "$defs": {
            "node": {
                "type": "object",
                "properties": {"v": {"type": "integer"}, "kids": {"type": "array", "items": {"$ref": "#/$defs/node"}}},
                "required": ["v"],
            }
        },
        "$ref": "#/$defs/node",
    }
    deep: dict[str, Any] = {"v": 0}
    for i in range(100):
        deep = {"v": i, "kids": [deep]}
    assert validate_reply(json.dumps(deep), tree).ok
    bad = {"v": 1, "kids": [{"v": 2}, {"v": "three"}]}
    assert validate_reply(json.dumps(bad), tree).error_path == "$.kids[1].v"


def test_a_ref_loop_is_refused_not_a_crash() -> None:
    schema = {"$ref": "#/$defs/a", "$defs": {"a": {"$ref": "#/$defs/a"}}}
    with pytest.raises(RequestValidationError, match="loops without end"):
        validate_reply("1", schema)


# --- end to end over loopback TCP: the demo gateway honours response_format ------------


PLAIN_ORDER = {k: v for k, v in ORDER.items()}
PLAIN_ORDER["properties"] = {**ORDER["properties"], "id": {"type": "string"}}  # the demo fills no patterns


async def _ask_demo(demo: DemoPair, prompt: str, fmt: dict[str, Any], endpoint: str) -> str:
    _, client = demo
    reply = await client.complete(
        ChatRequest("gpt-4o", [{"role": "user", "content": prompt}], response_format=fmt, endpoint=endpoint)
    )  # type: ignore[arg-type]
    return reply.content


@pytest.mark.parametrize("endpoint", ["chat", "responses"])
async def test_a_schema_reply_from_the_gateway_validates(endpoint: str, tmp_path: Path, demo: DemoPair) -> None:
    path = tmp_path / "order.json"
    path.write_text(json.dumps(PLAIN_ORDER))
    fmt = response_format_for_schema(path)
    content = await _ask_demo(demo, "An order please", fmt, endpoint)
    outcome = validate_reply(content, schema_of(fmt))
    assert outcome.ok, (outcome.error_path, outcome.message, content)
    assert jsonschema.Draft202012Validator(PLAIN_ORDER).is_valid(outcome.data)


@pytest.mark.parametrize("endpoint", ["chat", "responses"])
async def test_a_misfit_reply_from_the_gateway_is_flagged(endpoint: str, demo: DemoPair) -> None:
    fmt = response_format_for_schema(PLAIN_ORDER)
    content = await _ask_demo(demo, "An order please !badjson", fmt, endpoint)
    outcome = validate_reply(content, schema_of(fmt))
    assert not outcome.ok and outcome.error_path and outcome.error_path.startswith("$")
    assert not jsonschema.Draft202012Validator(PLAIN_ORDER).is_valid(outcome.data)
