"""Compare turns end to end on the demo gateway: one prompt, several models, sibling
replies in a real SQLite history, each lane stopped or failing on its own, and the chat
continuing from the picked reply."""

from __future__ import annotations

import pytest

from chatterm.api.types import TextDelta
from chatterm.engine.compare import CompareError, Comparison, LaneEnded, LaneEvent
from chatterm.engine.events import ReplyFinished, ReplyStarted, ToolCallStatus, UserMessageAdded
from chatterm.store import ChatStore

from .support import collect, make_session

MODELS = ["gpt-4o", "claude-sonnet-4-5-20250929"]


def saved_session(gateway, tmp_path, **kwargs):
    session = make_session(gateway, **kwargs)
    session.recorder = ChatStore(tmp_path / "history.db")
    return session


def requests_to(gateway, model: str) -> list[dict]:
    return [r.body for r in gateway.requests if isinstance(r.body, dict) and r.body.get("model") == model]


async def test_replies_stream_in_parallel_and_are_siblings_in_history(demo_gateway, tmp_path) -> None:
    session = saved_session(demo_gateway, tmp_path)
    comparison = Comparison(session, MODELS)
    events = await collect(comparison.send("Tell me about SQLite !tokens=40"))

    assert isinstance(events[0], UserMessageAdded)
    lane_events = [e for e in events if isinstance(e, LaneEvent)]
    starts = [i for i, e in enumerate(lane_events) if isinstance(e.event, ReplyStarted)]
    finishes = [i for i, e in enumerate(lane_events) if isinstance(e.event, ReplyFinished)]
    assert len(starts) == 2 and len(finishes) == 2
    assert max(starts) < min(finishes), "both requests are under way before either ends"
    assert [e.outcome for e in events if isinstance(e, LaneEnded)] == ["ok", "ok"]

    replies = [comparison.first_reply(i) for i in range(2)]
    assert [r.model for r in replies] == MODELS
    for lane, reply in enumerate(replies):
        text = "".join(e.event.text for e in lane_events if e.lane == lane and isinstance(e.event, TextDelta))
        assert reply.content == text and text
        assert reply.usage is not None and reply.usage.completion_tokens
        assert reply.timings is not None and reply.timings.time_to_first_token is not None
    assert replies[0].timings is not replies[1].timings

    prompt = comparison.prompt
    assert all(r.parent_id == prompt.id for r in replies)
    stored = session.recorder.siblings(replies[0].id)
    assert [m.id for m in stored] == [r.id for r in replies]
    assert [m.content for m in stored] == [r.content for r in replies]
    assert [h.chat_id for h in session.recorder.search("SQLite")]  # the index has the replies
    session.recorder.close()
    await session.client.aclose()


async def test_picking_a_reply_continues_the_chat_from_it(demo_gateway, tmp_path) -> None:
    session = saved_session(demo_gateway, tmp_path)
    comparison = Comparison(session, MODELS)
    await collect(comparison.send("first question"))
    second = comparison.first_reply(1)
    comparison.pick(1)
    assert session.conversation.settings.model == MODELS[1]
    assert session.conversation.messages[-1].id == second.id

    await collect(session.send("and then?"))
    sent = requests_to(demo_gateway, MODELS[1])[-1]["messages"]
    assistant = [m["content"] for m in sent if m["role"] == "assistant"]
    assert assistant == [second.content]
    # reopened from the history file, the chat is on the picked branch
    loaded = session.recorder.load(session.conversation.id)
    assert [m.id for m in loaded.messages][:3] == [comparison.prompt.id, second.id, loaded.messages[2].id]
    assert loaded.messages[1].model == MODELS[1]
    session.recorder.close()
    await session.client.aclose()


async def test_one_failing_model_does_not_stop_the_others(demo_gateway, tmp_path) -> None:
    session = saved_session(demo_gateway, tmp_path)
    comparison = Comparison(session, ["gpt-4o", "no-such-model"])
    events = await collect(comparison.send("hello there"))
    ended = {e.lane: e for e in events if isinstance(e, LaneEnded)}
    assert ended[0].outcome == "ok" and ended[1].outcome == "failed"
    assert "no-such-model" in str(ended[1].error)
    assert comparison.prompt.state == "ok", "the prompt is not failed while one reply succeeded"
    assert session.conversation.messages[-1].model == "gpt-4o"
    assert session.conversation.wire_messages()[0]["content"] == "hello there"
    session.recorder.close()
    await session.client.aclose()


async def test_every_model_failing_hands_the_prompt_back(demo_gateway, tmp_path) -> None:
    session = saved_session(demo_gateway, tmp_path)
    comparison = Comparison(session, ["gpt-4o", "claude-sonnet-4-5-20250929"])
    events = await collect(comparison.send("boom !500"))
    assert [e.outcome for e in events if isinstance(e, LaneEnded)] == ["failed", "failed"]
    assert comparison.prompt.state == "failed"
    assert session.conversation.settings.model == "gpt-4o-mini", "the chat's model is kept"
    session.recorder.close()
    await session.client.aclose()


async def test_one_lane_is_stopped_alone(demo_gateway, tmp_path) -> None:
    session = saved_session(demo_gateway, tmp_path)
    comparison = Comparison(session, MODELS)
    outcomes: dict[int, str] = {}
    async for event in comparison.send("a long one !tokens=60 !rate=200"):
        if isinstance(event, LaneEvent) and event.lane == 0 and isinstance(event.event, TextDelta):
            comparison.stop(0)
        if isinstance(event, LaneEnded):
            outcomes[event.lane] = event.outcome
    assert outcomes == {0: "stopped", 1: "ok"}
    stopped, finished = comparison.first_reply(0), comparison.first_reply(1)
    assert stopped.state == "stopped" and finished.state == "ok"
    assert len(finished.content) > len(stopped.content)
    stored = {m.id: m for m in session.recorder.siblings(finished.id)}
    assert stored[stopped.id].state == "stopped"
    session.recorder.close()
    await session.client.aclose()


async def test_the_tool_loop_runs_per_reply(demo_gateway, tmp_path) -> None:
    session = saved_session(demo_gateway, tmp_path)
    comparison = Comparison(session, MODELS)
    events = await collect(comparison.send("calculate 2+3*4"))
    done = [
        (e.lane, e.event.call.name)
        for e in events
        if isinstance(e, LaneEvent) and isinstance(e.event, ToolCallStatus) and e.event.status == "done"
    ]
    assert sorted(done) == [(0, "calculator"), (1, "calculator")]
    for lane in range(2):
        messages = comparison.lanes[lane].conversation.messages
        assert [m.role for m in messages] == ["user", "assistant", "tool", "assistant"]
        assert messages[2].parent_id == messages[1].id and "14" in messages[2].content
    comparison.pick(1)
    assert session.conversation.messages[-1].model == MODELS[1]
    session.recorder.close()
    await session.client.aclose()


@pytest.mark.parametrize("models", [["gpt-4o"], ["a", "b", "c", "d", "e"], ["gpt-4o", " "]])
async def test_a_comparison_takes_two_to_four_models(demo_gateway, models) -> None:
    session = make_session(demo_gateway)
    with pytest.raises(CompareError):
        Comparison(session, models)
    await session.client.aclose()
