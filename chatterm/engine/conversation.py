"""`Conversation` and `Message`: a chat as the gateway sees it, plus what chatterm keeps.

A conversation is a tree of messages (each has `parent_id`) so regenerating a reply or
editing a prompt branches instead of overwriting; `Conversation.messages` is the
current branch, root first. `wire_messages()` is exactly what the next request sends:
the system prompt, then every message of the branch in the gateway's format, skipping
failed turns (they are shown, not sent).
"""

from __future__ import annotations

import math
import time
import uuid
from dataclasses import dataclass, field
from typing import Any, Literal, TypeAlias

from chatterm.api.types import Citation, ToolCall, Usage
from chatterm.media.blobs import ImageRef

Role: TypeAlias = Literal["system", "user", "assistant", "tool"]
MessageState: TypeAlias = Literal["ok", "streaming", "stopped", "failed"]
ToolOutcome: TypeAlias = Literal["running", "done", "failed", "denied", "interrupted", "not run"]
TOOL_OUTCOMES: tuple[ToolOutcome, ...] = ("failed", "denied", "interrupted", "not run")
"""What the tool loop stores in a `tool` message's `error` when the call did not succeed."""


def new_id() -> str:
    return uuid.uuid4().hex


@dataclass(slots=True)
class Timings:
    """Per-reply timings in seconds (monotonic deltas).

    `streamed` is False when the reply came as one body: its tokens all "arrive" at once,
    so a speed must be measured over the whole request, not from the first token."""

    time_to_first_token: float | None = None
    duration: float | None = None
    streamed: bool = True

    def to_dict(self) -> dict[str, float | bool | None]:
        data: dict[str, float | bool | None] = {
            "time_to_first_token": self.time_to_first_token,
            "duration": self.duration,
        }
        if not self.streamed:
            data["streamed"] = False
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> Timings | None:
        if not data:
            return None
        return cls(data.get("time_to_first_token"), data.get("duration"), data.get("streamed") is not False)


@dataclass(slots=True)
class Message:
    role: Role
    content: str | None = ""
    reasoning: str | None = None
    tool_calls: list[ToolCall] = field(default_factory=list)
    tool_call_id: str | None = None
    name: str | None = None
    """For `tool` messages: the tool's name (kept for display and export)."""
    model: str | None = None
    """For assistant messages: the model that wrote it (chats switch models)."""
    usage: Usage | None = None
    timings: Timings | None = None
    cost: float | None = None
    """What the reply cost at the config's price when it was written (`engine/reply_figures.py`)."""
    context_window: int | None = None
    """The model's context window when the reply was written (None: not known)."""
    finish_reason: str | None = None
    citations: list[Citation] = field(default_factory=list)
    state: MessageState = "ok"
    error: str | None = None
    """For failed/stopped replies: what the user was told."""
    attachments: list[str] = field(default_factory=list)
    """Names of files sent with a user message."""
    images: list[ImageRef] = field(default_factory=list)
    """Images the model generated: references into the blob store, never their bytes."""
    id: str = field(default_factory=new_id)
    parent_id: str | None = None
    created_at: float = field(default_factory=time.time)

    @property
    def text(self) -> str:
        return self.content or ""

    @property
    def tool_outcome(self) -> ToolOutcome:
        """How the call this `tool` message answers ended, as the tool loop stored it
        (`error`: failed, denied, interrupted, not run; none: done). A result saved as
        running is "running" while the loop holds it; loaded later, the run was cut
        short (`ChatSession` records it as interrupted before the next request)."""
        if self.state == "streaming":
            return "running"
        for outcome in TOOL_OUTCOMES:
            if self.error == outcome:
                return outcome
        return "done"

    def is_sent(self) -> bool:
        """Whether this message goes into the next request: failed turns and empty
        replies (a reply still streaming, or stopped before its first token) do not."""
        if self.state == "failed":
            return False
        if self.role == "assistant":
            return bool(self.content or self.tool_calls)
        return True

    def to_wire(self) -> dict[str, Any]:
        """This message in the chat completions wire format."""
        wire: dict[str, Any] = {"role": self.role}
        if self.role == "assistant" and self.tool_calls:
            wire["tool_calls"] = [call.to_wire() for call in self.tool_calls]
            # The spec allows content to be omitted (or null) when tool_calls are present.
            if self.content:
                wire["content"] = self.content
        else:
            wire["content"] = self.content or ""
        if self.role == "tool":
            wire["tool_call_id"] = self.tool_call_id or ""
        return wire

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "parent_id": self.parent_id,
            "role": self.role,
            "content": self.content,
            "reasoning": self.reasoning,
            "tool_calls": [c.to_dict() for c in self.tool_calls],
            "tool_call_id": self.tool_call_id,
            "name": self.name,
            "model": self.model,
            "usage": self.usage.to_dict() if self.usage else None,
            "timings": self.timings.to_dict() if self.timings else None,
            "cost": self.cost,
            "context_window": self.context_window,
            "finish_reason": self.finish_reason,
            "citations": [c.to_dict() for c in self.citations],
            "state": self.state,
            "error": self.error,
            "attachments": list(self.attachments),
            "images": [image.to_dict() for image in self.images],
            "created_at": self.created_at,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Message:
        return cls(
            role=data["role"],
            content=data.get("content"),
            reasoning=data.get("reasoning"),
            tool_calls=[ToolCall.from_dict(c) for c in data.get("tool_calls") or []],
            tool_call_id=data.get("tool_call_id"),
            name=data.get("name"),
            model=data.get("model"),
            usage=Usage.from_dict(data.get("usage")),
            timings=Timings.from_dict(data.get("timings")),
            cost=stored_cost(data.get("cost")),
            context_window=stored_window(data.get("context_window")),
            finish_reason=data.get("finish_reason"),
            citations=[Citation.from_dict(c) for c in data.get("citations") or []],
            state=data.get("state", "ok"),
            error=data.get("error"),
            attachments=list(data.get("attachments") or []),
            images=[ImageRef.from_dict(i) for i in data.get("images") or [] if isinstance(i, dict)],
            id=data.get("id") or new_id(),
            parent_id=data.get("parent_id"),
            created_at=data.get("created_at") or time.time(),
        )


@dataclass(slots=True)
class ChatSettings:
    """Per-chat settings: what the next request is built from."""

    model: str = "gpt-4o-mini"
    system_prompt: str | None = None
    temperature: float | None = None
    top_p: float | None = None
    max_tokens: int | None = None
    thinking: bool = False
    search: bool = False
    stream: bool = True
    response_format: dict[str, Any] | None = None
    """A structured-output format held by the chat (json_schema or json_object)."""
    disabled_tools: list[str] = field(default_factory=list)
    asr_language: str | None = None
    """Qwen speech recognition: the spoken language ("zh", "en", ...; None: detected)."""
    asr_itn: bool = False
    """Qwen speech recognition: inverse text normalisation ("twenty" -> "20")."""
    profile: str | None = None
    """The gateway profile the chat was held on (`[profiles.<name>]`): reopening it uses it."""
    search_refused_by: list[str] = field(default_factory=list)
    """Models that refused this chat's search request (Grok's 400/410): later turns to
    them go without search instead of repeating the refused request."""
    preset: str | None = None
    """The preset (`[presets.<name>]`) the chat started from or last took its settings from."""
    tool_words: str | None = None
    """The preset's `tools` words, while they rule the chat's tools: a tool that joins
    later (an MCP server still starting when the preset was applied) is offered only if
    they name it. None once the tools are switched by hand (`disabled_tools` then says)."""

    def asr_options(self) -> dict[str, Any] | None:
        """Qwen's `asr_options` from these settings (None when all are defaults)."""
        options: dict[str, Any] = {}
        if self.asr_language:
            options["language"] = self.asr_language
        if self.asr_itn:
            options["enable_itn"] = True
        return options or None

    def search_refused(self) -> bool:
        """The chat's model refused search here: search is on, but not sent."""
        return self.model in self.search_refused_by

    def to_dict(self) -> dict[str, Any]:
        return {
            "model": self.model,
            "system_prompt": self.system_prompt,
            "temperature": self.temperature,
            "top_p": self.top_p,
            "max_tokens": self.max_tokens,
            "thinking": self.thinking,
            "search": self.search,
            "stream": self.stream,
            "response_format": self.response_format,
            "disabled_tools": list(self.disabled_tools),
            "asr_language": self.asr_language,
            "asr_itn": self.asr_itn,
            "profile": self.profile,
            "search_refused_by": list(self.search_refused_by),
            "preset": self.preset,
            "tool_words": self.tool_words,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> ChatSettings:
        settings = cls()
        for key, value in (data or {}).items():
            if hasattr(settings, key):
                setattr(settings, key, value)
        return settings


@dataclass(slots=True)
class Conversation:
    id: str = field(default_factory=new_id)
    title: str | None = None
    """None until the first prompt; then its first line, until the user renames it."""
    title_is_custom: bool = False
    settings: ChatSettings = field(default_factory=ChatSettings)
    messages: list[Message] = field(default_factory=list)
    """The current branch, root first."""
    created_at: float = field(default_factory=time.time)
    updated_at: float = field(default_factory=time.time)

    def append(self, message: Message) -> Message:
        """Add a message at the end of the current branch."""
        message.parent_id = self.messages[-1].id if self.messages else None
        self.messages.append(message)
        self.updated_at = time.time()
        if self.title is None and message.role == "user" and message.content:
            self.title = default_title(message.content)
        return message

    def wire_messages(self) -> list[dict[str, Any]]:
        wire: list[dict[str, Any]] = []
        if self.settings.system_prompt:
            wire.append({"role": "system", "content": self.settings.system_prompt})
        wire.extend(m.to_wire() for m in self.messages if m.is_sent())
        return wire

    @property
    def models(self) -> list[str]:
        """Models that wrote replies in this branch, in order of first use."""
        seen: dict[str, None] = {}
        for m in self.messages:
            if m.role == "assistant" and m.model:
                seen.setdefault(m.model, None)
        return list(seen)


def stored_cost(value: Any) -> float | None:
    """A saved cost, if it is one (a history file or an import may hold anything)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value) if math.isfinite(value) and value >= 0 else None


def stored_window(value: Any) -> int | None:
    """A saved context window, if it is a whole positive number."""
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else None


def default_title(prompt: str, limit: int = 80) -> str:
    """The first non-empty line of the first prompt, trimmed."""
    for line in prompt.splitlines():
        line = line.strip()
        if line:
            return line if len(line) <= limit else line[: limit - 1].rstrip() + "…"
    return "New chat"
