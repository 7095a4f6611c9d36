"""The engine end to end against the demo gateway: turns, the tool loop, stopping."""

from __future__ import annotations

import asyncio

import pytest

from chatterm.api.types import TextDelta
from chatterm.engine.events import (
    ReplyFailed,
    ReplyFinished,
    ReplyStarted,
    ToolCallStatus,
    ToolLoopStopped,
    UserMessageAdded,
)
from chatterm.engine.session import ChatSession

from .support import collect, deny, make_session


def assert_valid_chain(session: ChatSession, validator) -> None:
    """Every assistant tool call is answered by a tool message, and the next request validates."""
    body = {"model": "gpt-4o-mini", "messages": session.conversation.wire_messages()}
    validator.validate(body)
    wire = body["messages"]
    for index, message in enumerate(wire):
        if message["role"] == "assistant" and message.get("tool_calls"):
            ids = [c["id"] for c in message["tool_calls"]]
            following = [m.get("tool_call_id") for m in wire[index + 1 : index + 1 + len(ids)]]
            assert following == ids


@pytest.mark.parametrize("stream", [True, False])
async def test_send_streams_a_reply_and_keeps_it(demo_gateway, stream: bool) -> None:
    session = make_session(demo_gateway, stream=stream)
    events = await collect(session.send("Tell me about SQLite"))
    kinds = [type(e) for e in events]
    assert kinds[0] is UserMessageAdded and kinds[1] is ReplyStarted and kinds[-1] is ReplyFinished
    text = "".join(e.text for e in events if isinstance(e, TextDelta))
    reply = session.conversation.messages[-1]
    assert reply.role == "assistant" and reply.state == "ok"
    assert reply.content == text and "SQLite" in text
    assert reply.model == "gpt-4o-mini"
    assert reply.usage is not None and reply.usage.completion_tokens
    assert reply.timings is not None and reply.timings.duration is not None
    await session.client.aclose()


@pytest.mark.parametrize("stream", [True, False])
async def test_tool_call_runs_and_the_model_answers_with_the_result(
    demo_gateway, chat_request_validator, stream
) -> None:
    session = make_session(demo_gateway, stream=stream)
    events = await collect(session.send("calculate 2+3*4"))
    statuses = [(e.call.name, e.status) for e in events if isinstance(e, ToolCallStatus)]
    assert ("calculator", "done") in statuses
    roles = [m.role for m in session.conversation.messages]
    assert roles == ["user", "assistant", "tool", "assistant"]
    assert session.conversation.messages[2].content.strip() == "14"
    assert "14" in session.conversation.messages[-1].content
    assert_valid_chain(session, chat_request_validator)
    # the follow-up request the gateway received carried the calls, then the result
    follow_up = demo_gateway.requests[-1].body["messages"]
    assert follow_up[-2]["role"] == "assistant" and follow_up[-2]["tool_calls"]
    assert follow_up[-1] == {"role": "tool", "content": "14", "tool_call_id": follow_up[-2]["tool_calls"][0]["id"]}
    await session.client.aclose()


@pytest.mark.parametrize("stream", [True, False])
async def test_parallel_calls_all_run_in_order(demo_gateway, chat_request_validator, stream) -> None:
    session = make_session(demo_gateway, stream=stream)
    await collect(session.send("!parallel"))
    messages = session.conversation.messages
    calls = messages[1].tool_calls
    assert len(calls) == 2
    assert [m.tool_call_id for m in messages[2:4]] == [c.id for c in calls]
    assert [r.name for r in session.tool_runs] == [c.name for c in calls]
    assert messages[-1].role == "assistant" and messages[-1].content
    assert_valid_chain(session, chat_request_validator)
    await session.client.aclose()


async def test_chained_calls(demo_gateway, chat_request_validator) -> None:
    session = make_session(demo_gateway)
    await collect(session.send("!chain"))
    roles = [m.role for m in session.conversation.messages]
    assert roles == ["user", "assistant", "tool", "assistant", "tool", "assistant"]
    assert_valid_chain(session, chat_request_validator)
    await session.client.aclose()


@pytest.mark.parametrize("trigger, expected", [("!unknown-tool", "unknown tool"), ("!bad-args", "JSON")])
async def test_bad_calls_give_the_model_an_error_and_the_loop_goes_on(demo_gateway, trigger, expected) -> None:
    session = make_session(demo_gateway)
    events = await collect(session.send(trigger))
    failed = [e for e in events if isinstance(e, ToolCallStatus) and e.status == "failed"]
    assert failed and expected.lower() in (failed[0].output or "").lower()
    assert session.conversation.messages[-1].role == "assistant"
    assert session.conversation.messages[-1].state == "ok"
    await session.client.aclose()


async def test_denied_call_tells_the_model_the_user_declined(demo_gateway, chat_request_validator) -> None:
    session = make_session(demo_gateway, approve=deny)
    events = await collect(session.send("calculate 6*7"))
    assert [e.status for e in events if isinstance(e, ToolCallStatus)] == ["waiting", "denied"]
    tool_message = session.conversation.messages[2]
    assert tool_message.role == "tool" and "declined" in tool_message.content
    assert session.tool_runs == []
    assert_valid_chain(session, chat_request_validator)
    await session.client.aclose()


async def test_without_an_approver_nothing_runs(demo_gateway) -> None:
    session = make_session(demo_gateway, approve=None)
    events = await collect(session.send("calculate 6*7"))
    assert "denied" in [e.status for e in events if isinstance(e, ToolCallStatus)]


async def test_allow_for_session_asks_once(demo_gateway) -> None:
    asked: list[str] = []

    async def session_allow(call, tool):
        asked.append(call.name)
        return "session"

    session = make_session(demo_gateway, approve=session_allow)
    await collect(session.send("calculate 1+1"))
    await collect(session.send("calculate 2+2"))
    assert asked == ["calculator"]
    await session.client.aclose()


async def test_safe_tools_run_unasked(demo_gateway) -> None:
    session = make_session(demo_gateway, approve=deny, safe_tools=frozenset({"calculator"}))
    events = await collect(session.send("calculate 3*3"))
    assert [e.status for e in events if isinstance(e, ToolCallStatus)] == ["running", "done"]


async def test_round_limit_stops_the_loop_and_keeps_the_chat_valid(demo_gateway, chat_request_validator) -> None:
    session = make_session(demo_gateway, max_tool_rounds=1)
    events = await collect(session.send("!chain"))
    stopped = [e for e in events if isinstance(e, ToolLoopStopped)]
    assert stopped and "1 tool round" in stopped[0].reason
    assert_valid_chain(session, chat_request_validator)
    # and the chat goes on
    events = await collect(session.send("thanks"))
    assert isinstance(events[-1], ReplyFinished)
    await session.client.aclose()


async def test_zero_rounds_returns_calls_unrun_and_the_next_prompt_stays_valid(
    demo_gateway, chat_request_validator
) -> None:
    session = make_session(demo_gateway, max_tool_rounds=0)
    await collect(session.send("calculate 2+2"))
    reply = session.conversation.messages[-1]
    assert reply.tool_calls and session.tool_runs == []
    await collect(session.send("never mind"))
    assert_valid_chain(session, chat_request_validator)
    await session.client.aclose()


async def test_cancel_mid_reply_keeps_partial_text_as_stopped(demo_gateway) -> None:
    session = make_session(demo_gateway)
    got_text = asyncio.Event()

    async def consume() -> None:
        async for event in session.send("!stall please"):
            if isinstance(event, TextDelta):
                got_text.set()

    task = asyncio.create_task(consume())
    await asyncio.wait_for(got_text.wait(), 5)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    reply = session.conversation.messages[-1]
    assert reply.state == "stopped" and reply.content
    assert not session.busy
    # the stopped partial reply is part of the next request
    events = await collect(session.send("go on"))
    assert isinstance(events[-1], ReplyFinished)
    await session.client.aclose()


async def test_cancel_during_tool_approval_answers_the_calls(demo_gateway, chat_request_validator) -> None:
    waiting = asyncio.Event()

    async def slow_approval(call, tool):
        waiting.set()
        await asyncio.sleep(30)
        return "once"

    session = make_session(demo_gateway, approve=slow_approval)
    task = asyncio.create_task(collect(session.send("!parallel")))
    await asyncio.wait_for(waiting.wait(), 5)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert_valid_chain(session, chat_request_validator)
    assert all("cancelled" in m.content for m in session.conversation.messages if m.role == "tool")
    await session.client.aclose()


async def test_failed_reply_returns_the_prompt_and_is_not_resent(demo_gateway) -> None:
    session = make_session(demo_gateway)
    events = await collect(session.send("!500 now"))
    failed = events[-1]
    assert isinstance(failed, ReplyFailed)
    assert failed.prompt == "!500 now"
    assert str(failed.error).startswith("API request failed: 500")
    assert session.conversation.wire_messages() == []
    await session.client.aclose()


async def test_busy_session_refuses_a_second_send(demo_gateway) -> None:
    from chatterm.engine.session import BusyError

    session = make_session(demo_gateway)
    agen = session.send("!stall")
    await agen.__anext__()
    with pytest.raises(BusyError):
        await session.send("second").__anext__()
    await agen.aclose()
    await session.client.aclose()


async def test_regenerate_replaces_the_last_reply(demo_gateway) -> None:
    session = make_session(demo_gateway)
    await collect(session.send("hello"))
    first = session.conversation.messages[-1]
    await collect(session.regenerate())
    messages = session.conversation.messages
    assert len(messages) == 2 and messages[-1].id != first.id
    assert messages[-1].parent_id == first.parent_id
    await session.client.aclose()


async def test_siblings_come_from_the_store_the_session_records_into(demo_gateway, tmp_path) -> None:
    """Regenerated replies are siblings a UI can step between: only once the chat is
    recorded by a store that keeps them; a store swapped in later is used from then on."""
    from chatterm.store import ChatStore

    session = make_session(demo_gateway)
    await collect(session.send("hello"))
    reply = session.conversation.messages[-1]
    assert not session.keeps_branches and session.siblings(reply.id) == []

    store = ChatStore(tmp_path / "history.db")
    session.use_recorder(store)
    await collect(session.send("again"))
    first = session.conversation.messages[-1]
    await collect(session.regenerate())
    second = session.conversation.messages[-1]
    assert session.keeps_branches
    assert [m.id for m in session.siblings(second.id)] == [first.id, second.id]
    assert session.siblings("no-such-message") == []  # the store cannot tell: nothing to step to
    await session.client.aclose()


async def test_model_switch_mid_chat(demo_gateway) -> None:
    session = make_session(demo_gateway)
    await collect(session.send("hello"))
    session.conversation.settings.model = "deepseek-v3"
    await collect(session.send("again"))
    assert [m.model for m in session.conversation.messages if m.role == "assistant"] == ["gpt-4o-mini", "deepseek-v3"]
    assert demo_gateway.requests[-1].body["model"] == "deepseek-v3"
    assert len(demo_gateway.requests[-1].body["messages"]) == 3
    await session.client.aclose()


async def test_a_failing_history_write_turns_history_off_with_a_notice(demo_gateway, tmp_path) -> None:
    import sqlite3

    from chatterm.api.types import Notice
    from chatterm.store import ChatStore

    class FailingStore(ChatStore):
        """A real store, written at once (no queue), whose writes fail as a failing disk
        makes them fail (a lock is waited out by the app's queued writer instead:
        tests/store/test_store_locks.py)."""

        def save_message(self, conversation, message):
            raise sqlite3.OperationalError("disk I/O error")

    store = FailingStore(tmp_path / "history.db")
    session = make_session(demo_gateway)
    session.recorder = store
    events = await collect(session.send("hello"))
    notices = [e for e in events if isinstance(e, Notice)]
    assert len(notices) == 1 and "disk I/O error" in notices[0].text
    assert session.conversation.messages[-1].state == "ok"  # the reply itself is unharmed
    events = await collect(session.send("again"))
    assert not [e for e in events if isinstance(e, Notice)]  # told once
    store.close()
    await session.client.aclose()


async def test_a_refused_request_leaves_nothing_saved_and_the_chat_as_it_was(demo_gateway, tmp_path) -> None:
    """Bad settings or a missing file are refused before the prompt is saved: no failed
    chat in the history, no request sent, an edit does not cut the chat."""
    from chatterm.api.errors import RequestValidationError
    from chatterm.store import ChatStore

    store = ChatStore(tmp_path / "history.db")
    session = make_session(demo_gateway)
    session.recorder = store
    session.conversation.settings.temperature = 3.0
    with pytest.raises(RequestValidationError, match="temperature must be between 0 and 2"):
        await collect(session.send("hello"))
    with pytest.raises(RequestValidationError, match="no such file"):
        session.conversation.settings.temperature = None
        await collect(session.send("read this", [str(tmp_path / "missing.pdf")]))
    assert session.conversation.messages == [] and store.list_chats() == []
    assert not [r for r in demo_gateway.requests if r.path.endswith("/chat/completions")]

    await collect(session.send("first"))
    first = session.conversation.messages[0]
    session.conversation.settings.top_p = 7.0
    with pytest.raises(RequestValidationError, match="top_p"):
        await collect(session.edit(first.id, "first, edited"))
    assert [m.text for m in session.conversation.messages][:1] == ["first"]
    assert len(session.conversation.messages) == 2
    store.close()
    await session.client.aclose()


async def test_malformed_arguments_go_back_as_an_empty_object(demo_gateway) -> None:
    """The follow-up carries `{}` for a call whose arguments were not JSON (strict
    providers refuse the whole request otherwise); the saved call keeps what the model wrote."""
    session = make_session(demo_gateway)
    await collect(session.send("!bad-args"))
    bodies = [r.body for r in demo_gateway.requests if r.path.endswith("/chat/completions")]
    follow_up = bodies[1]["messages"]
    calls = next(m["tool_calls"] for m in follow_up if m["role"] == "assistant" and m.get("tool_calls"))
    assert calls[0]["function"]["arguments"] == "{}"
    kept = next(m for m in session.conversation.messages if m.tool_calls).tool_calls[0]
    assert kept.arguments == '{"expression": "2+2'  # as the model wrote it
    await session.client.aclose()


async def test_an_edit_while_a_reply_is_written_is_refused_before_it_cuts_the_chat(demo_gateway) -> None:
    from chatterm.engine.session import BusyError

    session = make_session(demo_gateway)
    await collect(session.send("first"))
    first = session.conversation.messages[0]
    session.busy = True  # a reply is being written
    with pytest.raises(BusyError):
        await collect(session.edit(first.id, "changed"))
    assert len(session.conversation.messages) == 2
    session.busy = False
    await session.client.aclose()
