"""oterm's `store.db` (oterm 0.26: `chat`, `message`) -> chats.

oterm keeps a system prompt, a model and options per chat, and messages in the order
written (a regenerated reply replaces the old one in place: there are no branches).
It keeps no times at all: every chat gets the time the file was last changed (one
microsecond apart per chat, so the list keeps oterm's order). Images sent with a prompt
are stored there as base64; they are not imported, and the prompt says so. Row ids are
only unique inside one file, so a chat is known by its id and its first message.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Iterator
from typing import Any

from chatterm.engine.conversation import ChatSettings, Conversation, Message
from chatterm.store.importers.chat import ImportedChat, Notes, as_text, first_line_title

APP = "oterm"


def read(conn: sqlite3.Connection, notes: Notes, file_time: float) -> Iterator[ImportedChat]:
    """Every chat, oldest first; their messages in one ordered scan."""
    chats = conn.execute("SELECT id, name, model, system, parameters FROM chat ORDER BY id").fetchall()
    rows = conn.execute("SELECT chat_id, id, author, text, images FROM message ORDER BY chat_id, id")
    pending = next(rows, None)
    count = len(chats)
    for index, (chat_id, name, model, system, parameters) in enumerate(chats):
        mine: list[tuple[Any, ...]] = []
        while pending is not None and pending[0] <= chat_id:
            if pending[0] == chat_id:
                mine.append(pending)
            pending = next(rows, None)
        when = file_time - (count - 1 - index) * 1e-6
        yield _chat(chat_id, name, model, system, parameters, mine, when, notes)


def _options(parameters: Any) -> dict[str, Any]:
    try:
        value = json.loads(parameters) if isinstance(parameters, str) else {}
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _chat(
    chat_id: int,
    name: str | None,
    model: str | None,
    system: str | None,
    parameters: Any,
    rows: list[tuple[Any, ...]],
    when: float,
    notes: Notes,
) -> ImportedChat:
    settings = ChatSettings(system_prompt=system or None)
    if model:
        settings.model = str(model)
    options = _options(parameters)
    if isinstance(options.get("temperature"), int | float):
        settings.temperature = float(options["temperature"])
    if isinstance(options.get("top_p"), int | float):
        settings.top_p = float(options["top_p"])
    messages: list[Message] = []
    previous: str | None = None
    for _chat_id, mid, author, text, images in rows:
        if author not in ("user", "assistant"):
            notes.add(f"oterm messages from {author!r} are not imported")
            continue
        content = as_text(text)
        pictures = _count_images(images)
        if pictures:
            notes.add("images sent in oterm are not imported: each prompt notes how many it had")
            content += f"\n\n[{pictures} image{'s' if pictures > 1 else ''} not imported]"
        message = Message(author, content, id=str(mid), parent_id=previous, created_at=when)
        if author == "assistant":
            message.model = settings.model
        messages.append(message)
        previous = message.id
    conversation = Conversation(
        title=name.strip() if name and name.strip() else first_line_title(messages),
        settings=settings,
        created_at=when,
        updated_at=when,
    )
    first = rows[0] if rows else None
    fingerprint = hashlib.sha1(str(first[3] if first else "").encode()).hexdigest()[:16]
    key = f"{chat_id}@{first[1] if first else '-'}:{fingerprint}"
    return ImportedChat(APP, key, conversation, messages, previous)


def _count_images(images: Any) -> int:
    try:
        value = json.loads(images) if isinstance(images, str) else []
    except ValueError:
        return 0
    return len(value) if isinstance(value, list) else 0
