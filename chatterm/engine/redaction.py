"""The API key out of what the engine saves.

A model can be talked into repeating the key (or the key's long pieces) and a tool can
read it (a `read_file` of the config file): the engine passes every message through the
client's `Redactor` before the recorder sees it, so the history, and the exports made
from it, never hold it. In place: the message in memory is what was saved, so a chat
looks the same live and reloaded, and the key is not sent back on the next turn either.
"""

from __future__ import annotations

from collections.abc import Callable

from chatterm.engine.conversation import Conversation, Message


def redact_message(message: Message, redact: Callable[[str], str]) -> None:
    """Every text of `message` that came from outside: content, reasoning, the error,
    tool-call arguments."""
    if message.content:
        message.content = redact(message.content)
    if message.reasoning:
        message.reasoning = redact(message.reasoning)
    if message.error:
        message.error = redact(message.error)
    for call in message.tool_calls:
        if call.arguments:
            call.arguments = redact(call.arguments)


def redact_title(conversation: Conversation, redact: Callable[[str], str]) -> None:
    """The title is the first prompt's first line until the user renames it."""
    if conversation.title:
        conversation.title = redact(conversation.title)


class GrowingText:
    """A reply's text handed to the recorder piece by piece (each flush appends what
    arrived), each piece redacted on its own. A key that arrives split across two
    flushes would escape a piece-by-piece redaction, so the tail that could still grow
    into a key is held back for the next piece (`Redactor.ready_prefix`)."""

    __slots__ = ("_held", "_redact")

    def __init__(self, redact: Callable[[str], str]) -> None:
        self._redact = redact
        self._held = ""

    def take(self, new: str) -> str:
        """The redacted text that can be written now, `new` included as far as it can."""
        text = self._held + new if self._held else new
        ready_prefix = getattr(self._redact, "ready_prefix", None)
        cut = ready_prefix(text) if ready_prefix is not None else len(text)
        self._held = text[cut:]
        return self._redact(text[:cut])
