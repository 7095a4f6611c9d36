"""An endless reply stays cheap (issue 9 item 5): a flush writes what arrived, not the
whole reply again; the reply is indexed for search once, when it is saved whole; a stop
does not wait for the history file. Real SQLite files, the demo gateway over loopback."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from chatterm.api.client import ChatClient
from chatterm.api.types import TextDelta
from chatterm.engine.conversation import ChatSettings, Conversation, Message
from chatterm.engine.session import ChatSession, EngineOptions
from chatterm.store import ChatStore
from chatterm.store.writer import HistoryWriter


def _session(gateway: Any, recorder: Any, flush_interval: float = 0.02) -> ChatSession:
    from chatterm.demo import DEMO_API_KEY

    return ChatSession(
        ChatClient(gateway.base_url, DEMO_API_KEY, max_retries=0),
        Conversation(settings=ChatSettings(model="gpt-4o-mini")),
        recorder=recorder,
        options=EngineOptions(flush_interval=flush_interval),
    )


def _wal_frames(db: Path) -> int:
    """Pages in the WAL since the last checkpoint (each commit appends its pages)."""
    conn = sqlite3.connect(db)
    try:
        return int(conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()[1])
    finally:
        conn.close()


def _checkpoint(db: Path) -> None:
    conn = sqlite3.connect(db)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()


def test_a_flush_writes_what_arrived_however_long_the_reply(store: ChatStore, db_path: Path) -> None:
    conv = Conversation()
    reply = Message("assistant", "", state="streaming")
    conv.append(reply)
    store.save_message(conv, reply)
    for _ in range(50):  # 5 MB already streamed
        store.append_text(conv, reply, "x" * 100_000)
    _checkpoint(db_path)
    store.append_text(conv, reply, "one more sentence. ")
    # One small insert: a handful of pages, not the 5 MB reply (~1,250 pages) again.
    assert _wal_frames(db_path) <= 8
    loaded = store.load(conv.id).messages[-1]
    assert loaded.content == "x" * 5_000_000 + "one more sentence. "
    assert loaded.state == "streaming"


def test_a_streaming_reply_is_indexed_once_when_it_is_saved_whole(store: ChatStore) -> None:
    conv = Conversation()
    reply = Message("assistant", "", state="streaming")
    conv.append(reply)
    store.save_message(conv, reply)
    store.append_text(conv, reply, "the zebra ")
    store.append_text(conv, reply, "crossed")
    assert store.search("zebra") == []  # not indexed while it is written
    reply.content, reply.state = "the zebra crossed", "ok"
    store.save_message(conv, reply)
    hits = store.search("zebra")
    assert [h.message_id for h in hits] == [reply.id]
    assert store.load(conv.id).messages[-1].content == "the zebra crossed"  # parts folded, not doubled


async def test_the_engine_hands_the_store_only_the_new_text_at_each_flush(demo_gateway, tmp_path: Path) -> None:
    handed: list[int] = []

    class CountingStore(ChatStore):
        """A real store that notes how much reply text each flush hands it."""

        def save_message(self, conversation: Conversation, message: Message) -> None:
            if message.role == "assistant" and message.state == "streaming":
                handed.append(len(message.content or ""))
            super().save_message(conversation, message)

        def append_text(self, conversation: Conversation, message: Message, content: str, reasoning: str = "") -> None:
            handed.append(len(content) + len(reasoning))
            super().append_text(conversation, message, content, reasoning)

    with CountingStore(tmp_path / "history.db") as store:
        session = _session(demo_gateway, store)
        async for _event in session.send("!tokens=3000 !rate=6000 go"):
            pass
        await session.client.aclose()
        final = session.conversation.messages[-1].content or ""
        assert len(handed) > 5  # it flushed along the way
        # Each flush carried only what arrived: together no more than the reply itself
        # (rewriting the whole reply each time would hand over several times as much).
        assert sum(handed) <= len(final)
        assert store.load(session.conversation.id).messages[-1].content == final


async def test_a_stop_does_not_wait_for_the_history_file(demo_gateway, tmp_path: Path) -> None:
    """The stop is the engine's at once; the stopped reply reaches the file when the
    file lets it (here a lock held by another connection)."""
    db = tmp_path / "history.db"
    writer = HistoryWriter(db)
    session = _session(demo_gateway, writer)
    got_text = asyncio.Event()

    async def consume() -> None:
        async for event in session.send("!stall tell me"):
            if isinstance(event, TextDelta):
                got_text.set()

    task = asyncio.create_task(consume())
    await asyncio.wait_for(got_text.wait(), 10)
    assert writer.wait_saved(10)
    other = sqlite3.connect(db, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another process holds the write lock
    try:
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert session.conversation.messages[-1].state == "stopped"
        assert writer.unsaved > 0  # the stop came back while its write still waited
    finally:
        other.execute("COMMIT")
        other.close()
    assert writer.close(10)
    await session.client.aclose()
    with ChatStore(db) as store:
        reply = store.load(session.conversation.id).messages[-1]
    assert reply.state == "stopped" and reply.content == session.conversation.messages[-1].content
