"""chatterm's API layer: requests in, typed stream events out.

    from chatterm.api import ChatClient, ChatRequest, TextDelta, Finished, APIError

Names are loaded on first use (PEP 562), so `import chatterm.api` (or
`chatterm.api.types`) costs nothing and does not import httpx; only touching
`ChatClient` loads the HTTP stack.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

_EXPORTS: dict[str, str] = {
    # client and its policy
    "ChatClient": "chatterm.api.client",
    "RetryPolicy": "chatterm.api.retry",
    # request
    "ChatRequest": "chatterm.api.request",
    # wire types and events
    "ToolCall": "chatterm.api.types",
    "Usage": "chatterm.api.types",
    "Citation": "chatterm.api.types",
    "Completion": "chatterm.api.types",
    "FileInput": "chatterm.api.types",
    "TextDelta": "chatterm.api.types",
    "ReasoningDelta": "chatterm.api.types",
    "ToolCallDelta": "chatterm.api.types",
    "UsageUpdate": "chatterm.api.types",
    "CitationsUpdate": "chatterm.api.types",
    "Notice": "chatterm.api.types",
    "Finished": "chatterm.api.types",
    "StreamEvent": "chatterm.api.types",
    # errors
    "ChatTermError": "chatterm.api.errors",
    "RequestValidationError": "chatterm.api.errors",
    "APIError": "chatterm.api.errors",
    "AuthenticationError": "chatterm.api.errors",
    "NotFoundError": "chatterm.api.errors",
    "APIConnectionError": "chatterm.api.errors",
    "RateLimitError": "chatterm.api.errors",
    # decoding (for tools that read saved streams)
    "SSEDecoder": "chatterm.api.sse",
    "SSEEvent": "chatterm.api.sse",
    "ChatStreamParser": "chatterm.api.stream",
    "parse_chat_body": "chatterm.api.stream",
}

__all__ = sorted(_EXPORTS)

if TYPE_CHECKING:
    from chatterm.api.client import ChatClient
    from chatterm.api.errors import (
        APIConnectionError,
        APIError,
        AuthenticationError,
        ChatTermError,
        NotFoundError,
        RateLimitError,
        RequestValidationError,
    )
    from chatterm.api.request import ChatRequest
    from chatterm.api.retry import RetryPolicy
    from chatterm.api.sse import SSEDecoder, SSEEvent
    from chatterm.api.stream import ChatStreamParser, parse_chat_body
    from chatterm.api.types import (
        Citation,
        CitationsUpdate,
        Completion,
        FileInput,
        Finished,
        Notice,
        ReasoningDelta,
        StreamEvent,
        TextDelta,
        ToolCall,
        ToolCallDelta,
        Usage,
        UsageUpdate,
    )


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'chatterm.api' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))
