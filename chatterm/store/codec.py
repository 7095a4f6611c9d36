"""Rows <-> engine objects: one place that knows how a `Message` and a chat are stored.

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
    "id", "parent_id", "role", "content", "reasoning", "tool_call_id", "name", "model",
    "finish_reason", "state", "error", "created_at",
)
JSON_COLUMNS = ("tool_calls", "usage", "timings", "citations", "attachments")
STORED_COLUMNS = (*PLAIN_COLUMNS, *JSON_COLUMNS, "extra")
"""The message columns written and read here (chat_id, seq and rid are the store's own)."""

MESSAGE_COLUMNS = ", ".join(STORED_COLUMNS)
"""For `SELECT {MESSAGE_COLUMNS} FROM messages`, in the order `row_to_message` reads."""

_KNOWN = frozenset(PLAIN_COLUMNS) | frozenset(JSON_COLUMNS)


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
    data: dict[str, Any] = dict(zip(PLAIN_COLUMNS, values))
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
