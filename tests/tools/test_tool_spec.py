"""Generated tools are what the chat completions spec expects in `tools`.

Each tool's `to_wire()` goes into a full request body that must validate against the
shared spec; its `parameters` must itself be a valid JSON Schema (the spec only says
"object"), and arguments that fit / do not fit must be told apart by jsonschema the
same way our own checker tells them apart.
"""

from __future__ import annotations

import enum
from typing import Any, Literal

import pytest

from chatterm.tools import ToolRegistry, builtin_registry
from chatterm.tools.validate import argument_errors
from tests.spec import validator

jsonschema = pytest.importorskip("jsonschema")


class Mood(enum.Enum):
    CALM = "calm"
    LOUD = "loud"


def make_note(
    title: str,
    body: str = "",
    tags: list[Literal["work", "home"]] | None = None,
    priority: int = 1,
    weight: float | None = None,
    mood: Mood = Mood.CALM,
    meta: dict[str, str] | None = None,
    pinned: bool = False,
) -> str:
    """Make a note.

    Args:
        title: The note's title.
        body: The text.
        tags: Labels for the note.
    """
    return title


def no_params() -> str:
    """Takes nothing."""
    return "ok"


@pytest.fixture(scope="module")
def request_validator() -> Any:
    return validator("chat-completion-request")


def registry() -> ToolRegistry:
    reg = builtin_registry(allowed_dirs=["."])
    reg.register(make_note)
    reg.register(no_params)
    return reg


def body_with(tools: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "model": "gpt-4o-mini",
        "messages": [{"role": "user", "content": "hi"}],
        "tools": tools,
        "tool_choice": "auto",
    }


def test_every_tool_validates_in_a_request_body(request_validator: Any) -> None:
    tools = registry().wire()
    assert [t["function"]["name"] for t in tools] == [
        "current_time",
        "calculator",
        "read_file",
        "list_directory",
        "make_note",
        "no_params",
    ]
    errors = list(request_validator.iter_errors(body_with(tools)))
    assert errors == [], [e.message for e in errors]
    for one in tools:  # and one by one, so a failure names its tool
        assert not list(request_validator.iter_errors(body_with([one]))), one["function"]["name"]


def test_the_validator_does_reject_a_broken_tool(request_validator: Any) -> None:
    """Guard against a vacuous spec check: a tool without `function` must fail."""
    assert list(request_validator.iter_errors(body_with([{"type": "function"}])))
    assert list(
        request_validator.iter_errors(
            body_with([{"type": "function", "function": {"name": "x", "parameters": "nope"}}])
        )
    )


def test_parameters_are_valid_json_schemas() -> None:
    for tool in registry():
        jsonschema.Draft202012Validator.check_schema(tool.parameters)


def test_title_parameter_is_a_property_not_a_keyword() -> None:
    params = registry().get("make_note").parameters  # type: ignore[union-attr]
    assert params["properties"]["title"]["type"] == "string"
    assert params["required"] == ["title"]
    validator = jsonschema.Draft202012Validator(params)
    assert validator.is_valid({"title": "Groceries"})
    assert not validator.is_valid({})
    assert not validator.is_valid({"title": 5})


SAMPLES: list[tuple[dict[str, Any], bool]] = [
    ({"title": "a"}, True),
    (
        {
            "title": "a",
            "tags": ["work", "home"],
            "priority": 2,
            "weight": 1,
            "mood": "loud",
            "meta": {"k": "v"},
            "pinned": True,
        },
        True,
    ),
    ({"title": "a", "tags": ["play"]}, False),
    ({"title": "a", "priority": "2"}, False),
    ({"title": "a", "priority": 1.5}, False),
    ({"title": "a", "pinned": 1}, False),
    ({"title": "a", "mood": "angry"}, False),
    ({"title": "a", "meta": {"k": 1}}, False),
    ({"title": "a", "colour": "red"}, False),
    ({"body": "no title"}, False),
]


@pytest.mark.parametrize(("arguments", "fits"), SAMPLES)
def test_our_checker_agrees_with_jsonschema(arguments: dict[str, Any], fits: bool) -> None:
    params = registry().get("make_note").parameters  # type: ignore[union-attr]
    assert jsonschema.Draft202012Validator(params).is_valid(arguments) is fits
    assert (argument_errors(arguments, params) == []) is fits


HAND_WRITTEN: list[tuple[dict[str, Any], Any, bool]] = [
    ({"type": "object", "properties": {"n": {"const": 1}}}, {"n": True}, False),
    ({"type": "object", "properties": {"n": {"const": 1}}}, {"n": 1.0}, True),
    ({"type": "object", "properties": {"p": {"enum": [[1, 2], "x"]}}}, {"p": [True, 2]}, False),
    ({"type": "object", "properties": {"p": {"enum": [[1, 2], "x"]}}}, {"p": [1.0, 2]}, True),
]


@pytest.mark.parametrize(("schema", "arguments", "fits"), HAND_WRITTEN)
def test_const_and_enum_tell_true_from_1_as_jsonschema_does(schema: dict[str, Any], arguments: Any, fits: bool) -> None:
    """A hand-written `const: 1` used to accept `true` (Python's True == 1)."""
    assert jsonschema.Draft202012Validator(schema).is_valid(arguments) is fits
    assert (argument_errors(arguments, schema) == []) is fits
