"""Reasoning that arrives after the answer started (some families interleave it) is
still shown: appended to the thinking block, which is folded once when the answer
starts and then left as the user has it. The events are scripted (the demo gateway
always sends reasoning first) and fed through the chat screen's real reply worker,
gated so each step is seen on screen before the next one arrives."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from typing import Any

from chatterm.api.types import ReasoningDelta, TextDelta
from chatterm.engine.conversation import Message
from chatterm.engine.events import EngineEvent, ReplyFinished, ReplyStarted
from chatterm.tui.app import ChatApp
from chatterm.tui.widgets.message import AssistantMessageView
from chatterm.tui.widgets.thinking import ThinkingBlock

from .conftest import reply_done, wait_until

SIZE = (100, 36)


class Script:
    """Yields the reply's events step by step; `release()` lets the next step out."""

    def __init__(self, steps: list[list[EngineEvent]]) -> None:
        self.steps = steps
        self.gate = asyncio.Event()
        self.reply = Message(role="assistant", content="", model="qwen3-coder-plus", state="streaming")

    def release(self) -> None:
        self.gate.set()

    async def events(self) -> AsyncIterator[EngineEvent]:
        yield ReplyStarted(self.reply)
        for step in self.steps:
            await self.gate.wait()
            self.gate.clear()
            for event in step:
                match event:
                    case TextDelta(text=text):
                        self.reply.content = (self.reply.content or "") + text
                    case ReasoningDelta(text=text):
                        self.reply.reasoning = (self.reply.reasoning or "") + text
                yield event
        self.reply.state = "ok"
        yield ReplyFinished(self.reply)


async def start(pilot: Any, script: Script) -> AssistantMessageView:
    app: Any = pilot.app
    app.chat_screen.run_reply(script.events)
    await wait_until(pilot, lambda: app.chat_screen.current_view is not None)
    return app.chat_screen.current_view


async def step(pilot: Any, script: Script, condition: Any) -> None:
    script.release()
    await wait_until(pilot, condition)


async def test_late_reasoning_is_appended_to_the_folded_block(chat_context: Any) -> None:
    script = Script(
        [
            [ReasoningDelta("First I plan. ")],
            [TextDelta("The answer ")],
            [ReasoningDelta("Then I check again.")],
            [TextDelta("is 42.")],
        ]
    )
    app = ChatApp(chat_context)
    async with app.run_test(size=SIZE) as pilot:
        view = await start(pilot, script)
        await step(pilot, script, lambda: view.thinking is not None and view.thinking.body.text)
        thinking = view.thinking
        assert thinking is not None and not thinking.collapsed
        await step(pilot, script, lambda: "The answer" in view.body.text)
        assert thinking.collapsed  # the answer started: folded
        await step(pilot, script, lambda: "check again" in thinking.body.text)
        assert thinking.collapsed, "late reasoning must not re-open the block"
        script.release()
        await reply_done(pilot)
        assert list(view.query(ThinkingBlock)) == [thinking]
        assert thinking.body.text == "First I plan. Then I check again." == script.reply.reasoning
        assert thinking.collapsed and re.fullmatch(r"Thought for \d+\.\d s · 33 chars", thinking.title)
        assert "The answer is 42." in view.body.text


async def test_late_reasoning_keeps_a_block_the_user_opened(chat_context: Any) -> None:
    script = Script(
        [
            [ReasoningDelta("Plan. ")],
            [TextDelta("Answer.")],
            [ReasoningDelta("More.")],
        ]
    )
    app = ChatApp(chat_context)
    async with app.run_test(size=SIZE) as pilot:
        view = await start(pilot, script)
        await step(pilot, script, lambda: view.thinking is not None and view.thinking.body.text)
        await step(pilot, script, lambda: "Answer." in view.body.text)
        thinking = view.thinking
        assert thinking is not None and thinking.collapsed
        # The click aims at the title as painted: after the frame that draws the answer.
        await wait_until(pilot, lambda: "Answer." in "".join(str(w.source) for w in view.body.children))
        await pilot.pause()
        await pilot.click(thinking.query_one("CollapsibleTitle"))
        assert not thinking.collapsed  # the user opened it to read along
        await step(pilot, script, lambda: "More." in thinking.body.text)
        script.release()
        await reply_done(pilot)
        assert not thinking.collapsed, "the end of the reply must not fold what the user opened"
        assert thinking.body.text == "Plan. More."


async def test_reasoning_that_starts_after_the_answer_gets_a_folded_block(chat_context: Any) -> None:
    script = Script(
        [
            [TextDelta("Straight to the answer. ")],
            [ReasoningDelta("Afterthought.")],
            [TextDelta("Done.")],
        ]
    )
    app = ChatApp(chat_context)
    async with app.run_test(size=SIZE) as pilot:
        view = await start(pilot, script)
        await step(pilot, script, lambda: "Straight" in view.body.text)
        assert view.thinking is None
        await step(pilot, script, lambda: view.thinking is not None and view.thinking.body.text == "Afterthought.")
        assert view.thinking is not None and view.thinking.collapsed
        assert view.children.index(view.thinking) < view.children.index(view.body)  # above the answer
        script.release()
        await reply_done(pilot)
        assert re.fullmatch(r"Thought for \d+\.\d s · 13 chars", view.thinking.title) and view.thinking.collapsed
