"""What the user approves: a tool call's arguments as they will run, in plain sight.

The raw argument text is not what runs. `{"command": "ls"\\n, "command": "touch /tmp/x"\\r   }`
is valid JSON whose last duplicate key wins, so showing the text shows `ls` (the CR lets
the rest overwrite it) and runs `touch`. The preview is therefore built from the parsed
arguments, parsed by the same `ToolCall.parsed_arguments` the runner calls, and
re-serialised:

- duplicates resolved as they will be executed (the value the runner gets);
- every character that is invisible or not what it looks like escaped as JSON does
  (`\\n`, `\\u001b`, `\\u200b`, `\\u202e`, `\\u00a0`...), so the text stays valid JSON that
  means the same thing, and no control byte reaches the terminal;
- long string values cut with "… (N more characters)", and the whole preview too.

Arguments that are not valid JSON (the tool will get an error if run) are shown raw,
with the same escapes, on one line.

Stdlib and `api/types.py` only, as the rest of `tools/`.
"""

from __future__ import annotations

import json
import unicodedata
from dataclasses import dataclass
from typing import Any

from ..api.types import ToolCall

__all__ = ["ArgumentsPreview", "arguments_preview", "escape_disguises"]

MAX_VALUE_CHARS = 300
"""A string value longer than this is cut (the rest counted)."""
MAX_PREVIEW_CHARS = 2000
"""The whole preview is cut here (the rest counted)."""

_SHORT_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b", "\f": "\\f"}


@dataclass(frozen=True, slots=True)
class ArgumentsPreview:
    text: str
    valid_json: bool
    """False: the raw text, shown because it does not parse (the call would fail)."""


def _disguises(char: str) -> bool:
    """Controls, format characters (zero-width, bidi, tags), line/paragraph separators,
    unassigned and private code points, and spaces other than the plain one."""
    if " " <= char <= "~":
        return False
    category = unicodedata.category(char)
    return category[0] == "C" or category in ("Zl", "Zp") or (category == "Zs" and char != " ")


def _escape(char: str) -> str:
    short = _SHORT_ESCAPES.get(char)
    if short is not None:
        return short
    code = ord(char)
    if code > 0xFFFF:  # as JSON writes it: a surrogate pair
        code -= 0x10000
        return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"
    return f"\\u{code:04x}"


def escape_disguises(text: str, *, keep_newlines: bool = False) -> str:
    """`text` with each character that `_disguises` escaped as JSON would escape it
    (`keep_newlines`: not LF, for pretty JSON whose strings have theirs escaped already)."""
    if text.isascii() and text.isprintable():
        return text
    return "".join(
        _escape(char) if _disguises(char) and not (keep_newlines and char == "\n") else char for char in text
    )


def _cut_strings(value: Any) -> Any:
    if isinstance(value, str):
        if len(value) > MAX_VALUE_CHARS:
            return f"{value[:MAX_VALUE_CHARS]}… ({len(value) - MAX_VALUE_CHARS:,} more characters)"
        return value
    if isinstance(value, dict):
        return {key: _cut_strings(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_cut_strings(item) for item in value]
    return value


def _cut(text: str, *, keep_newlines: bool = False) -> str:
    shown = escape_disguises(text[:MAX_PREVIEW_CHARS], keep_newlines=keep_newlines)
    if len(text) <= MAX_PREVIEW_CHARS:
        return shown
    return f"{shown}… ({len(text) - MAX_PREVIEW_CHARS:,} more characters)"


def arguments_preview(call: ToolCall, *, indent: int | None = None) -> ArgumentsPreview:
    """The call's arguments as the tool will get them: one line (`indent=None`, for the
    y/N question) or pretty (`indent=2`, for the approval dialog)."""
    try:
        arguments = call.parsed_arguments()  # the runner's parse: what shows is what runs
    except ValueError:
        return ArgumentsPreview(_cut(call.arguments), valid_json=False)
    separators = (", ", ": ") if indent is None else (",", ": ")
    text = json.dumps(_cut_strings(arguments), ensure_ascii=False, indent=indent, separators=separators)
    # JSON escaped every control character inside the strings: a LF left is layout.
    return ArgumentsPreview(_cut(text, keep_newlines=indent is not None), valid_json=True)
