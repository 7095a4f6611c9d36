"""Progressive Markdown for `ask` on a terminal.

Re-rendering the whole reply per token is quadratic and a `Live` view taller than the
screen repaints badly, so finished blocks (cut by `markdown_blocks.Segmenter`, the rule
the TUI's reply view uses too) are printed once, for good, and only the unfinished tail
is shown live.
"""

from __future__ import annotations

import time
from typing import Any

from chatterm.markdown_blocks import Segmenter


def _is_blank(line: list[Any]) -> bool:
    """Only spaces and no background (a code block's padding line has one)."""
    return not "".join(segment.text for segment in line).strip() and all(
        segment.style is None or segment.style.bgcolor is None for segment in line
    )


class MarkdownPrinter:
    """Finished blocks are printed for good; the unfinished tail is previewed in a
    transient `Live` cropped to the screen, and printed for good when the reply ends."""

    def __init__(self, refresh_per_second: float = 12.0) -> None:
        from rich.console import Console

        self.console = Console()
        self._live: Any = None
        self._blocks = Segmenter()
        self._finished = ""
        """Text the segmenter cut off that is not printed yet (printing is throttled)."""
        self._interval = 1.0 / refresh_per_second
        self._last = 0.0
        self._printed = False

    def _markdown(self, text: str) -> Any:
        from rich.markdown import Markdown

        return Markdown(text, code_theme="monokai")

    def feed(self, text: str) -> None:
        self._finished += self._blocks.feed(text)
        now = time.monotonic()
        if now - self._last < self._interval:
            return
        self._last = now
        self._print_finished()
        tail = self._blocks.tail
        if not tail.strip():
            return
        if self._live is None:
            from rich.live import Live

            self._live = Live(
                self._markdown(tail),
                console=self.console,
                auto_refresh=False,
                transient=True,
                vertical_overflow="crop",
            )
            self._live.start()
        else:
            self._live.update(self._markdown(tail), refresh=True)

    def _print_finished(self) -> None:
        done, self._finished = self._finished, ""
        if done:
            self._print(done)  # above the live tail, for good

    def _print(self, text: str) -> None:
        """Print finished Markdown for good, one blank line from the piece before.

        Where the text is cut depends on how fast it arrives, and Rich opens a quote or a
        table with a blank line and closes a table with two: printed as they come, the
        same reply showed with no gap, one or three. Blank edges are dropped and runs of
        blank lines cut to one, so the gaps are the same at any speed."""
        from rich.segment import Segment, Segments

        rendered = self.console.render_lines(self._markdown(text), self.console.options, pad=False)
        lines: list[list[Segment]] = []
        for line in rendered:
            if _is_blank(line) and (not lines or _is_blank(lines[-1])):
                continue
            lines.append(line)
        while lines and _is_blank(lines[-1]):
            lines.pop()
        if not lines:
            return
        if self._printed:
            self.console.print()
        self._printed = True
        self.console.print(Segments([segment for line in lines for segment in (*line, Segment.line())]), end="")

    def close(self) -> None:
        if self._live is not None:
            self._live.stop()
            self._live = None
        self._print_finished()
        text, self._blocks.tail = self._blocks.tail, ""
        if text.strip():
            self._print(text)
