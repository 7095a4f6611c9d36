"""Python function -> JSON schema for `tools[].function.parameters`.

    function_schema(func) -> FunctionSchema(description, parameters)

The schema comes from the signature and type hints (`typing.get_type_hints`, extras
included) plus the docstring:

    str / int / float / bool        -> "string" / "integer" / "number" / "boolean"
    list[T], dict, dict[str, T]     -> "array" with items / "object" with additionalProperties
    Literal[...], Enum subclasses   -> "enum" (with "type" when all values share one)
    Optional[T], T | None           -> T; with a None default the parameter is optional
    Annotated[T, "text"]            -> T, with "text" as the description
    no default                      -> listed in "required"

Descriptions come from the docstring: its first paragraph describes the tool, and a
Google-style `Args:` section or a NumPy-style `Parameters` / `----------` section
describes each parameter. No "title" keyword is ever emitted, so a parameter that is
literally named `title` is just another property.

`Optional[T] = None` becomes "T, not required" rather than `anyOf [T, null]`: omitting an
argument is how every model family says "not given", and several providers' schema
converters handle `anyOf` / type arrays badly. The runner treats an explicit `null` for
such a parameter as "use the default". A nullable parameter *without* a default is
rare; it gets `anyOf [T, {"type": "null"}]`.

`*args` / `**kwargs` and positional-only parameters cannot be filled from a JSON object
of named arguments, so they are refused with a `ToolDefinitionError` at registration.
"""

from __future__ import annotations

import enum
import inspect
import json
import re
import types
import typing
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

__all__ = [
    "FunctionSchema",
    "ToolDefinitionError",
    "coerce_arguments",
    "function_schema",
    "parse_docstring",
]


class ToolDefinitionError(TypeError):
    """A function cannot become a tool (bad signature or unsupported type hint)."""


@dataclass(frozen=True, slots=True)
class FunctionSchema:
    description: str
    parameters: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Docstring:
    summary: str
    params: dict[str, str]


# --- docstrings --------------------------------------------------------------------

_GOOGLE_HEADERS = {"args:", "arguments:", "parameters:", "params:", "keyword args:", "keyword arguments:"}
# Any other Google-style section ends the Args block.
_GOOGLE_SECTION = re.compile(
    r"^(returns?|yields?|raises?|examples?|notes?|see also|attributes|warnings?|todo|references)\s*:\s*$",
    re.IGNORECASE,
)
_GOOGLE_PARAM = re.compile(r"^\*{0,2}(?P<name>\w+)\s*(?:\((?P<type>[^)]*)\))?\s*:\s*(?P<desc>.*)$")
_NUMPY_PARAM = re.compile(r"^\*{0,2}(?P<name>\w+)\s*(?::\s*(?P<type>.*))?$")
_NUMPY_UNDERLINE = re.compile(r"^\s*-{3,}\s*$")


def parse_docstring(doc: str | None) -> Docstring:
    """Split a docstring into its summary (first paragraph, one line) and the
    per-parameter descriptions of a Google- or NumPy-style parameter section."""
    if not doc:
        return Docstring("", {})
    lines = inspect.cleandoc(doc).splitlines()
    summary_lines: list[str] = []
    for line in lines:
        stripped = line.strip()
        if not stripped or stripped.lower() in _GOOGLE_HEADERS or _GOOGLE_SECTION.match(stripped):
            break
        if _NUMPY_UNDERLINE.match(stripped):
            summary_lines = summary_lines[:-1]  # that line was a NumPy section header
            break
        summary_lines.append(stripped)
    summary = " ".join(summary_lines)
    params = _parse_google(lines) or _parse_numpy(lines)
    return Docstring(summary, params)


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


def _parse_google(lines: list[str]) -> dict[str, str]:
    params: dict[str, str] = {}
    start = next((i for i, ln in enumerate(lines) if ln.strip().lower() in _GOOGLE_HEADERS), None)
    if start is None:
        return params
    header_indent = _indent(lines[start])
    entry_indent: int | None = None
    current: str | None = None
    for line in lines[start + 1 :]:
        if not line.strip():
            continue
        indent = _indent(line)
        if indent <= header_indent or _GOOGLE_SECTION.match(line.strip()):
            break  # the section ended
        if entry_indent is None:
            entry_indent = indent
        match = _GOOGLE_PARAM.match(line.strip())
        if indent == entry_indent and match:
            current = match["name"]
            params[current] = match["desc"].strip()
        elif current is not None:  # a continuation line
            params[current] = f"{params[current]} {line.strip()}".strip()
    return params


def _parse_numpy(lines: list[str]) -> dict[str, str]:
    params: dict[str, str] = {}
    start = None
    for i in range(len(lines) - 1):
        if lines[i].strip().lower() in {"parameters", "other parameters", "arguments"} and _NUMPY_UNDERLINE.match(
            lines[i + 1]
        ):
            start = i + 2
            break
    if start is None:
        return params
    base_indent: int | None = None
    current: list[str] = []
    for j in range(start, len(lines)):
        line = lines[j]
        if not line.strip():
            continue
        if _NUMPY_UNDERLINE.match(line) or (j + 1 < len(lines) and _NUMPY_UNDERLINE.match(lines[j + 1])):
            break  # the next section's header
        indent = _indent(line)
        if base_indent is None:
            base_indent = indent
        if indent <= base_indent:
            if not _NUMPY_PARAM.match(line.strip()) and "," not in line.split(":", 1)[0]:
                break
            # "a, b : int" documents two parameters at once.
            current = [n.strip().lstrip("*") for n in line.split(":", 1)[0].split(",")]
            for name in current:
                params[name] = ""
        else:
            for name in current:
                params[name] = f"{params[name]} {line.strip()}".strip()
    return params


# --- type hints -> schema ------------------------------------------------------------

_NONE_TYPE = type(None)
_SCALARS: dict[Any, str] = {str: "string", int: "integer", float: "number", bool: "boolean"}


def _json_type_of(values: list[Any]) -> str | None:
    """The one JSON type shared by all enum values, or None when they are mixed."""
    kinds = set()
    for value in values:
        if isinstance(value, bool):
            kinds.add("boolean")
        elif isinstance(value, int):
            kinds.add("integer")
        elif isinstance(value, float):
            kinds.add("number")
        elif isinstance(value, str):
            kinds.add("string")
        elif value is None:
            kinds.add("null")
        else:
            kinds.add("?")
    if kinds == {"integer", "number"}:
        return "number"
    return kinds.pop() if len(kinds) == 1 and "?" not in kinds else None


def _enum_schema(values: list[Any], where: str) -> dict[str, Any]:
    for value in values:
        if not isinstance(value, (str, int, float, bool)) and value is not None:
            raise ToolDefinitionError(f"{where}: enum value {value!r} is not a JSON value")
    schema: dict[str, Any] = {}
    json_type = _json_type_of(values)
    if json_type is not None:
        schema["type"] = json_type
    schema["enum"] = list(values)
    return schema


def _is_union(origin: Any) -> bool:
    return origin is typing.Union or origin is types.UnionType


def type_schema(hint: Any, where: str = "parameter") -> dict[str, Any]:
    """The JSON schema for one type hint; `where` names the spot in error messages."""
    if hint is Any or hint is inspect.Parameter.empty:
        return {}
    if hint is _NONE_TYPE or hint is None:
        return {"type": "null"}
    if hint in _SCALARS:
        return {"type": _SCALARS[hint]}
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        return _enum_schema([member.value for member in hint], where)
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin is typing.Annotated:
        schema = type_schema(args[0], where)
        notes = [a for a in args[1:] if isinstance(a, str)]
        if notes:
            schema["description"] = " ".join(notes)
        return schema
    if origin is typing.Literal:
        return _enum_schema(list(args), where)
    if _is_union(origin):
        members = [a for a in args if a is not _NONE_TYPE]
        nullable = len(members) < len(args)
        if len(members) == 1:
            inner = type_schema(members[0], where)
        else:
            inner = {"anyOf": [type_schema(m, where) for m in members]}
        return {"anyOf": [inner, {"type": "null"}]} if nullable else inner
    if hint is list or origin in (list, typing.List):  # noqa: UP006
        schema = {"type": "array"}
        if args:
            schema["items"] = type_schema(args[0], f"{where} items")
        return schema
    if hint is dict or origin in (dict, typing.Dict):  # noqa: UP006
        schema = {"type": "object"}
        if args:
            if args[0] is not str:
                raise ToolDefinitionError(f"{where}: JSON object keys are strings, not {args[0]!r}")
            schema["additionalProperties"] = type_schema(args[1], f"{where} values")
        return schema
    raise ToolDefinitionError(
        f"{where}: unsupported type hint {getattr(hint, '__name__', hint)!r} "
        "(use str, int, float, bool, list[T], dict[str, T], Literal, an Enum or Optional)"
    )


def _strip_optional(hint: Any) -> Any:
    """`Optional[T]` -> `T` (keeping `Annotated` around it); anything else unchanged."""
    if typing.get_origin(hint) is typing.Annotated:
        args = typing.get_args(hint)
        inner = _strip_optional(args[0])
        return hint if inner is args[0] else typing.Annotated[(inner, *args[1:])]
    origin = typing.get_origin(hint)
    if _is_union(origin):
        members = [a for a in typing.get_args(hint) if a is not _NONE_TYPE]
        if len(members) == 1:
            return members[0]
        if len(members) < len(typing.get_args(hint)):
            return typing.Union[tuple(members)]  # noqa: UP007
    return hint


def _json_default(value: Any) -> tuple[bool, Any]:
    """(True, value as JSON) when a default can be shown to the model."""
    if isinstance(value, enum.Enum):
        value = value.value
    try:
        json.dumps(value)
    except (TypeError, ValueError):
        return False, None
    return True, value


def _hints(func: Callable[..., Any], label: str = "") -> dict[str, Any]:
    target = func
    if not (inspect.isfunction(func) or inspect.ismethod(func)) and callable(func):
        target = getattr(func, "__call__", func)  # noqa: B004  a callable object: its __call__
    try:
        return typing.get_type_hints(target, include_extras=True)
    except Exception as exc:  # a forward reference that does not resolve, say
        where = f"tool {label!r}: " if label else ""
        raise ToolDefinitionError(f"{where}cannot read the type hints: {type(exc).__name__}: {exc}") from exc


def function_schema(func: Callable[..., Any], *, name: str | None = None) -> FunctionSchema:
    """The tool description and parameters schema for `func`.

    Raises ToolDefinitionError for *args / **kwargs, positional-only parameters and
    type hints with no JSON schema equivalent.
    """
    label = name or str(getattr(func, "__name__", repr(func)))
    try:
        signature = inspect.signature(func)
    except (TypeError, ValueError) as exc:
        raise ToolDefinitionError(f"tool {label!r}: cannot read its signature: {exc}") from exc
    hints = _hints(func, label)
    doc = parse_docstring(inspect.getdoc(func))
    properties: dict[str, Any] = {}
    required: list[str] = []
    for param in signature.parameters.values():
        where = f"tool {label!r}, parameter {param.name!r}"
        if param.kind in (param.VAR_POSITIONAL, param.VAR_KEYWORD):
            star = "*" if param.kind is param.VAR_POSITIONAL else "**"
            raise ToolDefinitionError(
                f"{where}: {star}{param.name} is not supported; a tool takes named parameters only"
            )
        if param.kind is param.POSITIONAL_ONLY:
            raise ToolDefinitionError(f"{where}: positional-only parameters are not supported")
        hint = hints.get(param.name, inspect.Parameter.empty)
        has_default = param.default is not inspect.Parameter.empty
        if has_default and param.default is None:
            hint = _strip_optional(hint)
        prop = type_schema(hint, where)
        text = doc.params.get(param.name)
        if text and "description" not in prop:
            prop["description"] = text
        if has_default:
            shown, value = _json_default(param.default)
            if shown and param.default is not None:
                prop["default"] = value
        else:
            required.append(param.name)
        properties[param.name] = prop
    parameters: dict[str, Any] = {
        "type": "object",
        "properties": properties,
        "required": required,
        "additionalProperties": False,
    }
    return FunctionSchema(doc.summary, parameters)


# --- JSON arguments -> Python values -------------------------------------------------


def _coerce(value: Any, hint: Any) -> Any:
    """Turn JSON values into the Python types the hint asks for (Enum members, floats)."""
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin is typing.Annotated:
        return _coerce(value, args[0])
    if value is None:
        return None
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        return hint(value) if not isinstance(value, hint) else value
    if hint is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if hint is int and isinstance(value, float) and value.is_integer():
        return int(value)  # JSON Schema counts 3.0 as an integer
    if _is_union(origin):
        members = [a for a in args if a is not _NONE_TYPE]
        if len(members) == 1:
            return _coerce(value, members[0])
        return value
    if origin is list and args and isinstance(value, list):
        return [_coerce(item, args[0]) for item in value]
    if origin is dict and len(args) == 2 and isinstance(value, dict):
        return {k: _coerce(v, args[1]) for k, v in value.items()}
    return value


def coerce_arguments(func: Callable[..., Any], arguments: dict[str, Any]) -> dict[str, Any]:
    """Arguments that passed the schema, converted for the call (str -> Enum, int -> float).
    Raises ValueError when a value does not fit (the schema check normally catches it)."""
    try:
        hints = _hints(func)
    except ToolDefinitionError:
        return dict(arguments)
    return {key: _coerce(value, hints[key]) if key in hints else value for key, value in arguments.items()}
