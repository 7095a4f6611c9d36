"""Helpers shared by the engine tests: a session on the demo gateway, approvers, collecting."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from chatterm.api.client import ChatClient
from chatterm.api.types import ToolCall
from chatterm.engine.conversation import ChatSettings, Conversation
from chatterm.engine.session import ChatSession, EngineOptions
from chatterm.tools import builtin_registry
from tests.open_clients import tracked


async def allow(call: ToolCall, tool: Any) -> str:
    return "once"


async def deny(call: ToolCall, tool: Any) -> str:
    return "deny"


def make_session(
    gateway: Any,
    *,
    model: str = "gpt-4o-mini",
    stream: bool = True,
    approve: Any = allow,
    registry: Any = None,
    **options: Any,
) -> ChatSession:
    """A session on `gateway` with the built-in tools (or `registry`), no retries."""
    from chatterm.demo import DEMO_API_KEY

    return ChatSession(
        tracked(ChatClient(gateway.base_url, DEMO_API_KEY, max_retries=0)),
        Conversation(settings=ChatSettings(model=model, stream=stream)),
        tools=registry if registry is not None else builtin_registry(),
        approve=approve,
        options=EngineOptions(**options),
    )


async def collect(agen: AsyncIterator[Any]) -> list[Any]:
    return [event async for event in agen]
