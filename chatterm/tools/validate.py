"""Check a model's arguments against a tool's parameters schema (stdlib and `api.types` only).

    argument_errors(arguments, schema) -> ["missing required argument 'city'", ...]

A small JSON Schema subset: the keywords `function_schema` produces (type, enum,
properties, required, additionalProperties, items, anyOf) plus the common ones a
hand-written schema uses (const, oneOf, minimum/maximum, minLength/maxLength,
minItems/maxItems). Unknown keywords are ignored: the goal is a clear message for the
model when it gets a call wrong, not a full validator (chatterm may not depend on
jsonschema at run time).

Messages name the argument by its path (`units[2]`, `options.depth`) so the model can
fix exactly that value on its next try.
"""

from __future__ import annotations

import json
from typing import Any

from ..api.types import is_json_type, json_equal, json_type

__all__ = ["argument_errors"]

_MAX_ERRORS = 10


def _show(value: Any, limit: int = 60) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= limit else text[: limit - 3] + "..."


_ARTICLE = {"integer": "an integer", "array": "an array", "object": "an object"}


def _describe_type(expected: str | list[str]) -> str:
    names = [expected] if isinstance(expected, str) else list(expected)
    return " or ".join(_ARTICLE.get(n, "null" if n == "null" else f"a {n}") for n in names)


def _label(path: str) -> str:
    return f"argument '{path}'" if path else "the arguments"


def argument_errors(arguments: Any, schema: dict[str, Any]) -> list[str]:
    """Every way `arguments` misses `schema` (empty when it fits), at most ten."""
    errors: list[str] = []
    _check(arguments, schema, "", errors)
    return errors[:_MAX_ERRORS]


def _check(value: Any, schema: Any, path: str, errors: list[str]) -> None:
    if not isinstance(schema, dict) or len(errors) >= _MAX_ERRORS:
        return
    for keyword in ("anyOf", "oneOf"):
        options = schema.get(keyword)
        if isinstance(options, list) and options:
            tries: list[list[str]] = []
            for option in options:
                found: list[str] = []
                _check(value, option, path, found)
                if not found:
                    break
                tries.append(found)
            else:
                # Report the closest option (the one with fewest complaints).
                closest = min(tries, key=len)
                errors.extend(closest)
                return
    expected = schema.get("type")
    if expected is not None:
        types = [expected] if isinstance(expected, str) else list(expected)
        if not any(is_json_type(value, t) for t in types):
            errors.append(f"{_label(path)} must be {_describe_type(expected)}, got {json_type(value)} {_show(value)}")
            return
    if "enum" in schema and not any(json_equal(value, option) for option in schema["enum"]):
        allowed = ", ".join(_show(option) for option in schema["enum"])
        errors.append(f"{_label(path)} must be one of {allowed}; got {_show(value)}")
        return
    if "const" in schema and not json_equal(value, schema["const"]):
        errors.append(f"{_label(path)} must be {_show(schema['const'])}; got {_show(value)}")
        return
    _check_bounds(value, schema, path, errors)
    if isinstance(value, dict):
        _check_object(value, schema, path, errors)
    elif isinstance(value, list):
        items = schema.get("items")
        for index, item in enumerate(value):
            _check(item, items, f"{path}[{index}]", errors)


def _check_bounds(value: Any, schema: dict[str, Any], path: str, errors: list[str]) -> None:
    if is_json_type(value, "number"):
        if "minimum" in schema and value < schema["minimum"]:
            errors.append(f"{_label(path)} must be at least {schema['minimum']}; got {_show(value)}")
        if "maximum" in schema and value > schema["maximum"]:
            errors.append(f"{_label(path)} must be at most {schema['maximum']}; got {_show(value)}")
    sized = {str: ("minLength", "maxLength", "characters"), list: ("minItems", "maxItems", "items")}
    for kind, (low, high, unit) in sized.items():
        if isinstance(value, kind):
            if low in schema and len(value) < schema[low]:
                errors.append(f"{_label(path)} must have at least {schema[low]} {unit}")
            if high in schema and len(value) > schema[high]:
                errors.append(f"{_label(path)} must have at most {schema[high]} {unit}")


def _check_object(value: dict[str, Any], schema: dict[str, Any], path: str, errors: list[str]) -> None:
    properties = schema.get("properties") or {}
    prefix = f"{path}." if path else ""
    for name in schema.get("required") or ():
        if name not in value:
            errors.append(f"missing required argument '{prefix}{name}'")
    extra = schema.get("additionalProperties", True)
    for key, item in value.items():
        if key in properties:
            _check(item, properties[key], prefix + key, errors)
        elif extra is False:
            known = ", ".join(properties) or "none"
            errors.append(f"unexpected argument '{prefix}{key}' (accepted: {known})")
        elif isinstance(extra, dict):
            _check(item, extra, prefix + key, errors)
