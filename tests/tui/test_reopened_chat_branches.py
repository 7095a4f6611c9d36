"""A chat reopened at start (`chatterm -c` / `--chat ID`: the app built with
`conversation=store.load(...)`, exactly as `chatterm.cli` does) shows the same steppers
as the same chat opened from the history screen, and ←/→ step its branches. Demo
gateway on loopback, real SQLite file, a fresh context as a new process would have."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual.widgets import DataTable

from chatterm.context import AppContext
from chatterm.store import ChatStore
from chatterm.tui.app import ChatApp
from chatterm.tui.screens.history import HistoryScreen
from chatterm.tui.widgets.message import AssistantMessageView, MessageView

from .conftest import edit_first_prompt, reply_done, send, wait_until

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
        await pilot.press("ctrl+up", "r")  # message mode: regenerate
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


def digest(app: ChatApp) -> list[tuple[str, str, str, bool]]:
    """What a user sees of each message: role, text, stepper, failed mark."""
    return [(v.message.role, v.message.text, stepper(v), v.has_class("-failed")) for v in app.chat_screen.pane.views()]


async def test_the_same_chat_looks_the_same_from_continue_and_from_history(demo_gateway: Any, tmp_path: Path) -> None:
    """The issue's story: edit a prompt, regenerate, quit, reopen with -c; then open the
    same chat from the history screen: both show the same messages and steppers."""
    context = AppContext.for_tests(demo_gateway.base_url, tmp_path)
    app = ChatApp(context)
    async with app.run_test(size=SIZE) as pilot:
        await edit_first_prompt(pilot, "first wording", "second wording")
        last = app.conversation.messages[-1].id
        await pilot.press("ctrl+up", "r")  # message mode: regenerate
        await wait_until(pilot, lambda: app.conversation.messages[-1].id != last)
        await reply_done(pilot)
        chat_id = app.conversation.id
    context.finish_saving()

    context = AppContext.for_tests(demo_gateway.base_url, tmp_path)
    with ChatStore(context.history_path) as store:
        conversation = store.load(store.last_chat_id() or "")
    app = ChatApp(context, conversation=conversation)
    async with app.run_test(size=SIZE) as pilot:
        expected = [("user", "second wording", "2/2", False)]
        await wait_until(pilot, lambda: digest(app)[:1] == expected and digest(app)[1][2] == "2/2")
        from_continue = digest(app)

        await pilot.press("ctrl+n")
        await wait_until(pilot, lambda: not app.chat_screen.pane.views())
        await pilot.press("f8")
        await wait_until(pilot, lambda: isinstance(app.screen, HistoryScreen))
        table = app.screen.query_one("#history-table", DataTable)
        keys = [str(row.key.value) for row in table.ordered_rows]
        table.move_cursor(row=keys.index(chat_id))
        await pilot.pause()
        await pilot.press("enter")
        await wait_until(pilot, lambda: not isinstance(app.screen, HistoryScreen))
        await wait_until(pilot, lambda: digest(app) == from_continue)
