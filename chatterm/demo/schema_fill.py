"""Structured output for the demo: a JSON value that fits a JSON Schema, or one that does not.

`instance(schema)` builds a deterministic example: every declared property (strict mode
wants them all), arrays of one item (or `minItems`), the first enum / const value,
the first branch of anyOf/oneOf, strings shaped by `format`, numbers inside their bounds.
Local `$ref`s (`#/$defs/...`, `#/definitions/...`) are followed.
`violation(schema)` takes that instance and breaks it (drops a required property or
gives the first property the wrong type) so clients can test their validation (`!badjson`).
"""

from __future__ import annotations

from typing import Any

_MAX_DEPTH = 12

_FORMATS = {
    "date-time": "2025-01-01T12:00:00Z",
    "date": "2025-01-01",
    "time": "12:00:00",
    "email": "demo@example.com",
    "uri": "https://example.com/demo",
    "url": "https://example.com/demo",
    "uuid": "00000000-0000-4000-8000-000000000000",
}


def _resolve(ref: str, root: dict[str, Any]) -> dict[str, Any]:
    if not ref.startswith("#/"):
        return {}
    node: Any = root
    for part in ref[2:].split("/"):
        part = part.replace("~1", "/").replace("~0", "~")
        if not isinstance(node, dict) or part not in node:
            return {}
        node = node[part]
    return node if isinstance(node, dict) else {}


def instance(schema: Any, root: dict[str, Any] | None = None, name: str = "value", depth: int = 0) -> Any:
    """A deterministic value that validates against `schema`."""
    if not isinstance(schema, dict):
        return f"sample {name}"
    root = schema if root is None else root
    if depth > _MAX_DEPTH:
        return None
    if "$ref" in schema:
        return instance(_resolve(schema["$ref"], root), root, name, depth + 1)
    if "const" in schema:
        return schema["const"]
    if schema.get("enum"):
        return schema["enum"][0]
    for key in ("anyOf", "oneOf"):
        if schema.get(key):
            return instance(schema[key][0], root, name, depth + 1)
    if schema.get("allOf"):
        merged: dict[str, Any] = {}
        for part in schema["allOf"]:
            part = _resolve(part["$ref"], root) if isinstance(part, dict) and "$ref" in part else part
            if isinstance(part, dict):
                for k, v in part.items():
                    if k == "properties":
                        merged.setdefault("properties", {}).update(v)
                    elif k == "required":
                        merged.setdefault("required", []).extend(v)
                    else:
                        merged.setdefault(k, v)
        return instance(merged, root, name, depth + 1)

    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "null")
    if kind is None:
        kind = "object" if "properties" in schema else "array" if "items" in schema else "string"

    if kind == "object":
        props = schema.get("properties") or {}
        return {key: instance(sub, root, key, depth + 1) for key, sub in props.items()}
    if kind == "array":
        count = max(1, int(schema.get("minItems", 1)))
        if "maxItems" in schema:
            count = min(count, int(schema["maxItems"]))
        items = schema.get("items", {})
        prefix = schema.get("prefixItems")
        if prefix:
            return [instance(sub, root, name, depth + 1) for sub in prefix]
        return [instance(items, root, name, depth + 1) for _ in range(count)]
    if kind == "integer":
        return int(_number(schema, 1))
    if kind == "number":
        return _number(schema, 1.5)
    if kind == "boolean":
        return True
    if kind == "null":
        return None
    return _string(schema, name)


def _number(schema: dict[str, Any], default: float) -> float:
    low = schema.get("minimum", schema.get("exclusiveMinimum"))
    high = schema.get("maximum", schema.get("exclusiveMaximum"))
    value = default
    if low is not None and value <= low:
        value = low + 1 if "exclusiveMinimum" in schema and "minimum" not in schema else low
    if high is not None and value >= high:
        value = high - 1 if "exclusiveMaximum" in schema and "maximum" not in schema else high
    return value


def _string(schema: dict[str, Any], name: str) -> str:
    fmt = schema.get("format")
    if fmt in _FORMATS:
        return _FORMATS[fmt]
    text = f"sample {name}"
    min_len = int(schema.get("minLength", 0))
    if len(text) < min_len:
        text = text + "x" * (min_len - len(text))
    if "maxLength" in schema:
        text = text[: int(schema["maxLength"])]
    return text


def violation(schema: Any) -> Any:
    """A value that does NOT validate against `schema` (for `!badjson`)."""
    good = instance(schema)
    root = schema if isinstance(schema, dict) else {}
    target = _resolve(root["$ref"], root) if "$ref" in root else root
    if isinstance(good, dict):
        required = [r for r in target.get("required", []) if r in good]
        if required:
            del good[required[0]]
            return good
        if good:
            first = next(iter(good))
            good[first] = [] if not isinstance(good[first], list) else "not a list"
            return good
        return ["not", "an", "object"]
    if isinstance(good, str):
        return 12345
    return {"unexpected": "shape"}
