"""Schema generation: every supported type hint, docstring styles, refusals."""

from __future__ import annotations

import enum
from typing import Annotated, Any, Literal

import pytest

from chatterm.tools.registry import ToolRegistry
from chatterm.tools.schema import ToolDefinitionError, function_schema, parse_docstring


class Color(enum.Enum):
    RED = "red"
    GREEN = "green"


class Level(enum.IntEnum):
    LOW = 1
    HIGH = 2


def props(func: Any) -> dict[str, Any]:
    return function_schema(func).parameters["properties"]


def test_scalars_and_required() -> None:
    def f(s: str, i: int, x: float, b: bool, opt: int = 3) -> None: ...

    params = function_schema(f).parameters
    assert params["type"] == "object"
    assert params["additionalProperties"] is False
    assert params["properties"] == {
        "s": {"type": "string"},
        "i": {"type": "integer"},
        "x": {"type": "number"},
        "b": {"type": "boolean"},
        "opt": {"type": "integer", "default": 3},
    }
    assert params["required"] == ["s", "i", "x", "b"]


def test_lists_and_dicts() -> None:
    def f(
        names: list[str],
        grid: list[list[int]],
        anything: list,  # type: ignore[type-arg]
        meta: dict,  # type: ignore[type-arg]
        scores: dict[str, float],
    ) -> None: ...

    assert props(f) == {
        "names": {"type": "array", "items": {"type": "string"}},
        "grid": {"type": "array", "items": {"type": "array", "items": {"type": "integer"}}},
        "anything": {"type": "array"},
        "meta": {"type": "object"},
        "scores": {"type": "object", "additionalProperties": {"type": "number"}},
    }


def test_literal_and_enum() -> None:
    def f(
        unit: Literal["c", "f"],
        level: Literal[1, 2, 3],
        color: Color,
        lvl: Level = Level.LOW,
        tags: list[Literal["a", "b"]] | None = None,
    ) -> None: ...

    p = props(f)
    assert p["unit"] == {"type": "string", "enum": ["c", "f"]}
    assert p["level"] == {"type": "integer", "enum": [1, 2, 3]}
    assert p["color"] == {"type": "string", "enum": ["red", "green"]}
    assert p["lvl"] == {"type": "integer", "enum": [1, 2], "default": 1}
    assert p["tags"] == {"type": "array", "items": {"type": "string", "enum": ["a", "b"]}}
    assert function_schema(f).parameters["required"] == ["unit", "level", "color"]


def test_optional_forms() -> None:
    def f(
        a: str | None = None,
        b: int | None = None,
        c: str | None = "x",
        d: float | None = None,
        e: str | None = ...,  # type: ignore[assignment]
    ) -> None: ...

    def g(must: str | None) -> None: ...

    p = props(f)
    assert p["a"] == {"type": "string"}
    assert p["b"] == {"type": "integer"}
    # A non-None default keeps the null option (the function accepts None).
    assert p["c"] == {"anyOf": [{"type": "string"}, {"type": "null"}], "default": "x"}
    assert function_schema(f).parameters["required"] == []
    params = function_schema(g).parameters
    assert params["properties"]["must"] == {"anyOf": [{"type": "string"}, {"type": "null"}]}
    assert params["required"] == ["must"]


def test_unions_annotated_and_untyped() -> None:
    def f(
        n: int | str,
        note: Annotated[str, "A short note."],
        whatever: Any,
        plain,  # type: ignore[no-untyped-def]
    ) -> None: ...

    p = props(f)
    assert p["n"] == {"anyOf": [{"type": "integer"}, {"type": "string"}]}
    assert p["note"] == {"type": "string", "description": "A short note."}
    assert p["whatever"] == {}
    assert p["plain"] == {}


def test_google_docstring() -> None:
    def f(city: str, days: int = 1, title: str = "") -> str:
        """Get the weather forecast
        for a city.

        More detail that is not part of the summary.

        Args:
            city (str): The city name,
                e.g. "Paris".
            days: How many days ahead.
            title: A heading for the report.

        Returns:
            The forecast.
        """
        return ""

    schema = function_schema(f)
    assert schema.description == "Get the weather forecast for a city."
    p = schema.parameters["properties"]
    assert p["city"]["description"] == 'The city name, e.g. "Paris".'
    assert p["days"]["description"] == "How many days ahead."
    assert p["title"] == {"type": "string", "description": "A heading for the report.", "default": ""}


def test_numpy_docstring() -> None:
    def f(x: float, y: float, mode: str = "fast") -> float:
        """Add two numbers.

        Parameters
        ----------
        x, y : float
            The numbers to
            add.
        mode : str, optional
            How to add.

        Returns
        -------
        float
        """
        return x + y

    schema = function_schema(f)
    assert schema.description == "Add two numbers."
    p = schema.parameters["properties"]
    assert p["x"]["description"] == "The numbers to add."
    assert p["y"]["description"] == "The numbers to add."
    assert p["mode"]["description"] == "How to add."


def test_docstring_summary_stops_at_sections() -> None:
    assert parse_docstring("Do it.\nArgs:\n    a: thing").summary == "Do it."
    assert parse_docstring("Do it.\nParameters\n----------\na : int\n    x").summary == "Do it."
    assert parse_docstring("Do it.\nReturns:\n    x").summary == "Do it."
    assert parse_docstring(None).summary == ""


def test_parameter_named_title_has_no_title_keyword() -> None:
    def f(title: str, body: str = "") -> None:
        """Make a note.

        Args:
            title: The note's title.
        """

    params = function_schema(f).parameters
    assert params["required"] == ["title"]
    assert params["properties"]["title"] == {"type": "string", "description": "The note's title."}
    assert "title" not in params
    assert all("title" not in prop for prop in params["properties"].values())


@pytest.mark.parametrize(
    ("source", "needle"),
    [
        ("def f(*args: int): ...", "*args is not supported"),
        ("def f(**kwargs: int): ...", "**kwargs is not supported"),
        ("def f(a: int, /): ...", "positional-only"),
        ("def f(a: set[int]): ...", "unsupported type hint"),
        ("def f(a: dict[int, str]): ...", "keys are strings"),
        ("def f(a: 'NoSuchType'): ...", "cannot read the type hints"),
    ],
)
def test_unsupported_signatures_are_refused_at_registration(source: str, needle: str) -> None:
    namespace: dict[str, Any] = {}
    exec(source, namespace)
    with pytest.raises(ToolDefinitionError) as info:
        ToolRegistry().register(namespace["f"])
    assert needle in str(info.value)
    assert "'f'" in str(info.value)


def test_methods_and_callable_objects() -> None:
    class Counter:
        def add(self, n: int) -> int:
            """Add n."""
            return n

        def __call__(self, word: str) -> str:
            return word

    assert props(Counter().add) == {"n": {"type": "integer"}}
    assert function_schema(Counter().add).description == "Add n."
    assert props(Counter()) == {"word": {"type": "string"}}
