"""`ThinkingBlock`: the model's reasoning, above its answer.

Open while reasoning streams; folded (by the reply view) as soon as the answer starts;
its title then says how long the reasoning was, so folding loses nothing but space.
Click the title or press Enter on it to open or fold it again.
"""

from __future__ import annotations

from textual.widgets import Collapsible

from chatterm.tui.widgets.reply_body import ReplyBody


def _size(chars: int) -> str:
    words = chars // 5
    return f"{chars:,} chars" if chars < 2000 else f"~{words:,} words"


class ThinkingBlock(Collapsible):
    DEFAULT_CSS = """
    ThinkingBlock { margin: 0 0 0 0; padding: 0; border: none; background: transparent; }
    ThinkingBlock > Contents { padding: 0 0 0 2; }
    ThinkingBlock ReplyBody { color: $text-muted; }
    ThinkingBlock CollapsibleTitle { color: $text-muted; padding: 0 1; }
    """

    def __init__(self, text: str = "", *, streaming: bool = False) -> None:
        self.body = ReplyBody(text)
        super().__init__(self.body, title="", collapsed=not streaming)
        self.streaming = streaming
        self._update_title()

    def feed(self, text: str) -> None:
        self.body.feed(text)
        self._update_title()

    async def finish(self) -> None:
        self.streaming = False
        await self.body.finish()
        self.collapsed = True
        self._update_title()

    def _update_title(self) -> None:
        size = len(self.body.text)
        if self.streaming:
            self.title = f"Thinking… ({_size(size)})"
        else:
            self.title = f"Thought for {_size(size)}"
