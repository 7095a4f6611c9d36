"""The store's writes as values: what to write is decided (and copied) by the caller, when
to write it by whoever holds the connection.

`SaveChat`, `SaveMessage` and `AppendParts` are built from the engine's objects at the
moment it hands them over (the objects go on changing while a reply streams), so the
same write can be applied at once (`ChatStore`) or later, from a queue, when a lock
held by another process frees (`store/writer.py`). `apply(conn, op)` runs one inside
the caller's transaction.

A streaming reply is written as its row (saved when it starts, empty) plus parts: each
flush appends only the text that arrived since the last (`AppendParts`), and the final
`SaveMessage` writes the whole text into the row once (one FTS index pass) and drops
the parts. `add_parts` gives readers the row plus its parts, so a reply cut short by a
crash shows everything that reached the disk.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import Any, TypeAlias

from chatterm.engine.conversation import Conversation, Message
from chatterm.store.codec import UPSERT_CHAT, UPSERT_MESSAGE, chat_params, message_params
from chatterm.store.errors import StoreError


@dataclass(frozen=True, slots=True)
class SaveChat:
    """Upsert a chat's row (title, settings, times, current leaf)."""

    chat: dict[str, Any]

    @classmethod
    def of(cls, conversation: Conversation) -> SaveChat:
        return cls(chat_params(conversation, _leaf(conversation)))

    @property
    def chat_id(self) -> str:
        return str(self.chat["id"])


@dataclass(frozen=True, slots=True)
class SaveMessage:
    """Upsert a whole message and its chat row; the message's parts are folded away."""

    chat: dict[str, Any]
    message: dict[str, Any]

    @classmethod
    def of(cls, conversation: Conversation, message: Message) -> SaveMessage:
        leaf = _leaf(conversation) or message.id
        return cls(chat_params(conversation, leaf), message_params(conversation.id, message))

    @property
    def message_id(self) -> str:
        return str(self.message["id"])


@dataclass(frozen=True, slots=True)
class AppendParts:
    """Text a streaming reply gained since its last save (either may be empty)."""

    message_id: str
    content: str
    reasoning: str


WriteOp: TypeAlias = SaveChat | SaveMessage | AppendParts


def _leaf(conversation: Conversation) -> str | None:
    return conversation.messages[-1].id if conversation.messages else None


def apply(conn: sqlite3.Connection, op: WriteOp, path: object) -> None:
    """Run one write in the caller's transaction; `path` names the file in errors."""
    if isinstance(op, SaveChat):
        conn.execute(UPSERT_CHAT, op.chat)
    elif isinstance(op, SaveMessage):
        conn.execute(UPSERT_CHAT, op.chat)
        if conn.execute(UPSERT_MESSAGE, op.message).rowcount == 0:
            raise StoreError(f"History file {path}: message {op.message_id} belongs to another chat")
        conn.execute("DELETE FROM message_parts WHERE message_id = ?", (op.message_id,))
    else:
        conn.execute(
            "INSERT INTO message_parts (message_id, content, reasoning) VALUES (?, ?, ?)",
            (op.message_id, op.content or None, op.reasoning or None),
        )


def add_parts(conn: sqlite3.Connection, messages: list[Message]) -> list[Message]:
    """Messages still marked streaming get the text their parts hold (a reply being
    written by another process, or one a crash cut short)."""
    for message in messages:
        if message.state != "streaming":
            continue
        rows = conn.execute(
            "SELECT content, reasoning FROM message_parts WHERE message_id = ? ORDER BY rid", (message.id,)
        ).fetchall()
        if not rows:
            continue
        content = "".join(r[0] or "" for r in rows)
        reasoning = "".join(r[1] or "" for r in rows)
        if content:
            message.content = (message.content or "") + content
        if reasoning:
            message.reasoning = (message.reasoning or "") + reasoning
    return messages
