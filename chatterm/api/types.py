"""Typed wire data and stream events shared by every layer.

The API layer turns whatever a server sends (chat completion chunks, a whole chat
completion, Responses API events) into one vocabulary:

    TextDelta, ReasoningDelta, ToolCallDelta, UsageUpdate, CitationsUpdate, ImageDelta, Notice
        ... then exactly one Finished(Completion) when the reply is complete.

A non-streamed reply yields the same events (one delta each) so there is one
consumer path for the engine, `ask` and the TUI. Nothing here imports httpx.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Literal, TypeAlias

# Defined beside its parsers, in the layer under the API; re-exported as part of the vocabulary.
from chatterm.media.images_out import ImageOutput as ImageOutput

Endpoint: TypeAlias = Literal["chat", "responses", "auto"]


@dataclass(slots=True)
class ToolCall:
    """One function call the model asked for.

    `arguments` is the raw JSON text as the model wrote it (it may be invalid JSON;
    the tool loop reports that to the model). `extra` keeps provider fields on the
    call (Gemini's `extra_content.google.thought_signature`, say) so they are sent
    back unchanged in the follow-up request.
    """

    id: str
    name: str
    arguments: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def to_wire(self) -> dict[str, Any]:
        """The call as an assistant message carries it back. Arguments that are not a
        JSON object go back as `{}`: providers that turn them into a structured tool
        input (Anthropic's and Gemini's compatible endpoints) refuse the whole request
        otherwise, and the tool's result already told the model what was wrong."""
        wire: dict[str, Any] = {
            "id": self.id,
            "type": "function",
            "function": {"name": self.name, "arguments": self.arguments if _is_json_object(self.arguments) else "{}"},
        }
        wire.update(self.extra)
        return wire

    def parsed_arguments(self) -> Any:
        """The arguments as JSON; raises ValueError when the model wrote invalid JSON."""
        return json.loads(self.arguments) if self.arguments.strip() else {}

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "arguments": self.arguments, "extra": self.extra}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ToolCall:
        return cls(data["id"], data["name"], data.get("arguments", ""), dict(data.get("extra") or {}))


def _count_or_none(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


@dataclass(slots=True)
class Usage:
    """Token counts as the server reported them (None where it said nothing)."""

    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    total_tokens: int | None = None
    reasoning_tokens: int | None = None
    cached_tokens: int | None = None

    @property
    def answer_tokens(self) -> int | None:
        """Completion tokens that are answer, not reasoning (the gateway page's Grok rule)."""
        if self.completion_tokens is None:
            return None
        return max(0, self.completion_tokens - (self.reasoning_tokens or 0))

    def to_dict(self) -> dict[str, int | None]:
        return {
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": self.completion_tokens,
            "total_tokens": self.total_tokens,
            "reasoning_tokens": self.reasoning_tokens,
            "cached_tokens": self.cached_tokens,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> Usage | None:
        """Saved counts back (a history file or an import may hold anything: what is not
        a whole number is None, so no view formats a string as a count)."""
        if not data or not isinstance(data, dict):
            return None
        return cls(**{k: _count_or_none(data.get(k)) for k in cls.__slots__})


@dataclass(slots=True)
class Citation:
    """A source the reply cites (web search results, url_citation annotations)."""

    url: str
    title: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"url": self.url, "title": self.title}

    @classmethod
    def from_dict(cls, data: dict[str, Any] | str) -> Citation:
        if isinstance(data, str):
            return cls(data)
        return cls(data["url"], data.get("title"))


@dataclass(slots=True)
class Completion:
    """A finished reply: the same shape whether it was streamed or not."""

    model: str
    content: str = ""
    reasoning: str | None = None
    tool_calls: list[ToolCall] = field(default_factory=list)
    finish_reason: str | None = None
    usage: Usage | None = None
    citations: list[Citation] = field(default_factory=list)
    response_id: str | None = None
    images: list[ImageOutput] = field(default_factory=list)
    """Generated images, in the order they arrived (see `chatterm/media/images_out.py`)."""


@dataclass(slots=True)
class FileInput:
    """A file for the Responses API: a local path or a URL (see api/files.py)."""

    source: str


# --- stream events -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TextDelta:
    text: str


@dataclass(frozen=True, slots=True)
class ReasoningDelta:
    text: str


@dataclass(frozen=True, slots=True)
class ToolCallDelta:
    """Progress of one tool call while it streams (for display); the assembled
    calls arrive in `Completion.tool_calls`."""

    index: int
    id: str | None
    name: str | None
    arguments: str


@dataclass(frozen=True, slots=True)
class UsageUpdate:
    usage: Usage


@dataclass(frozen=True, slots=True)
class CitationsUpdate:
    citations: tuple[Citation, ...]


@dataclass(frozen=True, slots=True)
class ImageDelta:
    """A whole generated image arrived (images are never shown half-decoded)."""

    image: ImageOutput


@dataclass(frozen=True, slots=True)
class Notice:
    """Something the user should be told once (a dropped parameter, a retry without
    search). `kind` is a short machine-readable tag."""

    text: str
    kind: str = "info"


@dataclass(frozen=True, slots=True)
class Finished:
    completion: Completion


StreamEvent: TypeAlias = (
    TextDelta | ReasoningDelta | ToolCallDelta | UsageUpdate | CitationsUpdate | ImageDelta | Notice | Finished
)


# --- JSON values by JSON Schema's rules -----------------------------------------------
# Shared by the structured-output validator (api/structured.py) and the tool-argument
# checker (tools/validate.py): tools may import only the stdlib and this module.


def json_type(value: Any) -> str:
    """The JSON Schema type of a parsed JSON value ("integer" for 3, "number" for 3.5);
    a value JSON cannot hold is named by its Python type."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__


def is_json_type(value: Any, expected: str) -> bool:
    """`value` fits the JSON Schema `type` keyword `expected` (3.0 counts as an integer)."""
    actual = json_type(value)
    if expected == "number":
        return actual in ("integer", "number")
    if expected == "integer" and actual == "number":
        return float(value).is_integer()
    return actual == expected


def json_equal(a: Any, b: Any) -> bool:
    """JSON equality for `enum` / `const`: 1 == 1.0, but true != 1, at any depth."""
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return a == b
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(json_equal(x, y) for x, y in zip(a, b, strict=False))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(json_equal(a[k], b[k]) for k in a)
    return type(a) is type(b) and a == b


def _is_json_object(text: str) -> bool:
    if not text.lstrip().startswith("{"):
        return False
    try:
        return isinstance(json.loads(text), dict)
    except ValueError:
        return False
