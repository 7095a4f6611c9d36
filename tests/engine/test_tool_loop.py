"""The tool loop's remaining contract, end to end against the demo gateway.

What `test_session.py` leaves out: provider extras on calls (Gemini thought signatures)
going back unchanged, every request of a loop validating against the spec as the gateway
received it, streamed and not; arguments that break the schema; exceptions and timeouts
without streaming; cancelling while a tool runs; tools the chat disabled; config-driven
limits and safe tools.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from chatterm.api.types import ToolCall
from chatterm.config import Config
from chatterm.context import engine_options
from chatterm.engine.events import ReplyFinished, ToolCallStatus, ToolLoopStopped
from chatterm.engine.session import CANCELLED_OUTPUT, STOPPED_OUTPUT, EngineOptions
from chatterm.tools import ToolRegistry, builtin_registry

from .support import collect, make_session

GEMINI = "gemini-3-pro-preview"


def chat_bodies(gateway, since: int = 0) -> list[dict]:
    return [r.body for r in gateway.requests[since:] if r.path.endswith("/chat/completions")]


def assert_bodies_valid(bodies: list[dict], validator) -> None:
    """Each request as the gateway received it fits the spec, and every assistant
    message with tool calls is followed by one tool message per call, in order."""
    assert bodies
    for body in bodies:
        validator.validate(body)
        wire = body["messages"]
        for index, message in enumerate(wire):
            if message["role"] == "assistant" and message.get("tool_calls"):
                ids = [c["id"] for c in message["tool_calls"]]
                answers = [m.get("tool_call_id") for m in wire[index + 1 : index + 1 + len(ids)]]
                assert answers == ids
                assert all(m["role"] == "tool" for m in wire[index + 1 : index + 1 + len(ids)])
                assert message.get("content") in (None, "") or isinstance(message["content"], str)


# --- provider extras ------------------------------------------------------------------


@pytest.mark.parametrize("stream", [True, False])
async def test_gemini_thought_signatures_go_back_unchanged(demo_gateway, chat_request_validator, stream) -> None:
    session = make_session(demo_gateway, model=GEMINI, stream=stream)
    await collect(session.send("!parallel"))
    bodies = chat_bodies(demo_gateway)
    assert len(bodies) == 2
    follow_up = bodies[1]["messages"]
    assistant = next(m for m in follow_up if m["role"] == "assistant")
    # exactly what the gateway sent on each call (demo: demo-signature-<round>-<index>)
    assert [c.get("extra_content") for c in assistant["tool_calls"]] == [
        {"google": {"thought_signature": "demo-signature-0-0"}},
        {"google": {"thought_signature": "demo-signature-0-1"}},
    ]
    assert [c["function"]["name"] for c in assistant["tool_calls"]] == ["current_time", "calculator"]
    assert_bodies_valid(bodies, chat_request_validator)
    await session.client.aclose()


@pytest.mark.parametrize("stream", [True, False])
async def test_chained_gemini_calls_keep_each_rounds_signature(demo_gateway, chat_request_validator, stream) -> None:
    session = make_session(demo_gateway, model=GEMINI, stream=stream)
    await collect(session.send("!chain"))
    bodies = chat_bodies(demo_gateway)
    assert len(bodies) == 3
    last = [m for m in bodies[2]["messages"] if m["role"] == "assistant"]
    signatures = [c["extra_content"]["google"]["thought_signature"] for m in last for c in m["tool_calls"]]
    assert signatures == ["demo-signature-0-0", "demo-signature-1-0"]
    assert_bodies_valid(bodies, chat_request_validator)
    await session.client.aclose()


# --- every request validates, streamed and not ------------------------------------------


@pytest.mark.parametrize("stream", [True, False])
@pytest.mark.parametrize(
    "prompt, rounds, failed_output",
    [
        ("calculate 2+3*4", 2, None),
        ("!parallel", 2, None),
        ("!chain", 3, None),
        ("!unknown-tool", 2, "unknown tool 'no_such_tool'"),
        ("!bad-args", 2, "not valid JSON"),
    ],
)
async def test_each_request_of_the_loop_fits_the_spec(
    demo_gateway, chat_request_validator, stream, prompt, rounds, failed_output
) -> None:
    session = make_session(demo_gateway, stream=stream)
    events = await collect(session.send(prompt))
    bodies = chat_bodies(demo_gateway)
    assert len(bodies) == rounds
    assert all(body["stream"] is stream for body in bodies)
    assert_bodies_valid(bodies, chat_request_validator)
    failed = [e.output for e in events if isinstance(e, ToolCallStatus) and e.status == "failed"]
    if failed_output is None:
        assert failed == []
    else:
        assert len(failed) == 1 and failed_output in failed[0]
        # the model received the error as the tool result and answered
        tool_message = bodies[-1]["messages"][-1]
        assert tool_message["role"] == "tool" and failed_output in tool_message["content"]
    final = session.conversation.messages[-1]
    assert final.role == "assistant" and final.state == "ok" and final.content and not final.tool_calls


async def test_assistant_tool_call_message_without_text_omits_content(demo_gateway, chat_request_validator) -> None:
    session = make_session(demo_gateway)
    await collect(session.send("calculate 1+1"))
    assistant = chat_bodies(demo_gateway)[1]["messages"][1]
    assert assistant["role"] == "assistant" and assistant["tool_calls"]
    assert "content" not in assistant or assistant["content"] is None
    await session.client.aclose()


# --- bad calls, without streaming too -----------------------------------------------------


@pytest.mark.parametrize("stream", [True, False])
async def test_arguments_that_do_not_fit_the_schema_get_a_clear_error(demo_gateway, stream) -> None:
    registry = ToolRegistry()
    ran: list[int] = []

    @registry.tool
    def calculator(expression: int) -> str:
        """A calculator that (wrongly) wants an integer."""
        ran.append(expression)
        return "ran"

    session = make_session(demo_gateway, stream=stream, registry=registry)
    events = await collect(session.send("calculate 2+3"))
    failed = [e.output for e in events if isinstance(e, ToolCallStatus) and e.status == "failed"]
    assert failed == [
        "Error: invalid arguments for tool 'calculator': argument 'expression' must be an integer, got string \"2+3\""
    ]
    assert ran == []
    assert session.conversation.messages[-1].state == "ok"
    await session.client.aclose()


@pytest.mark.parametrize("stream", [True, False])
async def test_exception_and_timeout_become_error_results(demo_gateway, chat_request_validator, stream) -> None:
    registry = ToolRegistry()

    @registry.tool
    def calculator(expression: str) -> str:
        """Evaluate arithmetic."""
        raise ZeroDivisionError("boom")

    @registry.tool
    async def current_time(timezone: str | None = None) -> str:
        """Tell the time."""
        await asyncio.sleep(30)
        return "never"

    session = make_session(demo_gateway, stream=stream, registry=registry, tool_timeout=0.2)
    events = await collect(session.send("!parallel"))
    outputs = {e.call.name: e.output for e in events if isinstance(e, ToolCallStatus) and e.status == "failed"}
    assert outputs == {
        "current_time": "Error: tool 'current_time' timed out after 0.2 s",
        "calculator": "Error: tool 'calculator' raised ZeroDivisionError: boom",
    }
    assert [r.ok for r in session.tool_runs] == [False, False]
    assert_bodies_valid(chat_bodies(demo_gateway), chat_request_validator)
    assert session.conversation.messages[-1].state == "ok"
    await session.client.aclose()


@pytest.mark.parametrize("stream", [True, False])
async def test_round_limit_without_streaming_too(demo_gateway, chat_request_validator, stream) -> None:
    session = make_session(demo_gateway, stream=stream, max_tool_rounds=1)
    events = await collect(session.send("!chain"))
    stopped = [e.reason for e in events if isinstance(e, ToolLoopStopped)]
    assert len(stopped) == 1 and "limit is 1" in stopped[0]
    assert len(chat_bodies(demo_gateway)) == 2  # the second call was not run or sent
    events = await collect(session.send("what now?"))
    assert isinstance(events[-1], ReplyFinished)
    assert_bodies_valid(chat_bodies(demo_gateway), chat_request_validator)
    await session.client.aclose()


# --- cancel while a tool runs ---------------------------------------------------------------


@pytest.mark.parametrize("stream", [True, False])
async def test_cancel_while_a_tool_runs_keeps_the_chat_valid(demo_gateway, chat_request_validator, stream) -> None:
    registry = builtin_registry()
    started = asyncio.Event()

    async def slow_time(timezone: str | None = None) -> str:
        """Tell the time, slowly."""
        started.set()
        await asyncio.sleep(30)
        return "never"

    registry.unregister("current_time")
    registry.register(slow_time, name="current_time")
    session = make_session(demo_gateway, stream=stream, registry=registry)
    task = asyncio.create_task(collect(session.send("!parallel")))
    await asyncio.wait_for(started.wait(), 10)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert not session.busy
    # the running call and the one that never ran are told apart
    results = {m.name: m.content for m in session.conversation.messages if m.role == "tool"}
    assert results == {"current_time": STOPPED_OUTPUT, "calculator": CANCELLED_OUTPUT}
    events = await collect(session.send("never mind"))
    assert isinstance(events[-1], ReplyFinished)
    assert_bodies_valid(chat_bodies(demo_gateway), chat_request_validator)
    await session.client.aclose()


# --- which tools are offered ----------------------------------------------------------------


def offered(body: dict) -> list[str]:
    return [t["function"]["name"] for t in body.get("tools") or [] if t.get("type") == "function"]


async def test_tools_disabled_in_the_chat_are_not_offered(demo_gateway) -> None:
    session = make_session(demo_gateway)
    session.conversation.settings.disabled_tools = ["calculator"]
    events = await collect(session.send("calculate 2+2"))
    body = chat_bodies(demo_gateway)[-1]
    assert "calculator" not in offered(body) and "current_time" in offered(body)
    assert not any(isinstance(e, ToolCallStatus) for e in events)
    # enabled again, it is offered in the very next request
    session.conversation.settings.disabled_tools.remove("calculator")
    await collect(session.send("calculate 2+2"))
    assert "calculator" in offered(chat_bodies(demo_gateway)[-2])
    assert session.tool_runs[0].name == "calculator"
    await session.client.aclose()


async def test_disabling_every_tool_sends_no_tools_key(demo_gateway, chat_request_validator) -> None:
    session = make_session(demo_gateway)
    session.conversation.settings.disabled_tools = builtin_registry().names()
    await collect(session.send("what time is it?"))
    body = chat_bodies(demo_gateway)[-1]
    assert "tools" not in body
    chat_request_validator.validate(body)
    await session.client.aclose()


# --- config-driven limits and approval --------------------------------------------------------


def test_defaults_and_config_for_timeout_rounds_and_safe_tools() -> None:
    defaults = EngineOptions()
    assert (defaults.tool_timeout, defaults.max_tool_rounds, defaults.safe_tools) == (30.0, 8, frozenset())
    options = engine_options(Config(tools_timeout=5, tools_max_rounds=3, tools_safe=["calculator"]))
    assert (options.tool_timeout, options.max_tool_rounds, options.safe_tools) == (5.0, 3, frozenset({"calculator"}))
    assert engine_options(Config(), max_tool_rounds=0).max_tool_rounds == 0


async def test_safe_in_config_skips_approval_only_for_tools_marked_safe(demo_gateway) -> None:
    asked: list[str] = []

    async def deny_and_note(call: ToolCall, tool: Any) -> str:
        asked.append(call.name)
        return "deny"

    registry = builtin_registry()
    registry.unregister("current_time")

    @registry.tool
    def current_time(timezone: str | None = None) -> str:
        """A user's clock tool: not marked safe."""
        return "noon"

    session = make_session(
        demo_gateway, approve=deny_and_note, registry=registry, safe_tools=frozenset({"calculator", "current_time"})
    )
    events = await collect(session.send("!parallel"))
    statuses = {(e.call.name, e.status) for e in events if isinstance(e, ToolCallStatus)}
    assert asked == ["current_time"]  # listed safe in config, but the tool is not marked safe
    assert ("current_time", "denied") in statuses and ("calculator", "done") in statuses
    await session.client.aclose()


async def test_allow_once_asks_again_next_time(demo_gateway) -> None:
    asked: list[str] = []

    async def once(call: ToolCall, tool: Any) -> str:
        asked.append(call.name)
        return "once"

    session = make_session(demo_gateway, approve=once)
    await collect(session.send("calculate 1+1"))
    await collect(session.send("calculate 2+2"))
    assert asked == ["calculator", "calculator"]
    await session.client.aclose()


@pytest.mark.parametrize("stream", [True, False])
async def test_denial_streamed_and_not(demo_gateway, chat_request_validator, stream) -> None:
    async def deny(call: ToolCall, tool: Any) -> str:
        return "deny"

    session = make_session(demo_gateway, stream=stream, approve=deny)
    events = await collect(session.send("!parallel"))
    assert [(e.call.name, e.status) for e in events if isinstance(e, ToolCallStatus)] == [
        ("current_time", "waiting"),
        ("current_time", "denied"),
        ("calculator", "waiting"),
        ("calculator", "denied"),
    ]
    assert session.tool_runs == []
    follow_up = chat_bodies(demo_gateway)[-1]["messages"]
    assert [m["content"] for m in follow_up[-2:]] == ["The user declined to run this tool call."] * 2
    assert_bodies_valid(chat_bodies(demo_gateway), chat_request_validator)
    await session.client.aclose()


async def test_cancel_while_waiting_for_a_whole_reply(demo_gateway, chat_request_validator) -> None:
    """Not streamed: Esc while the request is out leaves a stopped, empty reply that is
    not sent again; the chat goes on."""
    session = make_session(demo_gateway, stream=False)
    task = asyncio.create_task(collect(session.send("!stall please")))
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 10
    while not chat_bodies(demo_gateway):
        assert loop.time() < deadline
        await asyncio.sleep(0.01)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    reply = session.conversation.messages[-1]
    assert reply.role == "assistant" and reply.state == "stopped" and not reply.content
    assert session.conversation.wire_messages() == [{"role": "user", "content": "!stall please"}]
    events = await collect(session.send("hello again"))
    assert isinstance(events[-1], ReplyFinished)
    assert [m["role"] for m in chat_bodies(demo_gateway)[-1]["messages"]] == ["user", "user"]
    assert_bodies_valid(chat_bodies(demo_gateway), chat_request_validator)
    await session.client.aclose()
