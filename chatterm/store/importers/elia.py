"""elia's SQLite database (elia-chat 1.10: `chat`, `message`) -> chats.

elia keeps the system prompt as the chat's first message (role "system"): it becomes
the chat's system prompt. A chat's `model` is elia's model id ("elia-gpt-4o" for its
built-in models, whose API name follows the prefix; a configured model's own id
otherwise). Times are UTC without a zone. Messages keep their `parent_id` when elia
set one, else each hangs on the one before (elia 1.10 writes none). Row ids are only
unique inside one file, so a chat is known by its id and its start time.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from typing import Any

from chatterm.engine.conversation import ChatSettings, Conversation, Message
from chatterm.store.importers.chat import ImportedChat, Notes, as_text, first_line_title
from chatterm.store.importers.times import utc_seconds

APP = "elia"
BUILTIN_PREFIX = "elia-"


def model_name(model_id: str | None) -> str | None:
    if not model_id:
        return None
    return model_id.removeprefix(BUILTIN_PREFIX) or model_id


def read(conn: sqlite3.Connection, notes: Notes) -> Iterator[ImportedChat]:
    """Every chat, archived ones too, oldest first; its messages in one ordered scan."""
    chats = conn.execute("SELECT id, model, title, started_at, archived FROM chat ORDER BY id").fetchall()
    rows = conn.execute(
        "SELECT chat_id, id, role, content, timestamp, model, parent_id FROM message "
        "WHERE chat_id IS NOT NULL ORDER BY chat_id, id"
    )
    pending = next(rows, None)
    for chat_id, model, title, started_at, archived in chats:
        mine: list[tuple[Any, ...]] = []
        while pending is not None and pending[0] <= chat_id:
            if pending[0] == chat_id:
                mine.append(pending)
            pending = next(rows, None)
        yield _chat(chat_id, model, title, started_at, bool(archived), mine, notes)


def _chat(
    chat_id: int,
    model: str | None,
    title: str | None,
    started_at: str | None,
    archived: bool,
    rows: list[tuple[Any, ...]],
    notes: Notes,
) -> ImportedChat:
    started = utc_seconds(started_at)
    settings = ChatSettings()
    if model_name(model):
        settings.model = str(model_name(model))
    messages: list[Message] = []
    previous: str | None = None
    when = started or 0.0
    known = {str(r[1]) for r in rows}
    for _chat_id, mid, role, content, timestamp, msg_model, parent_id in rows:
        when = utc_seconds(timestamp) or when
        text = as_text(content)
        if role == "system":
            if settings.system_prompt is None and not messages:
                settings.system_prompt = text
                continue
        elif role not in ("user", "assistant"):
            notes.add(f"elia messages with role {role!r} are not imported")
            continue
        parent = str(parent_id) if parent_id is not None and str(parent_id) in known else previous
        message = Message(role, text, id=str(mid), parent_id=parent, created_at=when)
        if role == "assistant":
            message.model = model_name(msg_model) or settings.model
        messages.append(message)
        previous = message.id
    if archived:
        notes.add("elia's archived chats are imported like the others")
    conversation = Conversation(
        title=title.strip() if title and title.strip() else first_line_title(messages),
        settings=settings,
        created_at=started or (messages[0].created_at if messages else 0.0),
        updated_at=max((m.created_at for m in messages), default=started or 0.0),
    )
    return ImportedChat(APP, f"{chat_id}@{started_at}", conversation, messages, previous)
