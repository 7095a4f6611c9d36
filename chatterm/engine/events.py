"""Events the engine yields to its callers (the TUI and `ask`).

The API layer's stream events (TextDelta, ReasoningDelta, ToolCallDelta, UsageUpdate,
CitationsUpdate, Notice) pass through unchanged; the engine adds the turn structure
around them. Callers dispatch with `match`.

A send yields, in order:
    UserMessageAdded
    ReplyStarted -> deltas ... -> ReplyFinished | ReplyFailed
    [ToolCallStatus ... per call, then another ReplyStarted ... for each tool round]
    [ToolLoopStopped when the round limit cut the loop]
"""

from __future__ import annotations

from dataclasses import dataclass
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
class ToolLoopStopped:
    reason: str


EngineEvent: TypeAlias = (
    UserMessageAdded
    | ReplyStarted
    | ReplyFinished
    | ReplyFailed
    | ToolCallStatus
    | ToolLoopStopped
    | TextDelta
    | ReasoningDelta
    | ToolCallDelta
    | UsageUpdate
    | CitationsUpdate
    | Notice
)
