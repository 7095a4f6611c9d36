"""Tool-call fragments of a chat completion stream put back together.

`ToolCallAssembler.feed(fragments)` takes one delta's `tool_calls` list and returns a
`ToolCallDelta` per fragment; `build()` gives the finished `ToolCall`s. What real servers
send and how it is read:

- fragments keyed by `index`, interleaved across calls or several in one delta;
- continuation fragments carry id/name "" or null;
- some providers omit `index`: matched by id, else by the current call / position;
- some repeat the full name in every fragment (not doubled);
- some reuse index 0 for every call with a new id (a new id is a new call);
- arguments sent as a JSON object instead of a string are encoded back to a string;
- fields beside `function` (Gemini's `extra_content.google.thought_signature`) are kept
  in `ToolCall.extra` so they go back to the server unchanged.
"""

from __future__ import annotations

import json
from typing import Any

from chatterm.api.types import ToolCall, ToolCallDelta


class _CallBuilder:
    """One call being assembled; `position` is its index in the reply's calls."""

    __slots__ = ("arguments", "extra", "id", "name", "position")

    def __init__(self, position: int) -> None:
        self.position = position
        self.id = ""
        self.name = ""
        self.arguments: list[str] = []
        self.extra: dict[str, Any] = {}

    def build(self) -> ToolCall:
        return ToolCall(
            self.id or f"call_{self.position}",
            self.name,
            "".join(self.arguments),
            dict(self.extra),
        )


_CALL_KEYS = frozenset(("index", "id", "type", "function"))


def _merge_extra(target: dict[str, Any], extra: dict[str, Any]) -> None:
    """Deep-merge the fields beside `function`; a later null does not erase a value."""
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(target.get(key), dict):
            _merge_extra(target[key], value)
        elif value is not None or key not in target:
            target[key] = value


class ToolCallAssembler:
    """Puts tool-call fragments back together, whatever the provider's habits."""

    def __init__(self) -> None:
        self.calls: list[_CallBuilder] = []
        self._by_index: dict[int, _CallBuilder] = {}
        self._by_id: dict[str, _CallBuilder] = {}
        self._by_position: dict[int, _CallBuilder] = {}
        self._current: _CallBuilder | None = None

    def _new(self) -> _CallBuilder:
        builder = _CallBuilder(len(self.calls))
        self.calls.append(builder)
        return builder

    def _find(self, fragment: dict[str, Any], position: int) -> _CallBuilder:
        call_id = fragment.get("id") or ""
        if not isinstance(call_id, str):
            call_id = str(call_id)
        index = fragment.get("index")
        if isinstance(index, int) and not isinstance(index, bool):
            builder = self._by_index.get(index)
            if builder is None or (call_id and builder.id and call_id != builder.id):
                # A new index, or the same index reused with a new id: a new call.
                builder = (self._by_id.get(call_id) if call_id else None) or self._new()
                self._by_index[index] = builder
            return builder
        # No index: match by id; a fragment without id continues the call last seen at
        # its position in the delta (or the current call).
        if call_id:
            builder = self._by_id.get(call_id) or self._new()
        else:
            builder = self._by_position.get(position) or self._current or self._new()
        self._by_position[position] = builder
        return builder

    def feed(self, fragments: list[Any]) -> list[ToolCallDelta]:
        """One delta's `tool_calls` -> a `ToolCallDelta` per fragment (non-dicts skipped)."""
        deltas: list[ToolCallDelta] = []
        for position, fragment in enumerate(fragments):
            if not isinstance(fragment, dict):
                continue
            builder = self._find(fragment, position)
            self._current = builder
            call_id = fragment.get("id")
            if call_id and not builder.id:
                builder.id = str(call_id)
                self._by_id[builder.id] = builder
            function = fragment.get("function") or {}
            name = function.get("name") if isinstance(function, dict) else None
            if name and isinstance(name, str):
                if not builder.name:
                    builder.name = name
                elif name != builder.name:
                    builder.name += name
            arguments = function.get("arguments") if isinstance(function, dict) else None
            if arguments is not None and not isinstance(arguments, str):
                arguments = json.dumps(arguments, ensure_ascii=False)
            if arguments:
                builder.arguments.append(arguments)
            if not _CALL_KEYS.issuperset(fragment):
                extra = {k: v for k, v in fragment.items() if k not in _CALL_KEYS}
                if extra:
                    _merge_extra(builder.extra, extra)
            deltas.append(ToolCallDelta(builder.position, builder.id or None, builder.name or None, arguments or ""))
        return deltas

    def build(self) -> list[ToolCall]:
        """The calls so far, in the order they started (ids default to `call_<n>`)."""
        return [b.build() for b in self.calls]
