"""A chat reopened at start (`chatterm -c` / `--chat ID`: the app built with
`conversation=store.load(...)`, exactly as `chatterm.cli` does) shows the same steppers
as the same chat opened from the history screen, and ←/→ step its branches. Demo
gateway on loopback, real SQLite file, a fresh context as a new process would have."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from chatterm.context import AppContext
from chatterm.store import ChatStore
from chatterm.tui.app import ChatApp
from chatterm.tui.widgets.message import AssistantMessageView, MessageView

from .conftest import reply_done, send, wait_until

SIZE = (100, 36)


def stepper(view: MessageView) -> str:
    if not view.stepper.has_class("-shown"):
        return ""
    return str(view.stepper.query_one("#branch-count").render()).strip()


async def a_regenerated_chat(context: AppContext) -> str:
    """one -> reply, Ctrl+R -> a second reply; the app quits. Returns the chat id."""
    app = ChatApp(context)
    async with app.run_test(size=SIZE) as pilot:
        await send(pilot, "one")
        await reply_done(pilot)
        first = app.conversation.messages[-1].id
        await pilot.press("ctrl+r")
        await wait_until(pilot, lambda: app.conversation.messages[-1].id != first)
        await reply_done(pilot)
        chat_id = app.conversation.id
    context.finish_saving()
    return chat_id


async def test_continue_shows_the_steppers_and_steps(demo_gateway: Any, tmp_path: Path) -> None:
    chat_id = await a_regenerated_chat(AppContext.for_tests(demo_gateway.base_url, tmp_path))

    context = AppContext.for_tests(demo_gateway.base_url, tmp_path)  # a new process
    with ChatStore(context.history_path) as store:
        assert store.last_chat_id() == chat_id
        conversation = store.load(chat_id)
    app = ChatApp(context, conversation=conversation)
    async with app.run_test(size=SIZE) as pilot:
        [reply] = app.chat_screen.query(AssistantMessageView)
        await wait_until(pilot, lambda: stepper(reply) == "2/2")
        second_text = reply.message.id
        reply.focus()
        await pilot.press("left")
        await wait_until(pilot, lambda: app.conversation.messages[-1].id != second_text)
        [reply] = app.chat_screen.query(AssistantMessageView)
        await wait_until(pilot, lambda: stepper(reply) == "1/2")
