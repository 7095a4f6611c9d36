"""Tabs: several chats open at once, each streaming, keeping its own model, toggles and
scroll position; opened from the history screen; closed; all saved at quit.

The real app on the demo gateway (loopback TCP) and a real SQLite history file.
"""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from typing import Any

from chatterm.tui.app import ChatApp
from chatterm.tui.widgets.message import AssistantMessageView
from chatterm.tui.widgets.status_bar import ModelChip
from chatterm.tui.widgets.tab_strip import STREAMING_MARK, UNSEEN_MARK, TabStrip

from .conftest import reply_done, send, wait_until

SIZE = (100, 30)
LONG = "!tokens=2000 !rate=200"
"""A paced reply of ~10 s: long enough to switch tabs while it streams, and see it end."""
SLOW = "!tokens=3000 !rate=100"
"""A reply of ~30 s, stopped long before its end."""


def strip_text(app: Any) -> str:
    return str(app.chat_screen.query_one(TabStrip).render())


def saved_chats(path: Any) -> dict[str, list[tuple[str, str, str]]]:
    """Chat title -> (role, state, text) of its messages, read from the SQLite file."""
    with sqlite3.connect(path) as db:
        chats = dict(db.execute("SELECT id, title FROM chats").fetchall())
        rows = db.execute("SELECT chat_id, role, state, content FROM messages ORDER BY created_at").fetchall()
    found: dict[str, list[tuple[str, str, str]]] = {title: [] for title in chats.values()}
    for chat_id, role, state, content in rows:
        found[chats[chat_id]].append((role, state, content or ""))
    return found


async def test_a_reply_streams_on_in_a_background_tab_and_is_whole(chat_context: Any) -> None:
    app = ChatApp(chat_context)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: app.session is not None)
        first = app.chat_screen
        await send(pilot, LONG)
        await wait_until(pilot, lambda: first.current_view is not None)
        await pilot.press("alt+t")
        await wait_until(pilot, lambda: app.chat_screen is not first)
        second = app.chat_screen
        assert len(app.conversation.messages) == 0  # a new chat, not the streaming one
        assert STREAMING_MARK in strip_text(app)
        assert first.replying  # still writing, out of sight

        await wait_until(pilot, lambda: not first.replying, timeout=30)
        assert UNSEEN_MARK in strip_text(app)  # finished while in the background

        await pilot.press("ctrl+pageup")
        await wait_until(pilot, lambda: app.chat_screen is first)
        await reply_done(pilot)
        [view] = first.query(AssistantMessageView)
        reply = view.message
        assert reply.state == "ok" and reply.finish_reason == "stop"
        assert view.body.text == reply.text and len(reply.text.split()) > 1000
        assert UNSEEN_MARK not in strip_text(app)
        assert second.is_attached  # the other tab is still open


async def new_tab(pilot: Any) -> Any:
    """Alt+T, and the new tab's screen once it is shown."""
    app: Any = pilot.app
    before = app.chat_screen
    await pilot.press("alt+t")
    await wait_until(pilot, lambda: app.chat_screen is not before and app.chat_screen.is_mounted)
    return app.chat_screen


async def switch(pilot: Any, key: str, screen: Any) -> None:
    await pilot.press(key)
    await wait_until(pilot, lambda: pilot.app.chat_screen is screen)


async def test_each_tab_keeps_its_model_toggles_and_settings(chat_context: Any, demo_gateway: Any) -> None:
    app = ChatApp(chat_context)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: app.session is not None)
        first = app.chat_screen
        app.set_model("claude-sonnet-4-5-20250929")
        await pilot.press("ctrl+t")  # thinking on in the first tab only
        thinking = app.settings.thinking
        app.settings = replace(app.settings, temperature=0.3)

        second = await new_tab(pilot)
        assert app.settings.thinking is not thinking and app.settings.temperature is None
        app.set_model("gpt-4o")
        await send(pilot, "hello from the second tab")
        await reply_done(pilot)

        await switch(pilot, "ctrl+pageup", first)
        assert (app.settings.model, app.settings.thinking, app.settings.temperature) == (
            "claude-sonnet-4-5-20250929",
            thinking,
            0.3,
        )
        assert "claude-sonnet-4-5" in str(first.status.query_one(ModelChip).render())
        await send(pilot, "hello from the first tab")
        await reply_done(pilot)

        await switch(pilot, "ctrl+pagedown", second)
        assert app.settings.model == "gpt-4o" and app.settings.thinking is not thinking
        assert "gpt-4o" in str(second.status.query_one(ModelChip).render())

    models = [r.body["model"] for r in demo_gateway.requests if r.path.endswith("/chat/completions")]
    assert models[-2:] == ["gpt-4o", "claude-sonnet-4-5-20250929"]


async def test_a_tab_keeps_its_scroll_position(chat_context: Any) -> None:
    app = ChatApp(chat_context)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: app.session is not None)
        first = app.chat_screen
        await send(pilot, "!tokens=600")
        await reply_done(pilot)
        pane = first.pane
        await wait_until(pilot, lambda: pane.max_scroll_y > 40)
        await pilot.press("pageup", "pageup")
        await wait_until(pilot, lambda: 0 < pane.scroll_y < pane.max_scroll_y - 20)
        kept = pane.scroll_y

        await new_tab(pilot)
        await send(pilot, "!tokens=300")
        await reply_done(pilot)
        await switch(pilot, "alt+left", first)
        await pilot.pause()
        assert pane.scroll_y == kept


async def test_the_history_screen_opens_a_chat_in_a_new_tab(chat_context: Any) -> None:
    from textual.widgets import DataTable

    from chatterm.tui.screens.history import HistoryScreen

    app = ChatApp(chat_context)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: app.session is not None)
        await send(pilot, "about otters")
        await reply_done(pilot)
        otters = app.conversation.id
        await pilot.press("ctrl+n")
        await send(pilot, "about wombats")
        await reply_done(pilot)
        wombats = app.conversation.id

        await pilot.press("ctrl+r")
        await wait_until(pilot, lambda: isinstance(app.screen, HistoryScreen))
        history: Any = app.screen
        table = history.query_one("#history-table", DataTable)
        await wait_until(pilot, lambda: table.row_count == 2)
        table.move_cursor(row=[str(r.key.value) for r in table.ordered_rows].index(otters))
        await pilot.press("alt+t")  # the new-tab key: the chosen chat in a new tab
        await wait_until(pilot, lambda: len(app.tabs) == 2 and app.conversation.id == otters)
        assert app.conversation.messages[0].text == "about otters"
        assert len(app.chat_screen.pane.views()) == 2
        assert app.tabs.tabs[0].conversation.id == wombats  # the first tab still shows its chat
        assert "about wombats" in strip_text(app) and "about otters" in strip_text(app)

        # Opening a chat that a tab shows goes to that tab, not into a second copy.
        await pilot.press("ctrl+r")
        await wait_until(pilot, lambda: isinstance(app.screen, HistoryScreen))
        table = app.screen.query_one("#history-table", DataTable)
        await wait_until(pilot, lambda: table.row_count == 2)
        table.move_cursor(row=[str(r.key.value) for r in table.ordered_rows].index(wombats))
        await pilot.press("enter")
        await wait_until(pilot, lambda: app.conversation.id == wombats)
        assert len(app.tabs) == 2 and app.tabs.active is app.tabs.tabs[0]


async def test_closing_a_streaming_tab_asks_then_keeps_the_partial_reply(chat_context: Any) -> None:
    from chatterm.tui.screens import ConfirmScreen

    app = ChatApp(chat_context)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: app.session is not None)
        first = app.chat_screen
        await send(pilot, "a quiet chat")
        await reply_done(pilot)
        second = await new_tab(pilot)
        await send(pilot, SLOW)
        await wait_until(pilot, lambda: second.current_view is not None)
        streaming_chat = app.conversation.id

        await pilot.press("alt+w")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("n")  # kept: still streaming
        await wait_until(pilot, lambda: app.screen is second)
        assert second.replying and len(app.tabs) == 2

        await pilot.press("alt+w")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await wait_until(pilot, lambda: len(app.tabs) == 1 and app.chat_screen is first)
        assert not second.is_attached
        assert not first.query_one(TabStrip).display  # one tab: no strip

        # An idle tab closes without asking; so does the first one, leaving the other.
        await new_tab(pilot)
        await pilot.press("alt+w")
        await wait_until(pilot, lambda: len(app.tabs) == 1 and app.chat_screen is first)
        third = await new_tab(pilot)
        await send(pilot, "in the third tab")
        await reply_done(pilot)
        await switch(pilot, "ctrl+pageup", first)
        await pilot.press("alt+w")
        await wait_until(pilot, lambda: len(app.tabs) == 1 and app.chat_screen is third)
        assert app.conversation.messages[0].text == "in the third tab"
        await send(pilot, "still working")
        await reply_done(pilot, replies=2)

    chats = saved_chats(chat_context.history_path)
    [messages] = [m for t, m in chats.items() if t.startswith("!tokens")]
    assert messages[0][0] == "user" and messages[1][:2] == ("assistant", "stopped")
    assert 0 < len(messages[1][2]) < 3000 * 4
    assert streaming_chat


async def test_quitting_saves_every_tab(chat_context: Any) -> None:
    app = ChatApp(chat_context)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: app.session is not None)
        first = app.chat_screen
        await send(pilot, SLOW)
        await wait_until(pilot, lambda: first.current_view is not None)
        await new_tab(pilot)
        await send(pilot, "the second chat")
        await reply_done(pilot)
        assert first.replying  # still writing in the background
        await pilot.press("ctrl+q")

    chats = saved_chats(chat_context.history_path)
    assert set(chats) == {SLOW, "the second chat"}
    assert [(role, state) for role, state, _ in chats["the second chat"]] == [("user", "ok"), ("assistant", "ok")]
    [prompt, reply] = chats[SLOW]
    assert prompt[0] == "user" and reply[0] == "assistant" and reply[1] == "stopped"
    assert reply[2]  # what it wrote before the quit


def test_tab_strip_snapshot(snap_compare: Any, tmp_path: Any) -> None:
    """Three tabs: the shown one highlighted, one writing (⋯), one with a reply that
    ended out of sight (•). Chats built in memory; the "writing" state is set on the
    screen directly (a paced reply would make the picture depend on timing)."""
    from chatterm.context import AppContext
    from chatterm.engine.conversation import Conversation, Message

    def chat(title: str) -> Conversation:
        conversation = Conversation()
        conversation.append(Message(role="user", content=title))
        conversation.append(Message(role="assistant", content=f"About {title.lower()}.", model="gpt-4o-mini"))
        return conversation

    context = AppContext.for_tests("http://127.0.0.1:9/v1", tmp_path)
    app = ChatApp(context, conversation=chat("Rust lifetimes"))

    async def three_tabs(pilot: Any) -> None:
        writing = await app.open_in_new_tab(chat("A long essay on tea"))
        await app.open_in_new_tab(chat("Otters"))
        await app.show_tab(app.tabs.tabs[0])
        assert writing is not None and writing.screen is not None
        writing.screen.replying = True
        app.tabs.tabs[2].unseen = True
        app.refresh_tab_strips()
        app.chat_screen.prompt.cursor_blink = False
        await pilot.pause()
        await pilot.pause()

    assert snap_compare(app, run_before=three_tabs, terminal_size=SIZE)


async def test_deleting_a_chat_a_background_tab_shows_gives_that_tab_a_new_chat(chat_context: Any) -> None:
    from textual.widgets import DataTable

    from chatterm.store import ChatStore
    from chatterm.tui.screens.history import HistoryScreen

    app = ChatApp(chat_context)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: app.session is not None)
        first = app.chat_screen
        await send(pilot, "soon deleted")
        await reply_done(pilot)
        doomed = app.conversation.id
        await new_tab(pilot)

        await pilot.press("ctrl+r")
        await wait_until(pilot, lambda: isinstance(app.screen, HistoryScreen))
        history: Any = app.screen
        table = history.query_one("#history-table", DataTable)
        await wait_until(pilot, lambda: table.row_count == 1)
        await pilot.press("d")
        await pilot.pause()
        await pilot.press("y")
        await wait_until(pilot, lambda: table.row_count == 0)
        await pilot.press("escape")
        await wait_until(pilot, lambda: not isinstance(app.screen, HistoryScreen))

        await switch(pilot, "ctrl+pageup", first)
        assert app.conversation.id != doomed and app.conversation.messages == []
        assert first.pane.views() == []
        await send(pilot, "a fresh start")
        await reply_done(pilot)
    with ChatStore(chat_context.history_path) as store:
        [chat] = store.list_chats()
        assert chat.id != doomed and chat.title == "a fresh start"


async def test_a_click_on_the_strip_shows_that_tab(chat_context: Any) -> None:
    app = ChatApp(chat_context)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: app.session is not None)
        first = app.chat_screen
        second = await new_tab(pilot)
        assert await pilot.click(TabStrip, offset=(2, 0))
        await wait_until(pilot, lambda: app.chat_screen is first)
        width = len(" 1 New chat │ 2 ")
        assert await pilot.click(TabStrip, offset=(width, 0))
        await wait_until(pilot, lambda: app.chat_screen is second)


async def test_a_background_tab_asking_to_run_a_tool_is_shown_with_its_question(chat_context: Any) -> None:
    from chatterm.tui.screens.approval import ToolApprovalScreen

    from .approving import approve

    app = ChatApp(chat_context)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: app.session is not None)
        first = app.chat_screen
        await send(pilot, "!parallel !rate=6")  # the tool calls arrive after a few paced frames
        await wait_until(pilot, lambda: first.current_view is not None)
        await new_tab(pilot)
        await wait_until(pilot, lambda: isinstance(app.screen, ToolApprovalScreen), timeout=20)
        assert app.tabs.active is app.tabs.tabs[0] and app.screen_stack[0] is first
        await approve(pilot)
        await approve(pilot)
        await reply_done(pilot, replies=2, timeout=60)
