"""Find where a streaming Markdown text may be cut into self-contained pieces.

Both progressive renderers need it, so both use this one rule: the TUI's reply view
(every block widget Textual's `Markdown` mounts costs ~2 ms to mount and layout time on
every refresh after, so finished blocks move into a few static widgets) and `ask`'s
`MarkdownPrinter` (finished blocks are printed once, for good). Were the rules two, a
reply would be cut differently on each side, and a cut in the wrong place (between a
list's loose items, inside a four-backtick fence) renders differently from the whole.

A cut is safe at the start of a line that follows a blank line, outside a code fence,
and that starts a new top-level block: not indented and not a list item (so a list and
its loose items stay together). Pure Python: neither Textual nor rich.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_LIST_ITEM = re.compile(r"^(?:[-*+]|\d{1,9}[.)])(?:\s|$)")


@dataclass(slots=True)
class Segmenter:
    """Feed text as it arrives; `feed()` returns the text that became finished.

    The finished text always ends at a safe cut; `tail` is the rest (the open block).
    Concatenating every `feed()` result and the final `tail` gives back the input.
    """

    tail: str = ""
    """Text after the last safe cut: the block(s) still being written."""
    _scanned: int = 0
    """How much of `tail` has been scanned line by line."""
    _fence: str | None = None
    _after_blank: bool = False
    blocks: int = 0
    """Safe cuts seen so far (about the number of top-level blocks)."""

    def feed(self, text: str) -> str:
        self.tail += text
        tail = self.tail
        pos = self._scanned
        cut = 0
        while True:
            nl = tail.find("\n", pos)
            if nl == -1:
                break
            line = tail[pos : nl + 1]
            if self._is_cut(line) and pos > 0:
                cut = pos
                self.blocks += 1
            self._scan(line)
            pos = nl + 1
        self._scanned = pos - cut
        if cut:
            done, self.tail = tail[:cut], tail[cut:]
            return done
        return ""

    def _is_cut(self, line: str) -> bool:
        if self._fence is not None or not self._after_blank:
            return False
        if not line.strip() or line[0] in " \t":
            return False
        return _LIST_ITEM.match(line) is None

    def _scan(self, line: str) -> None:
        """Update fence and blank-line state with one complete line."""
        match = _FENCE.match(line)
        if self._fence is None:
            if match:
                self._fence = match.group(1)
                self._after_blank = False
            else:
                self._after_blank = not line.strip()
        elif (
            match
            and match.group(1)[0] == self._fence[0]
            and len(match.group(1)) >= len(self._fence)
            and not line[match.end() :].strip()
        ):
            self._fence = None
            self._after_blank = False


def split_markdown(text: str, max_chars: int = 4000) -> list[str]:
    """A finished text cut into pieces of about `max_chars` at safe cuts."""
    segmenter = Segmenter()
    pieces: list[str] = []
    current = ""
    for line in text.splitlines(keepends=True):
        done = segmenter.feed(line)
        if done:
            current += done
            if len(current) >= max_chars:
                pieces.append(current)
                current = ""
    current += segmenter.tail
    if current or not pieces:
        pieces.append(current)
    return pieces
