"""`ImportedChat`: one chat read from another application, in chatterm's own terms.

A reader fills it with the source's own ids (a row id, a node id, a response id);
`stamped` turns them into chatterm ids derived from the source (uuid5 of the app,
the chat's source key and the message's source id). The same source chat therefore
always gets the same chat id and message ids: importing it again finds them taken and
adds nothing, without any column or table that remembers imports.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from chatterm.engine.conversation import Conversation, Message

SOURCE_IDS = uuid.UUID("6a0c8f4e-2b51-4d5e-9b7a-63687472696d")
"""The uuid5 namespace of imported ids (fixed: changing it would import everything twice)."""


def source_id(app: str, *parts: str) -> str:
    """A chatterm id (32 hex digits, like `new_id()`) for a thing of another app."""
    return uuid.uuid5(SOURCE_IDS, "\x1f".join((app, *parts))).hex


@dataclass(slots=True)
class ImportedChat:
    """A chat of another app: the conversation (title, settings with model and system
    prompt, times; no messages) and every message of every branch, each parent before
    its children, siblings oldest first; `leaf_id` is the message its current branch
    ends at (None: the last one)."""

    app: str
    source_key: str
    """What identifies the chat in its app, stable across runs (a row id and its start
    time where row ids are only local)."""
    conversation: Conversation
    messages: list[Message] = field(default_factory=list)
    leaf_id: str | None = None

    def stamped(self) -> ImportedChat:
        """The same chat with chatterm ids derived from the source ids (see module)."""
        ids = {m.id: source_id(self.app, self.source_key, m.id) for m in self.messages}
        for m in self.messages:
            m.id = ids[m.id]
            m.parent_id = ids.get(m.parent_id) if m.parent_id else None
        self.conversation.id = source_id(self.app, self.source_key)
        self.leaf_id = ids.get(self.leaf_id) if self.leaf_id else None
        return self


class Notes:
    """What an import left out or changed, counted by kind, told once at the end
    ("3 images are not imported: each is marked [image ...] in its message")."""

    def __init__(self) -> None:
        self.counts: dict[str, int] = {}

    def add(self, note: str, count: int = 1) -> None:
        self.counts[note] = self.counts.get(note, 0) + count

    def lines(self) -> list[str]:
        return [f"{note} ({count}x)" if count > 1 else note for note, count in self.counts.items()]


def first_line_title(messages: list[Message]) -> str | None:
    """The title chatterm itself would give: the first prompt's first line."""
    from chatterm.engine.conversation import default_title

    for m in messages:
        if m.role == "user" and m.content and m.content.strip():
            return default_title(m.content)
    return None


def as_text(value: object) -> str:
    """A column from another app as text: bytes (a text column SQLite holds as a BLOB)
    decoded with stand-ins for what is not UTF-8, nothing for NULL."""
    if value is None:
        return ""
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    return value if isinstance(value, str) else str(value)
