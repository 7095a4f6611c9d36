"""Events the engine yields to its callers (the TUI and `ask`).

The API layer's stream events (TextDelta, ReasoningDelta, ToolCallDelta, UsageUpdate,
CitationsUpdate, Notice) pass through unchanged; the engine adds the turn structure
around them. Callers dispatch with `match`.

A send yields, in order:
    UserMessageAdded
    ReplyStarted -> deltas (ImageAdded for each generated image) ... -> ReplyFinished | ReplyFailed
    [ToolCallStatus ... per call, then another ReplyStarted ... for each tool round]
    [ToolLoopStopped when the round limit cut the loop]
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal, TypeAlias

from chatterm.api.errors import ChatTermError
from chatterm.api.types import (
    CitationsUpdate,
    Notice,
    ReasoningDelta,
    TextDelta,
    ToolCall,
    ToolCallDelta,
    UsageUpdate,
)
from chatterm.engine.conversation import Message
from chatterm.media.blobs import ImageRef

ToolStatus: TypeAlias = Literal["waiting", "running", "done", "failed", "denied"]


@dataclass(frozen=True, slots=True)
class UserMessageAdded:
    message: Message


@dataclass(frozen=True, slots=True)
class ReplyStarted:
    message: Message
    """The assistant message being written (state "streaming"); its `model` says who."""


@dataclass(frozen=True, slots=True)
class ReplyFinished:
    message: Message
    """state "ok" (or "stopped" when the user stopped it)."""


@dataclass(frozen=True, slots=True)
class ReplyFailed:
    message: Message
    """The failed reply (state "failed"), with any partial text in `content`."""
    error: ChatTermError
    prompt: str
    """The prompt to put back in the prompt box."""


@dataclass(frozen=True, slots=True)
class ToolCallStatus:
    call: ToolCall
    status: ToolStatus
    output: str | None = None


@dataclass(frozen=True, slots=True)
class ImageAdded:
    """A generated image was saved and referenced by `message` (the reply)."""

    message: Message
    image: ImageRef
    path: Path | None
    """The saved file (None for an image known only by its URL, or with no store)."""


@dataclass(frozen=True, slots=True)
class ToolLoopStopped:
    reason: str


EngineEvent: TypeAlias = (
    UserMessageAdded
    | ReplyStarted
    | ReplyFinished
    | ReplyFailed
    | ToolCallStatus
    | ToolLoopStopped
    | ImageAdded
    | TextDelta
    | ReasoningDelta
    | ToolCallDelta
    | UsageUpdate
    | CitationsUpdate
    | Notice
)
