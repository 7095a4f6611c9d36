"""The chat stream's per-token fast path: a plain token chunk read without `json.loads`.

Nearly every chunk of a long reply is the previous one with another token in it. A
`ChunkTemplate` is made from a chunk that was parsed in full; a later chunk that is its
prefix, one valid JSON string and its suffix is that chunk with a new token, so only the
string is decoded (C `scanstring`). `text_delta(text)` builds the event at half the cost
of `TextDelta(text)`. `ChatStreamParser.feed_sse` inlines `match` in its loop.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from json.decoder import scanstring  # type: ignore[attr-defined]
from typing import Any

from chatterm.api.types import TextDelta

_DELTA_KEY = re.compile(r'"(content|reasoning_content|reasoning)"\s*:\s*"')
_PLAIN_TOP_KEYS = frozenset(
    ("id", "object", "created", "model", "system_fingerprint", "choices", "service_tier", "provider", "usage")
)
_PLAIN_CHOICE_KEYS = frozenset(
    ("index", "delta", "finish_reason", "logprobs", "content_filter_results", "stop_reason", "native_finish_reason")
)
"""Keys a token chunk's choice may carry (Azure's per-chunk filter verdicts, vLLM's
`stop_reason`, OpenRouter's `native_finish_reason`): none of them makes an event, and the
template holds their exact text, so a chunk whose verdict differs takes the full path."""
_TEXT_KEYS = ("content", "reasoning_content", "reasoning")
_SENTINEL = "\x01"


new_object = object.__new__
set_text: Callable[[TextDelta, str], None] = TextDelta.__dict__["text"].__set__
"""The slot descriptor's setter (`TextDelta.text` on the class is that descriptor)."""


def text_delta(text: str) -> TextDelta:
    """`TextDelta(text)` at half the cost: a frozen dataclass's __init__ goes through
    `object.__setattr__`; this sets the slot directly (same object, same equality)."""
    event = new_object(TextDelta)
    set_text(event, text)
    return event


class ChunkTemplate:
    """The text of a plain token chunk with its one string value cut out.

    Nearly every chunk of a long reply is the previous one with another token in it:
    `{"id":"x",...,"delta":{"content":"<TOKEN>"},"finish_reason":null}]}`. When a chunk's
    text is this template's prefix, one valid JSON string, and this template's suffix,
    it *is* that chunk with a new value, so only the string is decoded (C `scanstring`)
    instead of the whole object. The template is made from a chunk that was parsed in
    full and proved by re-parsing the template with a sentinel value; anything that
    differs by one character outside the string goes the normal way.
    """

    __slots__ = ("prefix", "reasoning", "start", "suffix", "tail")

    def __init__(self, prefix: str, suffix: str, reasoning: bool) -> None:
        self.prefix = prefix
        self.suffix = suffix
        self.start = len(prefix)
        self.tail = len(suffix)
        self.reasoning = reasoning

    def match(self, text: str) -> str | None:
        """The chunk's token when `text` fits this template, else None."""
        if not (text.startswith(self.prefix) and text.endswith(self.suffix)):
            return None
        try:
            value, end = scanstring(text, self.start, True)
        except ValueError:
            return None
        return value if end == len(text) - len(self.suffix) else None

    @classmethod
    def derive(cls, text: str, chunk: Any) -> ChunkTemplate | None:
        """A template from a parsed chunk that carries one text or reasoning token and
        nothing else; None for any other chunk. Beside the token the delta may repeat
        `role` and carry the other text fields empty or null (DeepSeek, Qwen, GLM and
        Ollama send `{"content": null, "reasoning_content": "..."}` or `"content": ""`)."""
        if not isinstance(chunk, dict) or not _PLAIN_TOP_KEYS.issuperset(chunk) or chunk.get("usage") is not None:
            return None
        choices = chunk.get("choices")
        if not isinstance(choices, list) or len(choices) != 1:
            return None
        choice = choices[0]
        if not isinstance(choice, dict) or not _PLAIN_CHOICE_KEYS.issuperset(choice):
            return None
        if choice.get("finish_reason") is not None or choice.get("logprobs") is not None:
            return None
        delta = choice.get("delta")
        if not isinstance(delta, dict):
            return None
        key = ""
        for name, item in delta.items():
            if name in _TEXT_KEYS and isinstance(item, str) and item:
                if key:
                    return None  # two texts in one chunk: not a plain token
                key = name
            elif not (
                item is None or (item == "" and name in _TEXT_KEYS) or (name == "role" and isinstance(item, str))
            ):
                return None
        if not key:
            return None
        value = delta[key]
        for found in reversed(list(_DELTA_KEY.finditer(text))):
            if found.group(1) != key:
                continue
            start = found.end()
            try:
                got, end = scanstring(text, start, True)
            except ValueError:
                continue
            if got != value:
                continue
            prefix, suffix = text[:start], text[end:]
            delta[key] = _SENTINEL
            try:
                proven = json.loads(prefix + '\\u0001"' + suffix) == chunk
            except ValueError:
                proven = False
            finally:
                delta[key] = value
            if proven:
                return cls(prefix, suffix, key != "content")
        return None
