"""The one JSON Schema subset checker: tool arguments (`tools/validate.py`) and
structured replies (`api/structured.py`) are checked by the same rules.

    schema_errors(value, schema) -> iterator of SchemaError(path, keyword, expected, value)

The subset: type, enum, const, anyOf, oneOf, allOf, $ref into the same document,
properties, required, additionalProperties, items, prefixItems, minimum/maximum and the
exclusive forms, multipleOf, minLength/maxLength, pattern, minItems/maxItems,
uniqueItems, minProperties/maxProperties. Other keywords (format, descriptions) are
ignored. Errors come depth-first in the value's document order, so "the first error"
is well defined; a node that has the wrong type, value or shape says only that.

Why one checker with two wordings: a model fixing its call and a person reading a
verdict need different sentences, but with two checkers the same value could fit a
schema for one and not the other. So this module says what is wrong (the keyword and
the schema's value for it) and each caller says it to its reader.

Why our own rather than `jsonschema`: that is only a dev dependency, and chatterm's
verdicts must not depend on what happens to be installed. Stdlib and `api/types.py`
only, so that `tools/` may import it.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from chatterm.api.types import is_json_type, json_equal, json_type

__all__ = ["SchemaDefinitionError", "SchemaError", "schema_errors"]

_MAX_DEPTH = 400
_BRANCH_ERRORS = 10
"""Errors kept per anyOf/oneOf branch when none fits (enough to pick the closest)."""


class SchemaDefinitionError(ValueError):
    """The schema itself is unusable (a $ref that points nowhere or loops, a bad pattern)."""


@dataclass(frozen=True, slots=True)
class SchemaError:
    path: tuple[str | int, ...]
    """Where in the value: `("items", 0, "name")`; for `required`, the missing name."""
    keyword: str
    """The keyword the value misses: `type`, `enum`, `required`, `anyOf`, `maxLength`, ..."""
    expected: Any
    """The schema's value for that keyword (for `uniqueItems`, the index repeated)."""
    value: Any
    """The value found (for `oneOf` with several fits, how many fit)."""
    closest: tuple[SchemaError, ...] = field(default=())
    """For `anyOf`/`oneOf` that nothing fits: the errors of the likeliest branch."""


def schema_errors(value: Any, schema: Any) -> Iterator[SchemaError]:
    """Every way `value` misses `schema`, first error first (lazily: take what you need)."""
    return _Walker(schema).errors(value, schema, (), 0)


class _Walker:
    def __init__(self, root: Any) -> None:
        self.root = root
        self._following: set[tuple[int, tuple[str | int, ...]]] = set()
        """$refs being followed at a value path: meeting one again is a loop."""

    def resolve(self, ref: str) -> Any:
        if ref == "#":
            return self.root
        if not ref.startswith("#/"):
            raise SchemaDefinitionError(f"only local $ref is supported (got {ref})")
        node: Any = self.root
        for token in ref[2:].split("/"):
            token = token.replace("~1", "/").replace("~0", "~")
            if not isinstance(node, dict) or token not in node:
                raise SchemaDefinitionError(f"$ref {ref} points nowhere")
            node = node[token]
        return node

    def errors(self, value: Any, schema: Any, path: tuple[str | int, ...], depth: int) -> Iterator[SchemaError]:
        if schema is False:
            yield SchemaError(path, "false", False, value)
            return
        if not isinstance(schema, dict) or not schema:
            return
        if depth > _MAX_DEPTH:
            raise SchemaDefinitionError("the value is nested too deeply to check")
        if "$ref" in schema:
            yield from self._ref(value, schema["$ref"], path, depth)
        stop = self._type(value, schema, path) or self._enum_const(value, schema, path)
        if stop:
            yield stop
            return
        wrong_shape = False
        for error in self._combinators(value, schema, path, depth):
            wrong_shape = True
            yield error
        if wrong_shape:
            return
        yield from self._bounds(value, schema, path)
        if isinstance(value, list):
            yield from self._array(value, schema, path, depth)
        elif isinstance(value, dict):
            yield from self._object(value, schema, path, depth)

    def _ref(self, value: Any, ref: Any, path: tuple[str | int, ...], depth: int) -> Iterator[SchemaError]:
        target = self.resolve(str(ref))
        key = (id(target), path)
        if key in self._following:
            raise SchemaDefinitionError(f"$ref {ref} loops without end")
        self._following.add(key)
        try:
            yield from self.errors(value, target, path, depth + 1)
        finally:
            self._following.discard(key)

    def _type(self, value: Any, schema: dict[str, Any], path: tuple[str | int, ...]) -> SchemaError | None:
        expected = schema.get("type")
        if expected is None:
            return None
        options = expected if isinstance(expected, list) else [expected]
        if any(is_json_type(value, t) for t in options):
            return None
        return SchemaError(path, "type", expected, value)

    def _enum_const(self, value: Any, schema: dict[str, Any], path: tuple[str | int, ...]) -> SchemaError | None:
        if "const" in schema and not json_equal(value, schema["const"]):
            return SchemaError(path, "const", schema["const"], value)
        if "enum" in schema and not any(json_equal(value, v) for v in schema["enum"]):
            return SchemaError(path, "enum", schema["enum"], value)
        return None

    def _combinators(
        self, value: Any, schema: dict[str, Any], path: tuple[str | int, ...], depth: int
    ) -> Iterator[SchemaError]:
        for sub in schema.get("allOf") or []:
            first = next(self.errors(value, sub, path, depth + 1), None)
            if first is not None:
                yield first
                return
        for keyword in ("anyOf", "oneOf"):
            branches = schema.get(keyword)
            if not isinstance(branches, list) or not branches:
                continue
            tries: list[tuple[SchemaError, ...]] = []
            passing = 0
            for sub in branches:
                found = tuple(_take(self.errors(value, sub, path, depth + 1), _BRANCH_ERRORS))
                if not found:
                    passing += 1
                    if keyword == "anyOf":
                        break  # one fitting shape is enough (and stops recursive schemas)
                else:
                    tries.append(found)
            if passing == 0:
                # The branch that got deepest into the value, then the one with the
                # fewest complaints, is the likeliest intent.
                closest = min(tries, key=lambda errors: (-len(errors[0].path), len(errors)))
                yield SchemaError(path, keyword, len(branches), value, closest)
                return
            if keyword == "oneOf" and passing > 1:
                yield SchemaError(path, "oneOf", len(branches), passing)
                return

    def _bounds(self, value: Any, schema: dict[str, Any], path: tuple[str | int, ...]) -> Iterator[SchemaError]:
        if json_type(value) in ("integer", "number"):
            for keyword, outside in (
                ("minimum", value < schema.get("minimum", value)),
                ("maximum", value > schema.get("maximum", value)),
                ("exclusiveMinimum", "exclusiveMinimum" in schema and value <= schema["exclusiveMinimum"]),
                ("exclusiveMaximum", "exclusiveMaximum" in schema and value >= schema["exclusiveMaximum"]),
            ):
                if outside:
                    yield SchemaError(path, keyword, schema[keyword], value)
            step = schema.get("multipleOf")
            if step:
                quotient = value / step
                if not math.isclose(quotient, round(quotient), rel_tol=0, abs_tol=1e-9):
                    yield SchemaError(path, "multipleOf", step, value)
        sized = {
            str: ("minLength", "maxLength"),
            list: ("minItems", "maxItems"),
            dict: ("minProperties", "maxProperties"),
        }
        for kind, (low, high) in sized.items():
            if isinstance(value, kind):
                if low in schema and len(value) < schema[low]:
                    yield SchemaError(path, low, schema[low], value)
                if high in schema and len(value) > schema[high]:
                    yield SchemaError(path, high, schema[high], value)
        pattern = schema.get("pattern")
        if isinstance(value, str) and pattern is not None:
            try:
                found = re.search(pattern, value)
            except re.error as exc:
                raise SchemaDefinitionError(f"bad pattern {pattern!r} ({exc})") from None
            if not found:
                yield SchemaError(path, "pattern", pattern, value)

    def _array(
        self, value: list[Any], schema: dict[str, Any], path: tuple[str | int, ...], depth: int
    ) -> Iterator[SchemaError]:
        prefix = schema.get("prefixItems") or []
        for index, item in enumerate(value):
            sub = prefix[index] if index < len(prefix) else schema.get("items")
            if sub is not None:
                yield from self.errors(item, sub, (*path, index), depth + 1)
        if schema.get("uniqueItems"):
            for i, a in enumerate(value):
                for j in range(i):
                    if json_equal(a, value[j]):
                        yield SchemaError((*path, i), "uniqueItems", j, a)
                        break

    def _object(
        self, value: dict[str, Any], schema: dict[str, Any], path: tuple[str | int, ...], depth: int
    ) -> Iterator[SchemaError]:
        properties = schema.get("properties") or {}
        additional = schema.get("additionalProperties", True)
        for key, item in value.items():
            if key in properties:
                yield from self.errors(item, properties[key], (*path, key), depth + 1)
            elif additional is False:
                yield SchemaError((*path, key), "additionalProperties", list(properties), item)
            else:
                yield from self.errors(item, additional, (*path, key), depth + 1)
        for name in schema.get("required") or []:
            if name not in value:
                yield SchemaError((*path, name), "required", name, None)


def _take(errors: Iterator[SchemaError], limit: int) -> Iterator[SchemaError]:
    for count, error in enumerate(errors):
        if count >= limit:
            return
        yield error
