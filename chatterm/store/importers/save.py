"""Writing imported chats: a new chat whole, a chat imported before only its messages
that are missing (an import cut short is finished by running it again; a chat that
went on in its app gets its new messages), never anything twice.

The store runs `save_rows` on batches of at most `CHUNK_ROWS` rows, one transaction
each (`ChatStore.import_chats`); `rows_of` flattens chats into those rows, so a chat of
10,000 messages spans several transactions and many small chats share one.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from chatterm.engine.conversation import Message
from chatterm.store.codec import STORED_COLUMNS, UPSERT_CHAT, chat_params, message_params
from chatterm.store.importers.chat import ImportedChat

INSERT_NEW_MESSAGE = """
INSERT INTO messages (chat_id, {cols}, seq)
VALUES (:chat_id, {params},
    COALESCE((SELECT MAX(seq) FROM messages WHERE chat_id = :chat_id), 0) + 1)
ON CONFLICT(id) DO NOTHING
""".format(cols=", ".join(STORED_COLUMNS), params=", ".join(":" + c for c in STORED_COLUMNS))


@dataclass(slots=True)
class ImportCounts:
    chats: int = 0
    """Chats new to the history."""
    messages: int = 0
    """Messages written (new chats' and those added to chats imported before)."""
    skipped: int = 0
    """Chats imported before, with nothing new."""
    grown: int = 0
    """Chats imported before that got messages they lacked."""
    added: int = 0
    """Of `messages`, those added to chats imported before."""
    notes: list[str] = field(default_factory=list)

    def summary(self) -> str:
        """ "imported 3 chats (41 messages), skipped 2 already imported" (and what chats
        imported before gained, if any)."""
        text = (
            f"imported {_count(self.chats, 'chat')} ({_count(self.messages - self.added, 'message')}), "
            f"skipped {self.skipped} already imported"
        )
        if self.grown:
            text += f"; added {_count(self.added, 'new message')} to {_count(self.grown, 'chat')} imported before"
        return text


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


@dataclass(slots=True)
class _ChatState:
    chat: ImportedChat
    new: bool = False
    added: int = 0


Row = tuple[str, _ChatState, Message | None]
"""("chat", state, None) before a chat's messages, ("message", state, m), ("end", state, None)."""


def rows_of(chats: Iterable[ImportedChat]) -> Iterator[Row]:
    for chat in chats:
        state = _ChatState(chat.stamped())
        yield "chat", state, None
        for m in chat.messages:
            yield "message", state, m
        yield "end", state, None


def save_rows(conn: sqlite3.Connection, rows: list[Row], counts: ImportCounts) -> None:
    """One batch, inside the caller's write transaction."""
    for what, state, message in rows:
        chat = state.chat
        conv = chat.conversation
        if what == "chat":
            state.new = conn.execute("SELECT 1 FROM chats WHERE id = ?", (conv.id,)).fetchone() is None
            if state.new:
                conn.execute(UPSERT_CHAT, chat_params(conv, chat.leaf_id or _last(chat)))
        elif what == "message" and message is not None:
            if conn.execute(INSERT_NEW_MESSAGE, message_params(conv.id, message)).rowcount:
                state.added += 1
        elif what == "end":
            _finish(conn, state, counts)


def _last(chat: ImportedChat) -> str | None:
    return chat.messages[-1].id if chat.messages else None


def _finish(conn: sqlite3.Connection, state: _ChatState, counts: ImportCounts) -> None:
    chat = state.chat
    if state.new:
        counts.chats += 1
        counts.messages += state.added
        return
    if not state.added:
        counts.skipped += 1
        return
    counts.grown += 1
    counts.added += state.added
    counts.messages += state.added
    # Follow the source's current branch unless the user moved on in chatterm (the
    # chat's leaf is then a message of chatterm's own, not one of the import's).
    leaf = conn.execute("SELECT current_leaf_id FROM chats WHERE id = ?", (chat.conversation.id,)).fetchone()
    ours = {m.id for m in chat.messages}
    if leaf is not None and (leaf[0] is None or leaf[0] in ours):
        conn.execute(
            "UPDATE chats SET current_leaf_id = ?, updated_at = MAX(updated_at, ?) WHERE id = ?",
            (chat.leaf_id or _last(chat), chat.conversation.updated_at, chat.conversation.id),
        )
