"""Copy to the clipboard (OSC 52 through `App.copy_to_clipboard`).

Ctrl+O   the last reply          `c` on a focused message   that message
Ctrl+B   a code block of the last reply; pressing again steps to the one before it
"""

from __future__ import annotations

import re

from chatterm.engine.conversation import Message
from chatterm.tui.actions.host import ChatHost

_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})[^\n]*\n(.*?)^ {0,3}\1[ \t]*$", re.MULTILINE | re.DOTALL)


def code_blocks(text: str) -> list[str]:
    """The fenced code blocks of a Markdown text, in order, without their fences."""
    return [m.group(2).rstrip("\n") for m in _FENCE.finditer(text)]


def with_sources(message: Message) -> str:
    """A reply as copied: its text, then its numbered sources, so the [1], [2]
    markers in the pasted text still lead somewhere."""
    if not message.citations:
        return message.text
    from chatterm.store.export import sources_markdown

    return f"{message.text.rstrip()}\n\n{sources_markdown(message.citations)}"


class CopyActions(ChatHost):
    _code_cursor: tuple[str, int] | None = None
    """(text, index) of the code block copied last, so Ctrl+B again steps back."""

    def _copy(self, text: str, what: str) -> None:
        self.copy_to_clipboard(text)
        lines = text.count("\n") + 1
        self.notify(f"Copied {what} ({lines} line{'s' if lines != 1 else ''})", timeout=2)

    def _last_reply_text(self) -> str | None:
        for message in reversed(self.conversation.messages):
            if message.role == "assistant" and message.text:
                return with_sources(message)
        return None

    def action_copy_last_reply(self) -> None:
        text = self._last_reply_text()
        if text is None:
            self.notify("No reply to copy yet.", severity="warning")
            return
        self._copy(text, "the last reply")

    def action_copy_code_block(self, message_text: str | None = None) -> None:
        """Copy the last code block; pressing again steps to the one before it."""
        text = message_text if message_text is not None else self._last_reply_text()
        blocks = code_blocks(text or "")
        if not blocks:
            self.notify("No code block in the last reply.", severity="warning")
            return
        index = len(blocks) - 1
        if self._code_cursor is not None and self._code_cursor[0] == text:
            index = (self._code_cursor[1] - 1) % len(blocks)
        self._code_cursor = (text or "", index)
        self._copy(blocks[index], f"code block {index + 1} of {len(blocks)}")

    def action_copy_message(self) -> None:
        """Copy the focused message (or the last reply when none has focus)."""
        from chatterm.tui.widgets.message import MessageView

        focused = self.focused
        chain = [focused, *focused.ancestors] if focused is not None else []
        view = next((n for n in chain if isinstance(n, MessageView)), None)
        if view is None:
            self.action_copy_last_reply()
            return
        self._copy(with_sources(view.message), "the message")
