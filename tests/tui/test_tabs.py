"""Tabs: several chats open at once, each streaming, keeping its own model, toggles and
scroll position; opened from the history screen; closed; all saved at quit.

The real app on the demo gateway (loopback TCP) and a real SQLite history file.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from chatterm.tui.app import ChatApp
from chatterm.tui.widgets.message import AssistantMessageView
from chatterm.tui.widgets.tab_strip import STREAMING_MARK, UNSEEN_MARK, TabStrip

from .conftest import reply_done, send, wait_until

SIZE = (100, 30)
LONG = "!tokens=2000 !rate=250"
"""A paced reply of ~8 s: long enough to switch tabs while it streams."""


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
