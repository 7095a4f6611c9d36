"""The registry: registering, the decorator forms, lookup and the wire list."""

from __future__ import annotations

import pytest

from chatterm.tools import Tool, ToolDefinitionError, ToolRegistry
from chatterm.tools.registry import default_registry, tool


def test_decorator_bare_and_with_arguments() -> None:
    reg = ToolRegistry()

    @reg.tool
    def echo(text: str) -> str:
        """Repeat the text."""
        return text

    @reg.tool(name="shout", description="Say it loudly.", safe=True)
    def loud(text: str) -> str:
        return text.upper()

    # The decorated functions stay plain functions.
    assert echo("hi") == "hi"
    assert loud("hi") == "HI"
    assert reg.names() == ["echo", "shout"]
    assert len(reg) == 2 and "echo" in reg and "loud" not in reg
    assert [t.name for t in reg] == ["echo", "shout"]
    shout = reg.get("shout")
    assert shout is not None and shout.safe and shout.description == "Say it loudly."
    assert reg.get("echo").safe is False  # type: ignore[union-attr]
    assert reg.get("missing") is None


def test_wire_shape_and_selection() -> None:
    reg = ToolRegistry()
    reg.register(lambda: "x", name="a")
    made = reg.register(Tool("b", "Does b.", {"type": "object", "properties": {}}, lambda: "b"))
    assert made.name == "b"
    assert reg.wire(["b"]) == [
        {
            "type": "function",
            "function": {"name": "b", "description": "Does b.", "parameters": {"type": "object", "properties": {}}},
        }
    ]
    assert [w["function"]["name"] for w in reg.wire(["b", "a"])] == ["b", "a"]
    assert len(reg.wire()) == 2
    # A tool without a description does not send an empty one.
    assert "description" not in reg.wire(["a"])[0]["function"]
    with pytest.raises(KeyError, match="unknown tool 'c'"):
        reg.wire(["c"])


def test_register_a_tool_object_with_overrides() -> None:
    base = Tool("x", "X.", {"type": "object"}, lambda: 1)
    reg = ToolRegistry()
    made = reg.register(base, name="y", safe=True)
    assert (made.name, made.description, made.safe) == ("y", "X.", True)
    assert base.name == "x" and not base.safe  # the original is untouched


def test_duplicate_names_are_refused_but_reloads_replace() -> None:
    reg = ToolRegistry()

    def first(a: int) -> int:
        return a

    reg.register(first, name="same")
    with pytest.raises(ValueError, match="already registered"):
        reg.register(lambda a: a, name="same")
    again = reg.register(first, name="same")
    assert reg.get("same") is again


@pytest.mark.parametrize("bad", ["", "has space", "x" * 65, "dots.not.allowed"])
def test_names_must_fit_the_spec(bad: str) -> None:
    with pytest.raises(ToolDefinitionError, match="not allowed"):
        ToolRegistry().register(lambda: 1, name=bad)


def test_module_level_decorator_uses_the_default_registry() -> None:
    @tool(name="test_registry_default_probe")
    def probe() -> str:
        return "ok"

    try:
        assert default_registry.get("test_registry_default_probe").func is probe  # type: ignore[union-attr]
        assert probe.__chatterm_tool__.name == "test_registry_default_probe"  # type: ignore[attr-defined]
    finally:
        default_registry.unregister("test_registry_default_probe")
