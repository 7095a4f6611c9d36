"""A tool call cut short (issue 9 item 10) is recorded as interrupted, "it may have had
effects", never as "Not run.": the model is told and the history keeps it, whether the
user stopped it or chatterm itself was killed while it ran (the chat reopened from a
copy of the history file taken while the tool was running)."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

import pytest

from chatterm.store import ChatStore
from chatterm.tools import builtin_registry

from .support import collect, make_session


def _slow_time_registry(started: asyncio.Event):  # type: ignore[no-untyped-def]
    registry = builtin_registry()

    async def slow_time(timezone: str | None = None) -> str:
        """Tell the time, slowly."""
        started.set()
        await asyncio.sleep(30)
        return "never"

    registry.unregister("current_time")
    registry.register(slow_time, name="current_time")
    return registry


def _tool_results(messages) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {m.name: m.content for m in messages if m.role == "tool"}


async def test_a_tool_running_when_chatterm_is_killed_is_recorded_as_interrupted(demo_gateway, tmp_path: Path) -> None:
    started = asyncio.Event()
    db = tmp_path / "history.db"
    store = ChatStore(db)
    session = make_session(demo_gateway, registry=_slow_time_registry(started))
    session.recorder = store
    task = asyncio.create_task(collect(session.send("what time is it?")))
    await asyncio.wait_for(started.wait(), 10)
    # What the disk holds at this moment is what a restarted chatterm finds after a kill.
    killed = tmp_path / "killed"
    killed.mkdir()
    for path in tmp_path.glob("history.db*"):
        shutil.copy(path, killed / path.name)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    store.close()

    with ChatStore(killed / "history.db") as reopened:
        conversation = reopened.load(session.conversation.id)
        resumed = make_session(demo_gateway)
        resumed.conversation = conversation
        resumed.recorder = reopened
        await collect(resumed.send("did it work?"))
        await resumed.client.aclose()
        saved = reopened.load(conversation.id).messages
    for messages in (resumed.conversation.messages, saved):
        result = _tool_results(messages)["current_time"]
        assert result.startswith("Interrupted") and "may have had effects" in result
        assert "Not run" not in result
    tool_calls = [m for m in saved if m.role == "tool"]
    assert len(tool_calls) == 1  # one result per call: the API takes no other
    await session.client.aclose()


async def test_a_tool_the_user_stops_is_told_to_the_model_as_interrupted(demo_gateway) -> None:
    started = asyncio.Event()
    session = make_session(demo_gateway, registry=_slow_time_registry(started))
    task = asyncio.create_task(collect(session.send("what time is it?")))
    await asyncio.wait_for(started.wait(), 10)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    await collect(session.send("never mind"))
    sent = demo_gateway.requests[-1].body["messages"]
    told = [m["content"] for m in sent if m["role"] == "tool"]
    assert len(told) == 1 and told[0].startswith("Interrupted") and "may have had effects" in told[0]
    await session.client.aclose()
