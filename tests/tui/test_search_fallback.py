"""Search and its fallback in the running app, on the demo gateway: a plain 500 with
search on is retried as a 500 (with search, no word about search, no extra request);
a model that refuses search (Grok 4's `search_parameters is no longer supported`) is
remembered for the chat: the chip says so, later turns do not send the refused
request, and the chat reopened from its SQLite file still knows."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from chatterm.context import AppContext
from chatterm.store import ChatStore
from chatterm.tui.app import ChatApp
from chatterm.tui.widgets.error_row import ErrorRow
from chatterm.tui.widgets.status_bar import ToggleChip

from .conftest import reply_done, send, wait_until

SIZE = (110, 36)


def chat_bodies(gateway: Any) -> list[dict[str, Any]]:
    return [r.body for r in gateway.requests if r.path.endswith("/chat/completions")]


def toasts(app: ChatApp) -> list[str]:
    return [str(n.message) for n in app._notifications]


def search_chip(app: ChatApp) -> str:
    return str(app.chat_screen.query_one("#toggle-search", ToggleChip).render())


async def test_a_plain_server_error_is_not_blamed_on_search(demo_gateway: Any, tmp_path: Path) -> None:
    context = AppContext.for_tests(demo_gateway.base_url, tmp_path, model="qwen3-coder-plus", max_retries=2)
    app = ChatApp(context)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: app.session is not None)
        await pilot.press("f4")
        before = len(chat_bodies(demo_gateway))
        await send(pilot, "please fail !500")
        await wait_until(pilot, lambda: bool(app.chat_screen.query(ErrorRow)), timeout=20)
        await reply_done(pilot)
        sent = chat_bodies(demo_gateway)[before:]
        assert len(sent) == 3  # the first try and max_retries retries, no more
        assert all(body["parameters"]["enable_search"] is True for body in sent)
        assert not any("search" in text for text in toasts(app))
        assert "500" in str(app.chat_screen.query_one(ErrorRow).render())


async def test_a_refused_search_is_remembered_for_the_chat(demo_gateway: Any, tmp_path: Path) -> None:
    context = AppContext.for_tests(demo_gateway.base_url, tmp_path, model="grok-4")
    app = ChatApp(context)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: app.session is not None)
        await pilot.press("f4")
        assert "refused" not in search_chip(app)
        before = len(chat_bodies(demo_gateway))
        await send(pilot, "latest news")
        await reply_done(pilot)
        first_turn = chat_bodies(demo_gateway)[before:]
        assert ["search_parameters" in b for b in first_turn] == [True, False]
        assert any("web search is not supported here" in text for text in toasts(app))
        await wait_until(pilot, lambda: "Search refused" in search_chip(app))

        await send(pilot, "more news")
        await reply_done(pilot, replies=2)
        second_turn = chat_bodies(demo_gateway)[before + 2 :]
        assert ["search_parameters" in b for b in second_turn] == [False]  # not asked again
        assert app.settings.search  # the toggle is kept: another model may search
        chat_id = app.conversation.id
    context.finish_saving()

    reopened = AppContext.for_tests(demo_gateway.base_url, tmp_path)
    with ChatStore(reopened.history_path) as store:
        conversation = store.load(chat_id)
    app = ChatApp(reopened, conversation=conversation)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: "Search refused" in search_chip(app))
        app.set_model("grok-3")  # a model that searches: the chip is a plain toggle again
        await wait_until(pilot, lambda: "refused" not in search_chip(app))
