"""`ReplyFigures`: the line under a finished reply: tokens in/out/thinking, how full
its request left the context window, what it cost (`engine/reply_figures.reply_line`).

Shown only when the server reported usage; built with the view for a loaded reply and
mounted by `AssistantMessageView.finish` for a live one, never updated per token.
"""

from __future__ import annotations

from textual.widgets import Static

from chatterm.engine.conversation import Message
from chatterm.engine.reply_figures import reply_line


class ReplyFigures(Static):
    DEFAULT_CSS = """
    ReplyFigures { color: $text-muted; height: auto; padding: 0 0 0 1; }
    """

    def __init__(self, message: Message) -> None:
        super().__init__(reply_line(message), classes="reply-figures", markup=False)

    def show(self, message: Message) -> None:
        self.update(reply_line(message))
