"""A long lock never loses a chat (issue 9 item 6): while another process holds the
write lock, the chat waits in memory and is written when the lock frees; history stays
on; long writers (import, delete) commit in chunks. Real SQLite files; the "other
process" is a second connection holding `BEGIN IMMEDIATE`."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path
from typing import Any

from chatterm.api.client import ChatClient
from chatterm.api.types import Notice
from chatterm.engine.conversation import ChatSettings, Conversation, Message
from chatterm.engine.session import ChatSession
from chatterm.store import ChatStore
from chatterm.store.writer import ATTEMPT_MS, HistoryWriter


def _session(gateway: Any, recorder: Any) -> ChatSession:
    from chatterm.demo import DEMO_API_KEY

    return ChatSession(
        ChatClient(gateway.base_url, DEMO_API_KEY, max_retries=0),
        Conversation(settings=ChatSettings(model="gpt-4o-mini")),
        recorder=recorder,
    )


def _hold_lock(db: Path) -> sqlite3.Connection:
    other = sqlite3.connect(db, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    return other


def _chat_ids(db: Path) -> list[str]:
    with ChatStore(db) as reader:  # WAL: a reader is never blocked by the lock
        return [c.id for c in reader.list_chats()]


async def test_chats_written_under_a_long_lock_are_saved_when_it_frees(demo_gateway, tmp_path: Path) -> None:
    db = tmp_path / "history.db"
    writer = HistoryWriter(db)
    session = _session(demo_gateway, writer)
    lock = _hold_lock(db)
    try:
        events = [e async for e in session.send("hello")]
        events += [e async for e in session.send("and again")]
        # Held far past one write's wait: nothing could be written, nothing is lost.
        assert not writer.wait_saved(6 * ATTEMPT_MS / 1000)
        assert _chat_ids(db) == []
        assert session.recorder is writer  # history was not turned off
        assert not [e for e in events if isinstance(e, Notice) and "History is off" in e.text]
    finally:
        lock.execute("COMMIT")
        lock.close()
    assert writer.close(10)
    with ChatStore(db) as store:
        messages = store.load(session.conversation.id).messages
    assert [(m.role, m.state) for m in messages] == [("user", "ok"), ("assistant", "ok")] * 2
    assert [m.content for m in messages] == [m.content for m in session.conversation.messages]
    await session.client.aclose()


def test_a_lock_that_never_frees_is_reported_not_hidden(tmp_path: Path) -> None:
    db = tmp_path / "history.db"
    writer = HistoryWriter(db)
    lock = _hold_lock(db)
    try:
        conv = Conversation()
        conv.append(Message("user", "hi"))
        writer.save_message(conv, conv.messages[-1])
        time.sleep(0)  # the thread takes it from here
        assert not writer.close(1.5)
        assert "locked" in writer.problem(1.5) and str(db) in writer.problem(1.5)
    finally:
        lock.execute("ROLLBACK")
        lock.close()


def _export_of(messages: int) -> dict[str, Any]:
    conv = Conversation()
    for n in range(messages):
        conv.append(Message("user" if n % 2 == 0 else "assistant", f"message {n}"))
    from chatterm.store.export import chat_to_export

    return chat_to_export(conv, conv.messages, conv.messages[-1].id)


def _commits_during(store: ChatStore, work: Any) -> int:
    commits = 0

    def trace(statement: str) -> None:
        nonlocal commits
        commits += statement.strip().upper() == "COMMIT"

    assert store._conn is not None
    store._conn.set_trace_callback(trace)
    try:
        work()
    finally:
        store._conn.set_trace_callback(None)
    return commits


def test_a_big_import_and_delete_commit_in_chunks(store: ChatStore) -> None:
    store.chunk_rows = 100
    chat_id = ""

    def do_import() -> None:
        nonlocal chat_id
        chat_id = store.import_json(_export_of(1000))

    assert _commits_during(store, do_import) >= 10  # nobody waits for one 1,000-row transaction
    assert store.summary(chat_id).message_count == 1000
    assert _commits_during(store, lambda: store.delete(chat_id)) >= 10
    assert store.count_chats() == 0
