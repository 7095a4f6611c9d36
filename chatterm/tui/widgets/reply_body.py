"""`ReplyBody`: Markdown that streams fast and stays cheap to lay out.

    ReplyBody (Vertical)
      ├── FrozenMarkdown    finished blocks, a few thousand characters per widget: one
      ├── FrozenMarkdown    leaf widget each instead of one widget per paragraph/list item
      └── LiveBlock.-live   the block still being written, rendered whole once per frame
                            as finished text is (live_block.py)

`feed()` only buffers and marks the body dirty on the app's one `FrameClock`
(frame_clock.py), shared by every streaming body (four compare columns draw in the same
frames on one CPU budget). It wakes at most every `FRAME` seconds, later when the last
frame cost more than `CPU_BUDGET` of a core or a key was just typed (the frame budget,
see docs/architecture.md), so tokens coalesce per frame and while an append is still
being laid out; the `Segmenter` says which text is finished.
Finished text moves into the last `FrozenMarkdown` (a new one when it is full) and the
live block keeps only the open block. `finish()` drains the buffer at once (the body leaves
the frame clock), and renders the rest whole as frozen text, so a closed code fence is
right. A finished reply is only
`FrozenMarkdown` widgets: ~1 widget per 4 KB instead of ~1 per block.

The text is the model's: its control characters are shown as stand-ins
(`terminal_text.visible`) on the way to the screen; `text` keeps them as they came.
"""

from __future__ import annotations

import asyncio
import time
from typing import TYPE_CHECKING

from textual.containers import Vertical

from chatterm.markdown_blocks import Segmenter, split_markdown
from chatterm.terminal_text import visible
from chatterm.tui.typing_rhythm import echo_first
from chatterm.tui.widgets.frame_clock import FrameClock
from chatterm.tui.widgets.frozen_markdown import FrozenMarkdown, Rendered, render_piece
from chatterm.tui.widgets.live_block import LiveBlock
from chatterm.tui.widgets.screen_batch import batch_update

if TYPE_CHECKING:
    from textual.app import ComposeResult

FRAME = 1 / 20
"""Least seconds between flushes to the screen while streaming (at most 20 a second)."""
CPU_BUDGET = 0.08
"""Share of a core the streaming replies of the app (all of them, one clock) may spend per frame: a frame that cost `c` CPU
seconds (the append, the layout and paint it caused, the stream read meanwhile) is
followed by at least `c / CPU_BUDGET` seconds before the next, so a slow machine or a
heavy block draws fewer frames rather than taking the core. A frame that only adds words
to the last line costs a few ms (a repaint of that line) and keeps the full rate; one
that adds lines (a layout and a redraw of the pane, 10-30 ms) is followed by a longer
gap, so a slow stream costs little and a fast one comes in a few larger steps."""
MAX_FRAME = 0.3
"""Most seconds between flushes, whatever a frame costs (the reply keeps moving). At
850-2,000 tok/s frames are this far apart: each carries a few hundred tokens, and the
gaps between them leave the event loop free for keys (0.15 s cost ~20 % more CPU at
850 tok/s and half the gaps)."""
FROZEN_GUTTER = 2
"""Columns a `FrozenMarkdown` leaves around its text (its CSS padding, `0 1`)."""
LEAF_CHARS = 1500
"""Finished text per FrozenMarkdown widget (bounds the cost of re-rendering one)."""


class ReplyBody(Vertical):
    DEFAULT_CSS = """
    ReplyBody { height: auto; }
    /* Pieces are cut between blocks: one blank line between them, as inside a piece
       (the live block is a FrozenMarkdown too). */
    ReplyBody > FrozenMarkdown { margin-top: 1; }
    ReplyBody > FrozenMarkdown:first-child { margin-top: 0; }
    """

    def __init__(self, text: str = "", *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._initial = text
        self._segmenter = Segmenter()
        self._pending: list[str] = []
        self._done = False
        self._streaming = False
        self._clock: FrameClock | None = None
        """The app's shared frame clock, once text was fed."""
        self._writing = asyncio.Lock()
        """Held while a frame or `finish` writes, so a finish never interleaves a frame."""
        self._leaf: FrozenMarkdown | None = None
        self._live: LiveBlock | None = None
        self.text = text
        """Everything fed so far."""
        self.last_flush: float = 0.0
        """perf_counter of the last write to the screen (benchmarks read it)."""

    def compose(self) -> ComposeResult:
        if self._initial.strip():
            for piece in split_markdown(visible(self._initial), LEAF_CHARS):
                yield FrozenMarkdown(piece)

    @property
    def streaming(self) -> bool:
        return self._streaming or self._live is not None

    # -- streaming ------------------------------------------------------------------

    def feed(self, text: str) -> None:
        """Buffer streamed text; the app's frame clock writes it on the next frame."""
        if not text or self._done:
            return
        self.text += text
        self._pending.append(text)
        self._streaming = True
        if self._clock is None:
            self._clock = FrameClock.of(self.app)
        self._clock.mark(self)

    async def flush_frame(self) -> None:
        """Called by the frame clock: write what gathered (never twice at once)."""
        async with self._writing:
            if not self._done:
                await self._flush()

    async def _flush(self) -> None:
        if not self._pending or not self.is_attached:
            self._pending.clear()
            return
        chunk = visible("".join(self._pending))  # once per frame, not per token
        self._pending.clear()
        done = self._segmenter.feed(chunk)
        if not done:
            await self._write_live(chunk)
        else:
            rendered = await self._render_ahead(self._frozen_pieces(done))
            if not self.is_attached:
                return
            with batch_update(self.app):
                await self._add_frozen(done, rendered)
                await self._reset_live(self._segmenter.tail)
        self.last_flush = time.perf_counter()

    def _frozen_pieces(self, text: str) -> list[str]:
        """The pieces `_add_frozen` will make of `text`: one appended to the last leaf,
        or new leaves."""
        leaf = self._leaf
        if leaf is not None and len(leaf.source) + len(text) <= LEAF_CHARS:
            return [text]
        return split_markdown(text, LEAF_CHARS)

    async def _render_ahead(self, pieces: list[str]) -> list[Rendered | None]:
        """Render finished pieces before they are mounted, one at a time, the event loop
        free between them and a key typed meanwhile echoed first: the layout pass that
        shows them then only places lines, instead of rendering a few thousand
        characters of Markdown while a keypress waits (850-2,000 tok/s freeze blocks on
        most frames)."""
        width = self.content_size.width - FROZEN_GUTTER
        if width <= 0:
            return [None] * len(pieces)
        app = self.app
        started = time.perf_counter()
        rendered: list[Rendered | None] = []
        for piece in pieces:
            started = await echo_first(app, started)
            rendered.append(((width, app.theme), render_piece(app, piece, width)))
            await asyncio.sleep(0)
        return rendered

    async def _add_frozen(self, text: str, rendered: list[Rendered | None] | None = None) -> None:
        ahead = rendered or []
        leaf = self._leaf
        if leaf is not None and len(leaf.source) + len(text) <= LEAF_CHARS:
            leaf.append(text, ahead[0] if ahead else None)
            return
        pieces = split_markdown(text, LEAF_CHARS)
        if len(ahead) != len(pieces):
            ahead = [None] * len(pieces)
        new = [FrozenMarkdown(piece, rendered=lines) for piece, lines in zip(pieces, ahead, strict=True)]
        self._leaf = new[-1]
        if self._live is not None:
            await self.mount_all(new, before=self._live)
        else:
            await self.mount_all(new)

    async def _write_live(self, text: str) -> None:
        await self._show_live((self._live.source if self._live is not None else "") + text)

    async def _reset_live(self, tail: str) -> None:
        """The live block now holds only `tail` (the open block)."""
        if not tail:
            if self._live is not None:
                await self._live.remove()
                self._live = None
            return
        await self._show_live(tail)

    async def _show_live(self, text: str) -> None:
        width = self.content_size.width - FROZEN_GUTTER
        if self._live is not None:
            self._live.show(text, width)
            return
        self._live = LiveBlock(classes="-live")
        self._live.show(text, width)
        await self.mount(self._live)

    async def finish(self) -> None:
        """Drain what is buffered (now, not on the next frame), render the rest whole (frozen)."""
        self._done = True
        self._streaming = False
        if self._clock is not None:
            self._clock.discard(self)  # the end need not wait out the frame
        async with self._writing:  # a frame under way ends first
            await self._flush()
        tail = self._segmenter.tail
        self._segmenter.tail = ""
        if not self.is_attached:
            return
        with batch_update(self.app):
            if tail:
                await self._add_frozen(tail)
            if self._live is not None:
                await self._live.remove()
                self._live = None
        self.last_flush = time.perf_counter()
