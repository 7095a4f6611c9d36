"""A failed turn says it was not sent to the model, live and when the chat is opened
again, and the next request indeed leaves it out; the prompt that comes back after a
failure is selected, so typing replaces it. The real app on the demo gateway (a `!500`
prompt is a 500 every time), real SQLite history."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from chatterm.context import AppContext
from chatterm.store import ChatStore
from chatterm.tui.app import ChatApp
from chatterm.tui.widgets.error_row import ErrorRow
from chatterm.tui.widgets.message import AssistantMessageView, UserMessageView

from .conftest import reply_done, send, wait_until

SIZE = (100, 36)


def notes(app: ChatApp) -> list[str]:
    return [str(n.render()) for n in app.chat_screen.query(".not-sent-note")]


def chat_bodies(gateway: Any) -> list[dict[str, Any]]:
    return [r.body for r in gateway.requests if r.path.endswith("/chat/completions")]


async def test_a_failed_turn_is_marked_not_sent_and_its_prompt_is_replaced_by_typing(
    demo_gateway: Any, tmp_path: Path
) -> None:
    context = AppContext.for_tests(demo_gateway.base_url, tmp_path, max_retries=0)
    app = ChatApp(context)
    async with app.run_test(size=SIZE) as pilot:
        await send(pilot, "please fail !500")
        await wait_until(pilot, lambda: bool(app.chat_screen.query(ErrorRow)))
        await reply_done(pilot)
        [user] = app.chat_screen.query(UserMessageView)
        await wait_until(pilot, lambda: len(notes(app)) == 1)
        assert "Not sent to the model" in notes(app)[0] and user.has_class("-failed")
        [reply] = app.chat_screen.query(AssistantMessageView)
        assert "not sent to the model" in str(reply.header.render())

        prompt = app.chat_screen.prompt
        assert prompt.text == "please fail !500" and app.focused is prompt
        await pilot.press("h", "i")
        assert prompt.text == "hi"
        await pilot.press("enter")
        await reply_done(pilot, replies=2)
        sent = [m["content"] for m in chat_bodies(demo_gateway)[-1]["messages"] if m["role"] == "user"]
        assert sent == ["hi"]
        chat_id = app.conversation.id
    context.finish_saving()

    reopened = AppContext.for_tests(demo_gateway.base_url, tmp_path)
    with ChatStore(reopened.history_path) as store:
        conversation = store.load(chat_id)
    app = ChatApp(reopened, conversation=conversation)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: len(app.chat_screen.query(UserMessageView)) == 2)
        failed, ok = app.chat_screen.query(UserMessageView)
        assert failed.has_class("-failed") and not ok.has_class("-failed")
        assert len(notes(app)) == 1
