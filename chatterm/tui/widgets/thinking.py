"""`ThinkingBlock`: the model's reasoning, above its answer.

Open while reasoning streams; folded (by the reply view) as soon as the answer starts;
its title then says how long the model thought (seconds, when it streamed here) and how
much it wrote, so folding loses nothing but space.
Reasoning that still arrives after the answer started (some families interleave) is
appended to the same block, which keeps whatever state the user left it in: it is
folded once, when the answer starts, and never re-opened or re-folded after that.
Click the title or press Enter on it to open or fold it again.
"""

from __future__ import annotations

import time

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

    def __init__(self, text: str = "", *, streaming: bool = False, folded: bool | None = None) -> None:
        """`folded`: start folded (default: folded unless streaming). A block made after
        the answer started is born folded and counts as already folded once."""
        self.body = ReplyBody(text)
        collapsed = not streaming if folded is None else folded
        super().__init__(self.body, title="", collapsed=collapsed)
        self.streaming = streaming
        self._started: float | None = None
        self._seconds: float | None = None
        """How long the reasoning streamed before the answer began (None: not seen live)."""
        self.folded_once = collapsed
        """Folded by us already (the answer started, or a loaded reply)."""
        self._update_title()

    def feed(self, text: str) -> None:
        if self._started is None and self.streaming:
            self._started = time.monotonic()
        self.body.feed(text)
        self._update_title()

    def _stop_clock(self) -> None:
        if self._started is not None and self._seconds is None:
            self._seconds = time.monotonic() - self._started

    def fold(self) -> None:
        """The answer started: fold once; the block keeps taking reasoning."""
        self._stop_clock()
        if not self.folded_once:
            self.folded_once = True
            self.collapsed = True
            self._update_title()

    async def finish(self) -> None:
        """The reply ended: render the reasoning whole; fold it if it never was."""
        self.streaming = False
        await self.body.finish()
        self.fold()
        self._update_title()

    def _update_title(self) -> None:
        size = len(self.body.text)
        if self.streaming and not self.folded_once:
            self.title = f"Thinking… ({_size(size)})"
        elif self._seconds is not None:
            self.title = f"Thought for {self._seconds:.1f} s · {_size(size)}"
        else:
            self.title = f"Thinking · {_size(size)}"
