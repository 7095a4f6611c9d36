"""Issue 10 item 17: the history list counts the turns a user sees (prompts and
replies, not tool results) and its table spans the terminal's width."""

from __future__ import annotations

from pathlib import Path

from chatterm.api.types import ToolCall
from chatterm.engine.conversation import Conversation, Message
from chatterm.store import ChatStore

from .test_history_screen import Host, _listed, _table
from .waiting import wait_until


def _chat_with_a_tool_round(store: ChatStore) -> Conversation:
    conv = Conversation()
    conv.append(Message("user", "What time is it?"))
    conv.append(Message("assistant", "", tool_calls=[ToolCall("call-1", "current_time", "{}")], model="m"))
    conv.append(Message("tool", "2026-12-05T14:00:00Z", tool_call_id="call-1", name="current_time"))
    conv.append(Message("assistant", "It is 14:00.", model="m"))
    store.save_conversation(conv)
    return conv


def _table_width_used(app: Host) -> int:
    table = _table(app)
    return sum(column.get_render_width(table) for column in table.columns.values())


async def test_the_count_leaves_out_tool_messages(tmp_path: Path) -> None:
    store = ChatStore(tmp_path / "history.db")
    try:
        _chat_with_a_tool_round(store)
        app = Host(store, tmp_path)
        async with app.run_test(size=(120, 30)) as pilot:
            await _listed(pilot, rows=1)
            assert str(_table(app).get_row_at(0)[3]) == "3"
    finally:
        store.close()


async def test_the_table_spans_the_terminal_and_follows_a_resize(tmp_path: Path) -> None:
    store = ChatStore(tmp_path / "history.db")
    try:
        _chat_with_a_tool_round(store)
        app = Host(store, tmp_path)
        async with app.run_test(size=(160, 30)) as pilot:
            await _listed(pilot, rows=1)
            table = _table(app)
            await wait_until(pilot, lambda: _table_width_used(app) >= table.size.width - 3)
            await pilot.resize_terminal(200, 30)
            await wait_until(pilot, lambda: table.size.width > 180 and _table_width_used(app) >= table.size.width - 3)
            assert _table_width_used(app) <= table.size.width
    finally:
        store.close()
