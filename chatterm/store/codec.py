"""Rows <-> engine objects: one place that knows how a `Message` and a chat are stored,
and the two upserts that write them (`UPSERT_CHAT`, `UPSERT_MESSAGE`).

A message row is `Message.to_dict()` spread over columns: plain fields as they are,
structured ones (tool calls with their provider extras, usage, timings, citations,
attachments) as JSON text, empty lists and absent values as NULL so the common row
stays small. Any field of `to_dict()` without a column of its own (a field the engine
gained after this schema) goes into the `extra` JSON column, so nothing is ever lost
and `Message.from_dict` rebuilds the message.
"""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from chatterm.engine.conversation import ChatSettings, Conversation, Message

PLAIN_COLUMNS = (
    "id",
    "parent_id",
    "role",
    "content",
    "reasoning",
    "tool_call_id",
    "name",
    "model",
    "finish_reason",
    "state",
    "error",
    "created_at",
)
JSON_COLUMNS = ("tool_calls", "usage", "timings", "citations", "attachments")
STORED_COLUMNS = (*PLAIN_COLUMNS, *JSON_COLUMNS, "extra")
"""The message columns written and read here (chat_id, seq and rid are the store's own)."""

MESSAGE_COLUMNS = ", ".join(STORED_COLUMNS)
"""For `SELECT {MESSAGE_COLUMNS} FROM messages`, in the order `row_to_message` reads."""

_KNOWN = frozenset(PLAIN_COLUMNS) | frozenset(JSON_COLUMNS)

CHAT_COLUMNS = "id, title, title_is_custom, settings, created_at, updated_at, current_leaf_id"
"""For `SELECT {CHAT_COLUMNS} FROM chats`, in the order `row_to_conversation` reads."""

# A title the user gave (rename, perhaps from another window) is never replaced by the
# automatic one an open conversation still holds in memory.
UPSERT_CHAT = """
INSERT INTO chats (id, title, title_is_custom, settings, created_at, updated_at, current_leaf_id)
VALUES (:id, :title, :title_is_custom, :settings, :created_at, :updated_at, :current_leaf_id)
ON CONFLICT(id) DO UPDATE SET
    title = CASE WHEN chats.title_is_custom AND NOT excluded.title_is_custom
                 THEN chats.title ELSE excluded.title END,
    title_is_custom = MAX(chats.title_is_custom, excluded.title_is_custom),
    settings = excluded.settings, updated_at = excluded.updated_at,
    current_leaf_id = COALESCE(excluded.current_leaf_id, chats.current_leaf_id)
"""

UPSERT_MESSAGE = """
INSERT INTO messages (chat_id, {cols}, seq)
VALUES (:chat_id, {params},
    COALESCE((SELECT MAX(seq) FROM messages WHERE chat_id = :chat_id), 0) + 1)
ON CONFLICT(id) DO UPDATE SET {updates}
WHERE messages.chat_id = excluded.chat_id
""".format(
    cols=MESSAGE_COLUMNS,
    params=", ".join(":" + c for c in STORED_COLUMNS),
    updates=", ".join(f"{c} = excluded.{c}" for c in STORED_COLUMNS if c not in ("id", "created_at")),
)


def _dumps(value: Any) -> str | None:
    if value is None or value == [] or value == {}:
        return None
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def message_params(chat_id: str, m: Message) -> dict[str, Any]:
    """Named parameters for the message upsert."""
    data = m.to_dict()
    params: dict[str, Any] = {"chat_id": chat_id}
    for key in PLAIN_COLUMNS:
        params[key] = data.get(key)
    for key in JSON_COLUMNS:
        params[key] = _dumps(data.get(key))
    params["extra"] = _dumps({k: v for k, v in data.items() if k not in _KNOWN})
    return params


def row_to_message(row: sqlite3.Row | tuple[Any, ...]) -> Message:
    """A row selected with MESSAGE_COLUMNS back into a Message."""
    values = tuple(row)
    data: dict[str, Any] = dict(zip(PLAIN_COLUMNS, values, strict=False))
    offset = len(PLAIN_COLUMNS)
    for i, key in enumerate(JSON_COLUMNS):
        text = values[offset + i]
        data[key] = json.loads(text) if text else None
    extra = values[-1]
    if extra:
        for key, value in json.loads(extra).items():
            data.setdefault(key, value)
    return Message.from_dict(data)


def chat_params(conv: Conversation, leaf_id: str | None) -> dict[str, Any]:
    """Named parameters for the chat upsert."""
    return {
        "id": conv.id,
        "title": conv.title,
        "title_is_custom": int(conv.title_is_custom),
        "settings": json.dumps(conv.settings.to_dict(), ensure_ascii=False),
        "created_at": conv.created_at,
        "updated_at": conv.updated_at,
        "current_leaf_id": leaf_id,
    }


def settings_from_json(text: str | None) -> ChatSettings:
    return ChatSettings.from_dict(json.loads(text) if text else None)


def row_to_conversation(row: sqlite3.Row | tuple[Any, ...], messages: list[Message]) -> Conversation:
    """A row selected with CHAT_COLUMNS, with the branch to show, back into a Conversation."""
    return Conversation(
        id=row[0],
        title=row[1],
        title_is_custom=bool(row[2]),
        settings=settings_from_json(row[3]),
        messages=messages,
        created_at=row[4],
        updated_at=row[5],
    )
