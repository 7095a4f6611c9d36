"""Saved as it happens (engine + store + demo gateway, a second connection reading the file
the way another window or a later start would): the prompt when it is sent, the reply
while it streams and when it ends, a stopped or failed reply with its partial text and
state, reasoning, usage and timings."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from chatterm.api.client import ChatClient
from chatterm.api.types import TextDelta
from chatterm.engine.conversation import ChatSettings, Conversation
from chatterm.engine.session import ChatSession, EngineOptions
from chatterm.store import ChatStore
from tests.open_clients import tracked


def make_session(
    gateway, store: ChatStore, *, model: str = "gpt-4o-mini", thinking: bool = False, flush_interval: float = 0.5
) -> ChatSession:
    from chatterm.demo import DEMO_API_KEY

    return ChatSession(
        tracked(ChatClient(gateway.base_url, DEMO_API_KEY, max_retries=0)),
        Conversation(settings=ChatSettings(model=model, thinking=thinking)),
        recorder=store,
        options=EngineOptions(flush_interval=flush_interval),
    )


def reread(db: Path, chat_id: str) -> Any:
    with ChatStore(db) as other:
        return other.load(chat_id)


async def test_prompt_is_on_disk_when_sent_and_the_reply_while_it_streams(demo_gateway, tmp_path: Path) -> None:
    db = tmp_path / "history.db"
    with ChatStore(db) as store:
        session = make_session(demo_gateway, store, flush_interval=0.05)
        first_text = asyncio.Event()
        streamed: list[str] = []

        async def consume() -> None:
            async for event in session.send("!stall tell me a story"):
                if isinstance(event, TextDelta):
                    streamed.append(event.text)
                    first_text.set()

        task = asyncio.create_task(consume())
        await asyncio.wait_for(first_text.wait(), 10)
        chat_id = session.conversation.id
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 10
        while True:  # the timed flush puts the streamed tokens on disk while the reply stalls
            loaded = reread(db, chat_id)
            if len(loaded.messages) == 2 and loaded.messages[1].content:
                break
            assert loop.time() < deadline, "the streaming reply never reached the file"
            await asyncio.sleep(0.05)
        user, reply = loaded.messages
        assert (user.role, user.content, user.state) == ("user", "!stall tell me a story", "ok")
        assert reply.state == "streaming" and reply.model == "gpt-4o-mini"
        assert "".join(streamed).startswith(reply.content)

        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        await session.client.aclose()
        stopped = reread(db, chat_id).messages[1]
        assert stopped.state == "stopped" and stopped.content == session.conversation.messages[1].content
        assert stopped.content  # the partial text is kept


@pytest.mark.parametrize("stream", [True, False])
async def test_failed_reply_is_saved_with_its_state_partial_text_and_error(
    demo_gateway, tmp_path: Path, stream
) -> None:
    db = tmp_path / "history.db"
    with ChatStore(db) as store:
        session = make_session(demo_gateway, store)
        session.conversation.settings.stream = stream
        async for _event in session.send("!error please"):
            pass
        await session.client.aclose()
        original = session.conversation
    user, reply = reread(db, original.id).messages
    assert user.state == "failed"  # the prompt went back to the box: it is not resent
    assert reply.state == "failed" and reply.error
    assert reply.content == original.messages[1].content
    if stream:
        assert reply.content  # the tokens before the error
    assert reread(db, original.id).wire_messages() == []


async def test_reasoning_usage_and_timings_survive_a_reload(demo_gateway, tmp_path: Path) -> None:
    db = tmp_path / "history.db"
    with ChatStore(db) as store:
        session = make_session(demo_gateway, store, model="deepseek-r1")
        async for _event in session.send("Why is the sky blue?"):
            pass
        await session.client.aclose()
        original = session.conversation.messages[1]
    reply = reread(db, session.conversation.id).messages[1]
    assert reply.reasoning and reply.reasoning == original.reasoning
    assert reply.usage is not None and reply.usage.reasoning_tokens and reply.usage == original.usage
    assert reply.timings is not None and reply.timings.duration == original.timings.duration
    assert reply.finish_reason == "stop" and reply.model == "deepseek-r1"


async def test_every_message_of_a_tool_round_is_saved_as_it_comes(demo_gateway, tmp_path: Path) -> None:
    from chatterm.tools import builtin_registry

    db = tmp_path / "history.db"
    seen: list[list[str]] = []

    async def approve(call: Any, tool: Any) -> str:
        # when the user is asked, the prompt and the reply with the calls are on disk
        seen.append([m.role for m in reread(db, session.conversation.id).messages])
        return "once"

    with ChatStore(db) as store:
        session = make_session(demo_gateway, store)
        session.tools = builtin_registry()
        session.approve = approve
        async for _event in session.send("calculate 2+2"):
            pass
        await session.client.aclose()
    assert seen == [["user", "assistant"]]
    loaded = reread(db, session.conversation.id)
    assert [m.role for m in loaded.messages] == ["user", "assistant", "tool", "assistant"]
    assert loaded.messages[1].tool_calls[0].name == "calculator"
    assert loaded.messages[2].content == "4" and loaded.messages[2].name == "calculator"
