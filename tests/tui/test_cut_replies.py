"""A reply the token limit cut (`finish_reason: length`) or a content filter stopped
does not look finished: a line under it says why, and "Continue" (click or Enter) asks
the model to go on. The same line shows when the chat is opened again. The real app
on the demo gateway (`max_tokens` cuts its replies; `!filtered` is its content filter),
real SQLite history."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from chatterm.context import AppContext
from chatterm.engine.finish_reasons import CONTINUE_PROMPT
from chatterm.store import ChatStore
from chatterm.tui.app import ChatApp
from chatterm.tui.widgets.cut_note import ContinueLink, CutNote
from chatterm.tui.widgets.message import AssistantMessageView

from .conftest import reply_done, send, wait_until

SIZE = (100, 36)


def cut_lines(app: ChatApp) -> list[str]:
    return [
        " ".join(str(s.render()) for s in note.query(".cut-why, ContinueLink"))
        for note in app.chat_screen.query(CutNote)
    ]


def chat_bodies(gateway: Any) -> list[dict[str, Any]]:
    return [r.body for r in gateway.requests if r.path.endswith("/chat/completions")]


async def test_a_cut_reply_says_so_and_continues(demo_gateway: Any, tmp_path: Path) -> None:
    context = AppContext.for_tests(demo_gateway.base_url, tmp_path)
    app = ChatApp(context)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: app.session is not None)
        app.settings = replace(app.settings, max_tokens=6)
        await send(pilot, "Tell me about tea")
        await reply_done(pilot)
        assert app.conversation.messages[-1].finish_reason == "length"
        await wait_until(pilot, lambda: len(cut_lines(app)) == 1)
        assert cut_lines(app) == ["✂ Cut at the max-tokens limit · Continue"]

        before = len(chat_bodies(demo_gateway))
        await pilot.click(ContinueLink)
        await reply_done(pilot, replies=2)
        [body] = chat_bodies(demo_gateway)[before:]
        assert body["messages"][-1] == {"role": "user", "content": CONTINUE_PROMPT}
        assert [m["role"] for m in body["messages"]][-2] == "assistant"  # the cut reply goes with it
        chat_id = app.conversation.id
    context.finish_saving()

    reopened = AppContext.for_tests(demo_gateway.base_url, tmp_path)
    with ChatStore(reopened.history_path) as store:
        conversation = store.load(chat_id)
    app = ChatApp(reopened, conversation=conversation)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: len(app.chat_screen.query(AssistantMessageView)) == 2)
        assert len(cut_lines(app)) == 2  # the continued reply was cut at 6 tokens too
        first = app.chat_screen.query(AssistantMessageView).first()
        assert first.query(CutNote)


async def test_a_filtered_reply_says_so_without_continue(chat_context: Any) -> None:
    app = ChatApp(chat_context)
    async with app.run_test(size=SIZE) as pilot:
        await send(pilot, "tell me !filtered")
        await reply_done(pilot)
        await wait_until(pilot, lambda: len(cut_lines(app)) == 1)
        assert cut_lines(app) == ["✂ Stopped by the provider's content filter"]
        assert not app.chat_screen.query(ContinueLink)
