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

Why our own validator rather than `jsonschema`: jsonschema is only a dev dependency,
and with two code paths a user's verdict and message would depend on what happens to
be installed. Ours walks the reply depth-first in document order, so "the first
error" is well defined (`$.items[0].name`), which jsonschema's error order does not
promise. The tests cross-check our verdicts against jsonschema on the same cases.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from chatterm.api.errors import RequestValidationError
from chatterm.api.types import is_json_type, json_equal, json_type

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
    error = _Validator(schema).first_error(data, schema, "$")
    if error is None:
        return ValidationOutcome(True, data)
    path, message = error
    return ValidationOutcome(False, data, path, message)


# --- the validator ------------------------------------------------------------------

_Error = tuple[str, str]
_MAX_DEPTH = 400


def _child(path: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    if _IDENT.match(key):
        return f"{path}.{key}"
    return f"{path}[{json.dumps(key)}]"


def _short(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 60 else text[:57] + "..."


class _Validator:
    def __init__(self, root: dict[str, Any]) -> None:
        self.root = root
        self._following: set[tuple[int, str]] = set()
        """$refs being followed at a reply path: meeting one again is a loop."""

    def resolve(self, ref: str) -> dict[str, Any] | bool:
        if ref == "#":
            return self.root
        if not ref.startswith("#/"):
            raise RequestValidationError(f"schema: only local $ref is supported (got {ref})")
        node: Any = self.root
        for token in ref[2:].split("/"):
            token = token.replace("~1", "/").replace("~0", "~")
            if not isinstance(node, dict) or token not in node:
                raise RequestValidationError(f"schema: $ref {ref} points nowhere")
            node = node[token]
        return node  # type: ignore[no-any-return]

    def first_error(self, value: Any, schema: Any, path: str, depth: int = 0) -> _Error | None:
        if schema is True or schema == {}:
            return None
        if schema is False:
            return path, "no value is allowed here"
        if not isinstance(schema, dict):
            return None
        if depth > _MAX_DEPTH:
            raise RequestValidationError("schema: the reply is nested too deeply to check")
        if "$ref" in schema:
            target = self.resolve(schema["$ref"])
            key = (id(target), path)
            if key in self._following:
                raise RequestValidationError(f"schema: $ref {schema['$ref']} loops without end")
            self._following.add(key)
            try:
                error = self.first_error(value, target, path, depth + 1)
            finally:
                self._following.discard(key)
            if error:
                return error
        for check in (
            self._type,
            self._enum_const,
            self._combinators,
            self._number,
            self._string,
            self._array,
            self._object,
        ):
            error = check(value, schema, path, depth)
            if error:
                return error
        return None

    def _type(self, value: Any, schema: dict[str, Any], path: str, depth: int) -> _Error | None:
        expected = schema.get("type")
        if expected is None:
            return None
        options = expected if isinstance(expected, list) else [expected]
        if any(is_json_type(value, t) for t in options):
            return None
        return path, f"expected {' or '.join(options)}, got {json_type(value)}"

    def _enum_const(self, value: Any, schema: dict[str, Any], path: str, depth: int) -> _Error | None:
        if "const" in schema and not json_equal(value, schema["const"]):
            return path, f"must be {_short(schema['const'])}, got {_short(value)}"
        if "enum" in schema and not any(json_equal(value, v) for v in schema["enum"]):
            allowed = ", ".join(_short(v) for v in schema["enum"])
            return path, f"must be one of {allowed}; got {_short(value)}"
        return None

    def _combinators(self, value: Any, schema: dict[str, Any], path: str, depth: int) -> _Error | None:
        for sub in schema.get("allOf") or []:
            error = self.first_error(value, sub, path, depth + 1)
            if error:
                return error
        for key in ("anyOf", "oneOf"):
            branches = schema.get(key)
            if not branches:
                continue
            errors: list[_Error] = []
            passing = 0
            for sub in branches:
                error = self.first_error(value, sub, path, depth + 1)
                if error is None:
                    passing += 1
                    if key == "anyOf":
                        break  # one fitting shape is enough (and stops recursive schemas)
                else:
                    errors.append(error)
            if passing == 0:
                # The branch that got deepest into the reply is the likeliest intent.
                closest = max(errors, key=lambda e: len(e[0]))
                detail = f" (closest: {closest[0]}: {closest[1]})"
                return path, f"matches none of the {len(branches)} allowed shapes{detail}"
            if key == "oneOf" and passing > 1:
                return path, f"matches {passing} of the oneOf shapes; exactly one is allowed"
        return None

    def _number(self, value: Any, schema: dict[str, Any], path: str, depth: int) -> _Error | None:
        if json_type(value) not in ("integer", "number"):
            return None
        if "minimum" in schema and value < schema["minimum"]:
            return path, f"must be at least {schema['minimum']}, got {value}"
        if "maximum" in schema and value > schema["maximum"]:
            return path, f"must be at most {schema['maximum']}, got {value}"
        if "exclusiveMinimum" in schema and value <= schema["exclusiveMinimum"]:
            return path, f"must be more than {schema['exclusiveMinimum']}, got {value}"
        if "exclusiveMaximum" in schema and value >= schema["exclusiveMaximum"]:
            return path, f"must be less than {schema['exclusiveMaximum']}, got {value}"
        step = schema.get("multipleOf")
        if step:
            quotient = value / step
            if not math.isclose(quotient, round(quotient), rel_tol=0, abs_tol=1e-9):
                return path, f"must be a multiple of {step}, got {value}"
        return None

    def _string(self, value: Any, schema: dict[str, Any], path: str, depth: int) -> _Error | None:
        if not isinstance(value, str):
            return None
        if "minLength" in schema and len(value) < schema["minLength"]:
            return path, f"must be at least {schema['minLength']} characters, got {len(value)}"
        if "maxLength" in schema and len(value) > schema["maxLength"]:
            return path, f"must be at most {schema['maxLength']} characters, got {len(value)}"
        pattern = schema.get("pattern")
        if pattern is not None:
            try:
                found = re.search(pattern, value)
            except re.error as exc:
                raise RequestValidationError(f"schema: bad pattern {pattern!r} ({exc})") from None
            if not found:
                return path, f"must match the pattern {pattern}; got {_short(value)}"
        return None

    def _array(self, value: Any, schema: dict[str, Any], path: str, depth: int) -> _Error | None:
        if not isinstance(value, list):
            return None
        if "minItems" in schema and len(value) < schema["minItems"]:
            return path, f"must have at least {schema['minItems']} items, got {len(value)}"
        if "maxItems" in schema and len(value) > schema["maxItems"]:
            return path, f"must have at most {schema['maxItems']} items, got {len(value)}"
        prefix = schema.get("prefixItems") or []
        for index, item in enumerate(value):
            sub = prefix[index] if index < len(prefix) else schema.get("items")
            if sub is None:
                continue
            error = self.first_error(item, sub, _child(path, index), depth + 1)
            if error:
                return error
        if schema.get("uniqueItems"):
            for i, a in enumerate(value):
                for j in range(i):
                    if json_equal(a, value[j]):
                        return _child(path, i), f"repeats item {j}; items must be unique"
        return None

    def _object(self, value: Any, schema: dict[str, Any], path: str, depth: int) -> _Error | None:
        if not isinstance(value, dict):
            return None
        if "minProperties" in schema and len(value) < schema["minProperties"]:
            return path, f"must have at least {schema['minProperties']} properties"
        if "maxProperties" in schema and len(value) > schema["maxProperties"]:
            return path, f"must have at most {schema['maxProperties']} properties"
        properties = schema.get("properties") or {}
        additional = schema.get("additionalProperties", True)
        for key, item in value.items():
            if key in properties:
                error = self.first_error(item, properties[key], _child(path, key), depth + 1)
            elif additional is False:
                error = (_child(path, key), "is not allowed (no additional properties)")
            else:
                error = self.first_error(item, additional, _child(path, key), depth + 1)
            if error:
                return error
        for name in schema.get("required") or []:
            if name not in value:
                return _child(path, name), "is required but missing"
        return None
