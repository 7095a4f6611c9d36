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
