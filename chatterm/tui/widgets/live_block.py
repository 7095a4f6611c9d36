"""`LiveBlock`: the block still being written, one leaf rendered as finished text is.

The open block of a streaming reply (a paragraph, list, quote, table or code fence not
yet closed) is rendered whole on each frame by the renderer of finished text
(`frozen_markdown.render_piece`) and shown through the Line API. It was Textual's
`Markdown`, updated in place: a widget per paragraph, list row, bullet and column, so
each new list item mounted four widgets (each with a message queue to run: 4-8 ms
apiece), and every visible widget is rendered and cut again on each paint of the pane.
One leaf is cheaper to lay out and to paint (headless, 2,000 tokens: 26 % less CPU at
50 tok/s, 8-9 % at 850-2,000), and the block looks while it streams exactly as it will
once frozen. A frame that leaves the block's line count as it was repaints the block
only; one that adds a line asks for a layout.
"""

from __future__ import annotations

from chatterm.tui.widgets.frozen_markdown import FrozenMarkdown, render_piece


class LiveBlock(FrozenMarkdown):
    def show(self, text: str, width: int) -> None:
        """The block now holds `text`, rendered at `width` here (the frame's work), so the
        layout pass or repaint that shows it only places lines."""
        key = (width, self.app.theme)
        before = self._lines.get(key)
        lines = render_piece(self.app, text, width) if width > 0 else None
        self.source = text
        self._pieces = [text] if text else []
        self._piece_lines = {key: [lines]} if lines is not None else {}
        self._lines = {}
        if before is not None and lines is not None and len(lines) == len(before):
            self.refresh()
        else:
            self.refresh(layout=True)
