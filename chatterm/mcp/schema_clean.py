"""A server's input schema, cleaned for the providers that refuse parts of JSON Schema.

Gemini's function declarations take an OpenAPI subset and reject `$schema`, `$id`,
`additionalProperties`, `$defs`/`$ref`, `default`, `examples`, formats beyond a few, and
so on; OpenAI's strict mode and several gateways refuse some of them too. MCP servers
(pydantic-made schemas especially) are full of them. The cleaned schema keeps what a
model needs to call the tool right: types, properties, required, enum, descriptions,
items, anyOf, bounds. `$ref`s into `$defs` are inlined (once per path: a recursive
definition becomes a plain object).
"""

from __future__ import annotations

from typing import Any

__all__ = ["clean_schema"]

_KEEP = {
    "type",
    "properties",
    "required",
    "enum",
    "description",
    "items",
    "anyOf",
    "oneOf",
    "minimum",
    "maximum",
    "minLength",
    "maxLength",
    "minItems",
    "maxItems",
    "nullable",
    "title",
    "const",
    "format",
}
_FORMATS = {"date-time", "date", "time", "email", "uri", "uuid", "int32", "int64", "float", "double", "enum"}


def clean_schema(schema: Any) -> dict[str, Any]:
    """The schema a provider will take, always an object schema at the root."""
    if not isinstance(schema, dict):
        return {"type": "object", "properties": {}}
    defs = {**schema.get("definitions", {}), **schema.get("$defs", {})}
    cleaned = _clean(schema, defs, ())
    if not isinstance(cleaned, dict) or cleaned.get("type") != "object":
        return {"type": "object", "properties": {}}
    cleaned.setdefault("properties", {})
    return cleaned


def _resolve(ref: str, defs: dict[str, Any]) -> Any:
    for prefix in ("#/$defs/", "#/definitions/"):
        if ref.startswith(prefix):
            return defs.get(ref[len(prefix) :])
    return None


def _clean(node: Any, defs: dict[str, Any], seen: tuple[str, ...]) -> Any:
    if isinstance(node, list):
        return [_clean(item, defs, seen) for item in node]
    if not isinstance(node, dict):
        return node
    ref = node.get("$ref")
    if isinstance(ref, str):
        target = _resolve(ref, defs)
        if target is None or ref in seen:
            return {"type": "object"}
        merged = {**target, **{k: v for k, v in node.items() if k != "$ref"}}
        return _clean(merged, defs, (*seen, ref))
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key not in _KEEP:
            continue
        if key == "properties" and isinstance(value, dict):
            out[key] = {name: _clean(sub, defs, seen) for name, sub in value.items()}
        elif key in ("items", "anyOf", "oneOf"):
            out[key] = _clean(value, defs, seen)
        elif key == "format" and value not in _FORMATS:
            continue
        elif key == "title":
            continue  # pydantic's titles repeat the property names; descriptions say more
        else:
            out[key] = value
    if isinstance(out.get("required"), list) and isinstance(out.get("properties"), dict):
        out["required"] = [name for name in out["required"] if name in out["properties"]]
    if "type" not in out and "properties" in out:
        out["type"] = "object"
    return out
