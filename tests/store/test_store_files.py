"""The file itself: migrations from the first schema, newer files refused, damaged or
foreign files reported (naming the file), never written to, and moved aside on request."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest

from chatterm.engine.conversation import Conversation
from chatterm.store import ChatStore, DamagedStoreError, NewerStoreError, StoreError
from chatterm.store.migrations import APPLICATION_ID, SCHEMA_VERSION

# Schema version 1 exactly as first shipped, written by hand so a later edit of the
# migration list cannot silently change what this test migrates from.
V1_SCHEMA = """
CREATE TABLE chats (
    id TEXT PRIMARY KEY, title TEXT, title_is_custom INTEGER NOT NULL DEFAULT 0,
    settings TEXT NOT NULL DEFAULT '{}', created_at REAL NOT NULL, updated_at REAL NOT NULL,
    current_leaf_id TEXT
);
CREATE INDEX chats_by_updated ON chats(updated_at, id);
CREATE TABLE messages (
    rid INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE,
    chat_id TEXT NOT NULL REFERENCES chats(id) ON DELETE CASCADE,
    parent_id TEXT, role TEXT NOT NULL, content TEXT, reasoning TEXT, tool_calls TEXT,
    tool_call_id TEXT, name TEXT, model TEXT, usage TEXT, timings TEXT, citations TEXT,
    state TEXT NOT NULL DEFAULT 'ok', error TEXT, attachments TEXT,
    created_at REAL NOT NULL, seq INTEGER NOT NULL
);
CREATE INDEX messages_by_chat ON messages(chat_id, seq);
CREATE INDEX messages_by_parent ON messages(parent_id);
"""


def _write_v1(path: Path) -> None:
    raw = sqlite3.connect(path)
    raw.executescript(V1_SCHEMA)
    raw.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    raw.execute("PRAGMA user_version = 1")
    raw.execute("INSERT INTO chats VALUES ('c1', 'Old chat', 0, '{\"model\": \"m-old\"}', 100, 200, 'm2')")
    raw.executemany(
        "INSERT INTO messages (id, chat_id, parent_id, role, content, model, created_at, seq, tool_calls)"
        " VALUES (?, 'c1', ?, ?, ?, ?, ?, ?, ?)",
        [
            ("m1", None, "user", "how do lemurs sleep", None, 101, 1, None),
            (
                "m2",
                "m1",
                "assistant",
                "lemurs sleep in trees",
                "m-old",
                102,
                2,
                '[{"id": "t1", "name": "f", "arguments": "{}", "extra": {}}]',
            ),
        ],
    )
    raw.commit()
    raw.close()


def test_migrates_the_first_schema_and_indexes_old_messages(db_path: Path) -> None:
    _write_v1(db_path)
    with ChatStore(db_path) as store:
        conv = store.load("c1")
        assert [m.content for m in conv.messages] == ["how do lemurs sleep", "lemurs sleep in trees"]
        assert conv.settings.model == "m-old"
        assert conv.messages[1].tool_calls[0].name == "f"
        hits = store.search("lemurs")
        assert [(h.message_id, h.role) for h in hits] == [("m1", "user"), ("m2", "assistant")]
    raw = sqlite3.connect(db_path)
    assert raw.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    raw.close()


def test_reopening_does_not_migrate_twice(db_path: Path) -> None:
    ChatStore(db_path).close()
    with ChatStore(db_path) as store:
        store.save_chat(Conversation())
    raw = sqlite3.connect(db_path)
    assert raw.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert raw.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
    raw.close()


def test_a_newer_store_is_refused_and_left_alone(db_path: Path) -> None:
    ChatStore(db_path).close()
    raw = sqlite3.connect(db_path)
    raw.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    raw.commit()
    raw.close()
    before = db_path.read_bytes()
    with pytest.raises(NewerStoreError) as info:
        ChatStore(db_path)
    assert str(db_path) in str(info.value) and "newer chatterm" in str(info.value)
    assert isinstance(info.value, StoreError)
    assert db_path.read_bytes() == before


def _random_bytes(path: Path) -> None:
    path.write_bytes(os.urandom(8192))


def _text_file(path: Path) -> None:
    path.write_text("[settings]\ntheme = 'dark'\n")


def _other_app_sqlite(path: Path) -> None:
    raw = sqlite3.connect(path)
    raw.execute("CREATE TABLE bookmarks (url TEXT)")
    raw.execute("INSERT INTO bookmarks VALUES ('https://example.org')")
    raw.commit()
    raw.close()


def _other_app_with_id(path: Path) -> None:
    raw = sqlite3.connect(path)
    raw.execute("PRAGMA application_id = 1234")
    raw.commit()
    raw.close()


def _truncated_sqlite(path: Path) -> None:
    _other_app_sqlite(path)
    data = path.read_bytes()
    path.write_bytes(data[:60])


def _corrupt_pages(path: Path) -> None:
    ChatStore(path).close()
    data = bytearray(path.read_bytes())
    data[100:] = os.urandom(len(data) - 100)  # keep the header, destroy the schema page
    path.write_bytes(bytes(data))


@pytest.mark.parametrize(
    "make",
    [_random_bytes, _text_file, _other_app_sqlite, _other_app_with_id, _truncated_sqlite, _corrupt_pages],
)
def test_damaged_or_foreign_file_is_reported_and_never_written(db_path: Path, make) -> None:
    make(db_path)
    before = db_path.read_bytes()
    with pytest.raises(DamagedStoreError) as info:
        ChatStore(db_path)
    assert info.value.path == db_path
    assert str(db_path) in str(info.value)
    assert db_path.read_bytes() == before
    assert not Path(str(db_path) + "-wal").exists() or Path(str(db_path) + "-wal").stat().st_size == 0

    moved = ChatStore.quarantine(db_path)
    assert moved.parent == db_path.parent
    assert moved.name.startswith("history.db.damaged-")
    assert moved.read_bytes() == before
    assert not db_path.exists()
    with ChatStore(db_path) as fresh:  # a fresh history can start in its place
        assert fresh.list_chats() == []


def test_quarantine_never_overwrites_and_takes_the_wal_along(tmp_path: Path) -> None:
    db = tmp_path / "history.db"
    first_bytes, second_bytes = b"first damaged file", b"second damaged file"
    db.write_bytes(first_bytes)
    (tmp_path / "history.db-wal").write_bytes(b"wal bytes")
    (tmp_path / "history.db-shm").write_bytes(b"shm bytes")
    first = ChatStore.quarantine(db)
    db.write_bytes(second_bytes)
    second = ChatStore.quarantine(db)  # same second: must pick another name

    assert first != second
    assert first.read_bytes() == first_bytes and second.read_bytes() == second_bytes
    assert Path(str(first) + "-wal").read_bytes() == b"wal bytes"
    assert Path(str(first) + "-shm").read_bytes() == b"shm bytes"
    assert not (tmp_path / "history.db-wal").exists()
    assert sorted(p.name for p in tmp_path.iterdir() if "damaged" not in p.name) == []


def test_unwritable_location_is_a_store_error_naming_the_file(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("x")
    with pytest.raises(StoreError) as info:
        ChatStore(blocker / "history.db")
    assert "not-a-dir" in str(info.value)


def test_default_path_honours_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from chatterm.store import default_path

    monkeypatch.setenv("CHATTERM_HISTORY", str(tmp_path / "elsewhere.db"))
    assert default_path() == tmp_path / "elsewhere.db"
    monkeypatch.delenv("CHATTERM_HISTORY")
    assert default_path().name == "history.db" and "chatterm" in str(default_path())
