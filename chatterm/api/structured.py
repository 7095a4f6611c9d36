"""Structured output: `response_format` builders and local validation of the reply.

    response_format_for_schema("person.json")  -> {"type": "json_schema",
                                                   "json_schema": {"name", "schema", "strict"}}
    json_object_format()                        -> {"type": "json_object"}
    check_schema_of(response_format)            what a reply under it must fit
    validate_reply(text, schema)                -> ValidationOutcome(ok, data, error_path, message)

`validate_reply` checks the JSON Schema subset that structured outputs use (type,
properties, required, additionalProperties, items, prefixItems, enum, const, anyOf,
oneOf, allOf, $ref into $defs/definitions, minimum/maximum and the exclusive forms,
multipleOf, minLength/maxLength, pattern, minItems/maxItems, uniqueItems,
minProperties/maxProperties). Other keywords (format, descriptions) are ignored.

The checking is `chatterm/json_schema_subset.py`, the one checker tool arguments use
too; this module only words its first error for a person (`$.items[0].name`). It walks
the reply depth-first in document order, so "the first error" is well defined, which
jsonschema's error order does not promise. The tests cross-check our verdicts against
jsonschema on the same cases.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from chatterm.api.errors import RequestValidationError
from chatterm.api.types import json_type
from chatterm.json_schema_subset import SchemaDefinitionError, SchemaError, schema_errors

_NAME_OK = re.compile(r"[^a-zA-Z0-9_-]+")
_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_FENCE = re.compile(r"^```(?:json)?\s*\n(.*)\n```$", re.S)


@dataclass(frozen=True, slots=True)
class ValidationOutcome:
    ok: bool
    data: Any = None
    """The parsed reply (None when it was not JSON)."""
    error_path: str | None = None
    """JSON path of the first error, like `$.items[0].name`."""
    message: str | None = None


def load_schema(path_or_dict: str | Path | dict[str, Any]) -> dict[str, Any]:
    """A schema from a dict or a JSON file; RequestValidationError names the file."""
    if isinstance(path_or_dict, dict):
        return path_or_dict
    path = Path(path_or_dict).expanduser()
    if path.is_dir():
        raise RequestValidationError(f"schema {path}: is a directory, not a file")
    try:
        # utf-8-sig: editors on Windows often start a JSON file with a byte order mark.
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise RequestValidationError(f"schema {path}: no such file") from None
    except UnicodeDecodeError:
        raise RequestValidationError(f"schema {path.name}: not UTF-8 text") from None
    except OSError as exc:
        raise RequestValidationError(f"schema {path}: cannot read it ({exc.strerror or exc})") from None
    try:
        schema = json.loads(text)
    except json.JSONDecodeError as exc:
        raise RequestValidationError(
            f"schema {path.name}: not JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"
        ) from None
    if not isinstance(schema, dict):
        raise RequestValidationError(f"schema {path.name}: must be a JSON object")
    return schema


def schema_name(schema: dict[str, Any], source: str | Path | None = None) -> str:
    """A name the API accepts (^[a-zA-Z0-9_-]{1,64}$): the schema's title, else the
    file's stem, else "response"."""
    candidates = [schema.get("title")]
    if source is not None:
        candidates.append(Path(source).stem)
    for candidate in candidates:
        if isinstance(candidate, str) and _NAME_OK.sub("", candidate):
            return sanitize_name(candidate)
    return "response"


def sanitize_name(name: str) -> str:
    cleaned = _NAME_OK.sub("_", name.strip()).strip("_")[:64]
    return cleaned or "response"


def response_format_for_schema(
    path_or_dict: str | Path | dict[str, Any], name: str | None = None, strict: bool | None = None
) -> dict[str, Any]:
    """The chat completions `response_format` for a JSON Schema file or dict.

    `strict` defaults to whether the schema can be strict: OpenAI's strict mode refuses
    the whole request for a schema whose objects allow extra properties or leave some
    optional, and most hand-written schemas do; those go non-strict (still checked here)."""
    schema = load_schema(path_or_dict)
    source = None if isinstance(path_or_dict, dict) else path_or_dict
    final_name = sanitize_name(name) if name else schema_name(schema, source)
    if strict is None:
        strict = strict_compatible(schema)
    return {
        "type": "json_schema",
        "json_schema": {"name": final_name, "schema": schema, "strict": strict},
    }


def strict_compatible(schema: Any) -> bool:
    """The schema meets strict structured output's rules: an object at the root, and
    every object closed (`additionalProperties: false`) with all its properties required."""
    if not isinstance(schema, dict) or schema.get("type") != "object":
        return False
    return _closed(schema)


def _closed(node: Any) -> bool:
    if isinstance(node, list):
        return all(_closed(item) for item in node)
    if not isinstance(node, dict):
        return True
    is_object = node.get("type") == "object" or "properties" in node
    if is_object:
        properties = node.get("properties") or {}
        if node.get("additionalProperties") is not False:
            return False
        if not isinstance(properties, dict) or set(node.get("required") or []) != set(properties):
            return False
    children = [v for k, v in node.items() if k in _SUBSCHEMA_KEYS]
    children += list((node.get("properties") or {}).values()) if isinstance(node.get("properties"), dict) else []
    for key in ("$defs", "definitions"):
        if isinstance(node.get(key), dict):
            children += list(node[key].values())
    return all(_closed(child) for child in children)


_SUBSCHEMA_KEYS = ("items", "anyOf", "oneOf", "allOf", "not", "prefixItems")


def json_object_format() -> dict[str, Any]:
    """JSON mode: any JSON object, no schema."""
    return {"type": "json_object"}


def schema_of(response_format: dict[str, Any] | None) -> dict[str, Any] | None:
    """The schema inside a json_schema response_format (None for other formats)."""
    if response_format and response_format.get("type") == "json_schema":
        schema = (response_format.get("json_schema") or {}).get("schema")
        return schema if isinstance(schema, dict) else None
    return None


def check_schema_of(response_format: dict[str, Any] | None) -> dict[str, Any] | None:
    """What a reply written under `response_format` is checked against: the json_schema's
    schema, `{"type": "object"}` for JSON mode (`json_object` promises an object, so an
    array or a bare string does not fit), None when there is no format."""
    if response_format and response_format.get("type") == "json_object":
        return {"type": "object"}
    return schema_of(response_format)


def validate_reply(text: str, schema: dict[str, Any] | None) -> ValidationOutcome:
    """Parse the reply as JSON and check it against `schema` (None: JSON only)."""
    stripped = text.strip()
    fenced = _FENCE.match(stripped)
    if fenced:
        stripped = fenced.group(1).strip()
    try:
        data = json.loads(stripped)
    except json.JSONDecodeError as exc:
        return ValidationOutcome(
            False, None, "$", f"the reply is not JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"
        )
    if schema is None:
        return ValidationOutcome(True, data)
    error = _first_error(data, schema)
    if error is None:
        return ValidationOutcome(True, data)
    path, message = error
    return ValidationOutcome(False, data, path, message)


# --- the verdict's wording (the checking is chatterm/json_schema_subset.py) ----------


def _path_text(path: tuple[str | int, ...]) -> str:
    text = "$"
    for key in path:
        if isinstance(key, int):
            text += f"[{key}]"
        elif _IDENT.match(key):
            text += f".{key}"
        else:
            text += f"[{json.dumps(key)}]"
    return text


def _short(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 60 else text[:57] + "..."


def _first_error(value: Any, schema: dict[str, Any]) -> tuple[str, str] | None:
    try:
        error = next(schema_errors(value, schema), None)
    except SchemaDefinitionError as exc:
        raise RequestValidationError(f"schema: {exc}") from None
    if error is None:
        return None
    return _path_text(error.path), _message(error)


def _message(error: SchemaError) -> str:
    keyword, expected, value = error.keyword, error.expected, error.value
    match keyword:
        case "type":
            options = expected if isinstance(expected, list) else [expected]
            return f"expected {' or '.join(options)}, got {json_type(value)}"
        case "const":
            return f"must be {_short(expected)}, got {_short(value)}"
        case "enum":
            return f"must be one of {', '.join(_short(v) for v in expected)}; got {_short(value)}"
        case "anyOf" | "oneOf" if error.closest:
            closest = error.closest[0]
            detail = f" (closest: {_path_text(closest.path)}: {_message(closest)})"
            return f"matches none of the {expected} allowed shapes{detail}"
        case "oneOf":
            return f"matches {value} of the oneOf shapes; exactly one is allowed"
        case "minimum":
            return f"must be at least {expected}, got {value}"
        case "maximum":
            return f"must be at most {expected}, got {value}"
        case "exclusiveMinimum":
            return f"must be more than {expected}, got {value}"
        case "exclusiveMaximum":
            return f"must be less than {expected}, got {value}"
        case "multipleOf":
            return f"must be a multiple of {expected}, got {value}"
        case "minLength" | "maxLength":
            return f"must be {_bound(keyword)} {expected} characters, got {len(value)}"
        case "minItems" | "maxItems":
            return f"must have {_bound(keyword)} {expected} items, got {len(value)}"
        case "minProperties" | "maxProperties":
            return f"must have {_bound(keyword)} {expected} properties"
        case "pattern":
            return f"must match the pattern {expected}; got {_short(value)}"
        case "uniqueItems":
            return f"repeats item {expected}; items must be unique"
        case "additionalProperties":
            return "is not allowed (no additional properties)"
        case "required":
            return "is required but missing"
        case _:
            return "no value is allowed here"


def _bound(keyword: str) -> str:
    return "at least" if keyword.startswith("min") else "at most"
