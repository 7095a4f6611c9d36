"""Progressive Markdown for `ask` on a terminal.

Re-rendering the whole reply per token is quadratic and a `Live` view taller than the
screen repaints badly, so finished blocks (text before a blank line that is outside a
code fence) are printed once, for good, and only the unfinished tail is shown live.
"""

from __future__ import annotations

import re
import time
from typing import Any

_FENCE = re.compile(r"^\s{0,3}(```|~~~)")


def split_finished(text: str) -> int:
    """Index up to which `text` is made of finished Markdown blocks (0: none)."""
    in_fence = False
    cut = 0
    position = 0
    for line in text.splitlines(keepends=True):
        position += len(line)
        if not line.endswith(("\n", "\r")):
            break  # the last line is still being written
        if _FENCE.match(line):
            in_fence = not in_fence
            if not in_fence:
                cut = position  # a closed fence ends a block
            continue
        if not in_fence and not line.strip():
            cut = position
    return cut


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
        self._pending = ""
        self._interval = 1.0 / refresh_per_second
        self._last = 0.0
        self._printed = False

    def _markdown(self, text: str) -> Any:
        from rich.markdown import Markdown

        return Markdown(text, code_theme="monokai")

    def feed(self, text: str) -> None:
        self._pending += text
        now = time.monotonic()
        if now - self._last < self._interval:
            return
        self._last = now
        self._print_finished()
        if not self._pending.strip():
            return
        if self._live is None:
            from rich.live import Live

            self._live = Live(
                self._markdown(self._pending),
                console=self.console,
                auto_refresh=False,
                transient=True,
                vertical_overflow="crop",
            )
            self._live.start()
        else:
            self._live.update(self._markdown(self._pending), refresh=True)

    def _print_finished(self) -> None:
        cut = split_finished(self._pending)
        if cut:
            done, self._pending = self._pending[:cut], self._pending[cut:]
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
        text, self._pending = self._pending, ""
        if text.strip():
            self._print(text)
