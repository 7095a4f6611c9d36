"""Check a model's arguments against a tool's parameters schema, in words for the model.

    argument_errors(arguments, schema) -> ["missing required argument 'city'", ...]

The checking is `chatterm/json_schema_subset.py`, the one checker structured replies use
too (so a value fits a schema or not the same way everywhere); this module only words
its errors for a model that got a call wrong. Messages name the argument by its path
(`units[2]`, `options.depth`) so the model can fix exactly that value on its next try.
"""

from __future__ import annotations

import json
from typing import Any

from ..api.types import json_type
from ..json_schema_subset import SchemaDefinitionError, SchemaError, schema_errors

__all__ = ["argument_errors"]

_MAX_ERRORS = 10


def _show(value: Any, limit: int = 60) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= limit else text[: limit - 3] + "..."


_ARTICLE = {"integer": "an integer", "array": "an array", "object": "an object"}


def _describe_type(expected: str | list[str]) -> str:
    names = [expected] if isinstance(expected, str) else list(expected)
    return " or ".join(_ARTICLE.get(n, "null" if n == "null" else f"a {n}") for n in names)


def _path_text(path: tuple[str | int, ...]) -> str:
    text = ""
    for key in path:
        text += f"[{key}]" if isinstance(key, int) else (f".{key}" if text else key)
    return text


def _label(path: tuple[str | int, ...]) -> str:
    return f"argument '{_path_text(path)}'" if path else "the arguments"


def argument_errors(arguments: Any, schema: dict[str, Any]) -> list[str]:
    """Every way `arguments` misses `schema` (empty when it fits), at most ten."""
    errors: list[str] = []
    try:
        for error in schema_errors(arguments, schema):
            errors.extend(_messages(error))
            if len(errors) >= _MAX_ERRORS:
                break
    except SchemaDefinitionError as exc:
        errors.append(f"the tool's parameters schema cannot be checked: {exc}")
    return errors[:_MAX_ERRORS]


_BOUNDS = {
    "minimum": "must be at least {}",
    "maximum": "must be at most {}",
    "exclusiveMinimum": "must be more than {}",
    "exclusiveMaximum": "must be less than {}",
    "multipleOf": "must be a multiple of {}",
    "minLength": "must have at least {} characters",
    "maxLength": "must have at most {} characters",
    "minItems": "must have at least {} items",
    "maxItems": "must have at most {} items",
    "minProperties": "must have at least {} properties",
    "maxProperties": "must have at most {} properties",
    "pattern": "must match the pattern {}",
}


def _messages(error: SchemaError) -> list[str]:
    label, expected, value = _label(error.path), error.expected, error.value
    match error.keyword:
        case "anyOf" | "oneOf" if error.closest:
            # The closest option's complaints say best what the model should change.
            return [message for inner in error.closest for message in _messages(inner)]
        case "oneOf":
            return [f"{label} fits {value} of the allowed shapes; exactly one is allowed"]
        case "type":
            return [f"{label} must be {_describe_type(expected)}, got {json_type(value)} {_show(value)}"]
        case "enum":
            return [f"{label} must be one of {', '.join(_show(option) for option in expected)}; got {_show(value)}"]
        case "const":
            return [f"{label} must be {_show(expected)}; got {_show(value)}"]
        case "required":
            return [f"missing required argument '{_path_text(error.path)}'"]
        case "additionalProperties":
            known = ", ".join(expected) or "none"
            return [f"unexpected argument '{_path_text(error.path)}' (accepted: {known})"]
        case "uniqueItems":
            return [f"{label} repeats item {expected}; items must be unique"]
        case keyword if keyword in _BOUNDS:
            shown = (
                f"; got {_show(value)}"
                if keyword in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf", "pattern")
                else ""
            )
            return [f"{label} {_BOUNDS[keyword].format(expected)}{shown}"]
        case _:
            return [f"{label} is not allowed"]
