"""The schema, as an ordered list of migrations; `PRAGMA user_version` is the count applied.

    1  chats, messages (a tree: parent_id), indexes for "newest chats" and "messages of a chat"
    2  messages_fts: FTS5 over user prompts (column `prompt`) and replies (`reply`), kept in
       step by triggers, ranked by bm25 with prompts weighted 2:1; system prompts live in
       the chat's settings and tool output is not indexed
    3  messages.finish_reason, and messages.extra: JSON for any `Message.to_dict()` field
       without a column (the engine may grow fields; they are kept, not dropped)
    4  message_parts: the text a streaming reply gained since its row was last written,
       appended on each flush (a flush costs what arrived, not the whole reply); the
       final save writes the row once (one FTS index pass) and deletes its parts

Each migration runs in its own `BEGIN IMMEDIATE` transaction together with the bump of
`user_version`, so a crash mid-migration leaves the previous version intact and two
processes opening an old file at once migrate it exactly once. Never edit a shipped
migration: append a new one.

The FTS table keeps its own copy of the text (not external content) and is keyed by
`messages.rid`, an INTEGER PRIMARY KEY that VACUUM cannot renumber: deletes go by rowid
and can never disagree with what was indexed, which keeps the index sound while two
writers interleave. A reply is indexed when it is saved whole, not on every flush: while
it streams its text grows in `message_parts` (readers add the parts to the row).
"""

from __future__ import annotations

import sqlite3

APPLICATION_ID = 0x63687472  # "chtr": marks the file as a chatterm history

MIGRATIONS: tuple[str, ...] = (
    # 1: the base schema
    """
    CREATE TABLE chats (
        id              TEXT PRIMARY KEY,
        title           TEXT,
        title_is_custom INTEGER NOT NULL DEFAULT 0,
        settings        TEXT NOT NULL DEFAULT '{}',
        created_at      REAL NOT NULL,
        updated_at      REAL NOT NULL,
        current_leaf_id TEXT
    );
    CREATE INDEX chats_by_updated ON chats(updated_at, id);
    CREATE TABLE messages (
        rid          INTEGER PRIMARY KEY,
        id           TEXT NOT NULL UNIQUE,
        chat_id      TEXT NOT NULL REFERENCES chats(id) ON DELETE CASCADE,
        parent_id    TEXT,
        role         TEXT NOT NULL,
        content      TEXT,
        reasoning    TEXT,
        tool_calls   TEXT,
        tool_call_id TEXT,
        name         TEXT,
        model        TEXT,
        usage        TEXT,
        timings      TEXT,
        citations    TEXT,
        state        TEXT NOT NULL DEFAULT 'ok',
        error        TEXT,
        attachments  TEXT,
        created_at   REAL NOT NULL,
        seq          INTEGER NOT NULL
    );
    CREATE INDEX messages_by_chat ON messages(chat_id, seq);
    CREATE INDEX messages_by_parent ON messages(parent_id);
    """,
    # 2: full-text search
    """
    CREATE VIRTUAL TABLE messages_fts USING fts5(
        prompt, reply, tokenize = 'unicode61 remove_diacritics 2'
    );
    INSERT INTO messages_fts(messages_fts, rank) VALUES ('rank', 'bm25(2.0, 1.0)');
    CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages
    WHEN new.role IN ('user', 'assistant')
    BEGIN
        INSERT INTO messages_fts(rowid, prompt, reply) VALUES (
            new.rid,
            CASE new.role WHEN 'user' THEN new.content END,
            CASE new.role WHEN 'assistant' THEN new.content END
        );
    END;
    CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages
    WHEN old.role IN ('user', 'assistant')
    BEGIN
        DELETE FROM messages_fts WHERE rowid = old.rid;
    END;
    CREATE TRIGGER messages_fts_update AFTER UPDATE OF role, content ON messages
    WHEN old.content IS NOT new.content OR old.role IS NOT new.role
    BEGIN
        DELETE FROM messages_fts WHERE rowid = old.rid;
        INSERT INTO messages_fts(rowid, prompt, reply)
        SELECT new.rid,
               CASE new.role WHEN 'user' THEN new.content END,
               CASE new.role WHEN 'assistant' THEN new.content END
        WHERE new.role IN ('user', 'assistant');
    END;
    INSERT INTO messages_fts(rowid, prompt, reply)
    SELECT rid,
           CASE role WHEN 'user' THEN content END,
           CASE role WHEN 'assistant' THEN content END
    FROM messages WHERE role IN ('user', 'assistant');
    """,
    # 3: why a reply ended, and a home for message fields added after this schema
    """
    ALTER TABLE messages ADD COLUMN finish_reason TEXT;
    ALTER TABLE messages ADD COLUMN extra TEXT;
    """,
    # 4: append-only text of replies being written
    """
    CREATE TABLE message_parts (
        rid        INTEGER PRIMARY KEY,
        message_id TEXT NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
        content    TEXT,
        reasoning  TEXT
    );
    CREATE INDEX message_parts_by_message ON message_parts(message_id, rid);
    """,
)
PARTS_VERSION = 4
"""The schema version that has `message_parts` (a read-only older file has none)."""

SCHEMA_VERSION = len(MIGRATIONS)


def split_statements(script: str) -> list[str]:
    """Split a script into complete statements (trigger bodies hold semicolons)."""
    statements: list[str] = []
    current = ""
    for line in script.splitlines(keepends=True):
        current += line
        if sqlite3.complete_statement(current):
            if current.strip():
                statements.append(current.strip())
            current = ""
    if current.strip():
        statements.append(current.strip())
    return statements


def migrate(conn: sqlite3.Connection) -> None:
    """Bring the schema up to SCHEMA_VERSION, one transaction per migration.

    The version is re-read inside each write transaction, so a second process that
    raced us through the same migration simply finds it done.
    """
    for version, script in enumerate(MIGRATIONS, start=1):
        if conn.execute("PRAGMA user_version").fetchone()[0] >= version:
            continue
        conn.execute("BEGIN IMMEDIATE")
        try:
            if conn.execute("PRAGMA user_version").fetchone()[0] >= version:
                conn.execute("COMMIT")
                continue
            if version == 1:
                conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            for statement in split_statements(script):
                conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {version}")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
