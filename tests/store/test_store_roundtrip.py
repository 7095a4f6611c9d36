"""Save / reload: a reloaded chat continues exactly where it was."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from chatterm.engine.conversation import Conversation, Message
from chatterm.store import ChatStore, StoreError, UnknownChatError
from tests.store.store_helpers import rich_conversation, save_all, simple_chat


def test_reload_in_a_new_process_gives_the_same_conversation(db_path: Path) -> None:
    conv = rich_conversation()
    with ChatStore(db_path) as store:
        save_all(store, conv)
    with ChatStore(db_path) as store:
        loaded = store.load(conv.id)

    assert loaded.wire_messages() == conv.wire_messages()
    assert [m.to_dict() for m in loaded.messages] == [m.to_dict() for m in conv.messages]
    assert loaded.settings == conv.settings
    assert loaded.title == "What time is it in Paris?"
    assert not loaded.title_is_custom
    assert loaded.created_at == conv.created_at and loaded.updated_at == conv.updated_at
    call = loaded.messages[1].tool_calls[0]
    assert call.to_wire()["extra_content"] == {"google": {"thought_signature": "c2lnbmF0dXJl"}}
    assert loaded.messages[1].reasoning == "I should call the clock tool."
    assert loaded.messages[1].usage is not None and loaded.messages[1].usage.reasoning_tokens == 20
    assert loaded.messages[3].citations[0].title == "Paris time"
    assert loaded.messages[5].state == "failed"
    assert loaded.models == ["gemini-2.5-pro", "gpt-4o"]


def test_streaming_flushes_update_one_row(store: ChatStore, db_path: Path) -> None:
    conv = Conversation()
    user = conv.append(Message("user", "Write a poem"))
    store.save_message(conv, user)
    reply = conv.append(Message("assistant", "", model="m1", state="streaming"))
    for chunk in ["Roses ", "are ", "red"]:
        reply.content = (reply.content or "") + chunk
        store.save_message(conv, reply)

    raw = sqlite3.connect(db_path)
    rows = raw.execute("SELECT role, content, state FROM messages ORDER BY seq").fetchall()
    raw.close()
    assert rows == [("user", "Write a poem", "ok"), ("assistant", "Roses are red", "streaming")]

    reply.state = "ok"
    store.save_message(conv, reply)
    assert store.load(conv.id).messages[-1].state == "ok"


def test_save_message_before_save_chat_creates_the_chat(store: ChatStore) -> None:
    conv = Conversation()
    m = conv.append(Message("user", "first words"))
    store.save_message(conv, m)
    assert store.load(conv.id).messages[0].content == "first words"
    assert store.list_chats()[0].title == "first words"


def test_list_newest_first_with_models_and_counts(store: ChatStore) -> None:
    old = simple_chat(store, "old question", "old answer", model="a", updated_at=1000.0)
    new = simple_chat(store, "new question", "new answer", model="b", updated_at=2000.0)
    conv = store.load(old.id)
    conv.append(Message("user", "follow-up"))
    conv.append(Message("assistant", "switched model", model="c"))
    conv.updated_at = 3000.0
    save_all(store, conv)

    chats = store.list_chats()
    assert [c.id for c in chats] == [old.id, new.id]
    assert chats[0].models == ["a", "c"]
    assert chats[0].message_count == 4
    assert chats[1].title == "new question"
    assert [c.id for c in store.list_chats(limit=1, offset=1)] == [new.id]
    assert store.last_chat_id() == old.id


def test_empty_store(store: ChatStore) -> None:
    assert store.list_chats() == []
    assert store.last_chat_id() is None
    assert store.search("anything") == []


def test_id_prefix_resolution(store: ChatStore) -> None:
    a = Conversation(id="abc123" + "0" * 26)
    b = Conversation(id="abd456" + "0" * 26)
    for conv in (a, b):
        conv.append(Message("user", "hi"))
        save_all(store, conv)
    assert store.load("abc").id == a.id
    assert store.resolve_id("abd4") == b.id
    with pytest.raises(UnknownChatError, match="ambiguous"):
        store.resolve_id("ab")
    with pytest.raises(UnknownChatError, match=r"history\.db"):
        store.load("zzz")


def test_rename_is_kept_over_later_saves(store: ChatStore) -> None:
    conv = simple_chat(store, "a prompt", "a reply")
    store.rename(conv.id, "  My title  ")
    loaded = store.load(conv.id)
    assert loaded.title == "My title" and loaded.title_is_custom
    with pytest.raises(StoreError):
        store.rename(conv.id, "   ")


def test_delete_removes_messages_and_search_rows(store: ChatStore, db_path: Path) -> None:
    keep = simple_chat(store, "keep the walrus", "walrus kept")
    gone = simple_chat(store, "delete the walrus", "walrus gone")
    store.delete(gone.id[:10])

    assert [c.id for c in store.list_chats()] == [keep.id]
    assert {h.chat_id for h in store.search("walrus")} == {keep.id}
    raw = sqlite3.connect(db_path)
    assert raw.execute("SELECT COUNT(*) FROM messages WHERE chat_id = ?", (gone.id,)).fetchone() == (0,)
    assert raw.execute("SELECT COUNT(*) FROM messages_fts").fetchone() == (2,)
    raw.execute("INSERT INTO messages_fts(messages_fts) VALUES ('integrity-check')")
    raw.close()


def test_store_settings_on_open(db_path: Path) -> None:
    with ChatStore(db_path) as store:
        conn = store._conn
        assert conn is not None
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert conn.execute("PRAGMA busy_timeout").fetchone()[0] >= 1000


def test_closed_store_says_so(db_path: Path) -> None:
    store = ChatStore(db_path)
    store.close()
    with pytest.raises(StoreError, match="closed"):
        store.list_chats()


def test_a_rename_survives_saves_from_a_window_holding_the_old_title(store: ChatStore) -> None:
    conv = simple_chat(store, "auto title", "reply")
    store.rename(conv.id, "Chosen by the user")  # e.g. from the history screen
    conv.append(Message("user", "more"))  # the chat pane still holds title="auto title"
    store.save_chat(conv)
    store.save_message(conv, conv.messages[-1])
    loaded = store.load(conv.id)
    assert loaded.title == "Chosen by the user" and loaded.title_is_custom
    assert len(loaded.messages) == 3


def test_corruption_found_after_opening_is_reported_as_damage(db_path: Path) -> None:
    from chatterm.store import DamagedStoreError

    with ChatStore(db_path) as store:
        for i in range(200):
            simple_chat(store, f"prompt {i} " + "words " * 50, "reply " * 50)
    raw = sqlite3.connect(db_path)
    raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    raw.close()
    data = bytearray(db_path.read_bytes())
    page = 4096
    data[page * 8 : page * 40] = b"\xff" * (page * 32)  # destroy data pages, keep schema
    db_path.write_bytes(bytes(data))
    with ChatStore(db_path) as store, pytest.raises(DamagedStoreError) as info:
        for summary in store.list_chats(500):
            store.load(summary.id)
        store.search("words")
    assert info.value.path == db_path
