"""`TabStrip`: one line above the conversation naming every open chat.

     1 Rust lifetimes ⋯ │ 2 Tea • │ 3 New chat        Ctrl+PgUp/PgDn switch · Alt+W close

The shown tab is highlighted; `⋯` marks a tab whose reply is being written, `•` one
whose reply finished while it was in the background. The tab keys are named at the
right (the footer has no room left for them on 80 columns; F1 lists them too). It shows only while two or more
chats are open, so a single chat looks as it always did. Each chat screen has its own
strip (a tab is a screen); the app tells them all what to show, so the strip holds no
state of its own. A click on a tab asks for it (`TabStrip.Picked`).
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import events
from textual.message import Message
from textual.widgets import Static

from chatterm.terminal_text import visible_line

STREAMING_MARK = "⋯"
UNSEEN_MARK = "•"


@dataclass(frozen=True, slots=True)
class TabEntry:
    title: str
    active: bool
    streaming: bool
    unseen: bool


class TabStrip(Static):
    DEFAULT_CSS = """
    TabStrip { dock: top; height: 1; width: 1fr; display: none; background: $boost; color: $text-muted; }
    TabStrip.-shown { display: block; }
    """

    class Picked(Message):
        def __init__(self, index: int) -> None:
            super().__init__()
            self.index = index

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("", id=id, markup=False)
        self._spans: list[tuple[int, int]] = []
        self._line = Text()
        self._keys = ""

    def show_tabs(self, entries: list[TabEntry], keys: str = "") -> None:
        """`keys`: the tab keys in words, shown at the right while there is room."""
        self.set_class(len(entries) > 1, "-shown")
        self._keys = keys
        line = Text(no_wrap=True, overflow="ellipsis")
        self._spans = []
        for number, entry in enumerate(entries, start=1):
            if number > 1:
                line.append("│", style="dim")
            start = len(line)
            mark = f" {STREAMING_MARK}" if entry.streaming else f" {UNSEEN_MARK}" if entry.unseen else ""
            label = f" {number} {visible_line(entry.title)}{mark} "
            line.append(label, style="bold reverse" if entry.active else "bold" if entry.unseen else "")
            self._spans.append((start, len(line)))
        self._line = line
        self._lay_out()

    def on_resize(self) -> None:
        self._lay_out()

    def _lay_out(self) -> None:
        line = self._line.copy()
        room = self.size.width - line.cell_len - len(self._keys) - 2
        if self._keys and room >= 0:
            line.append(" " * (room + 1))
            line.append(self._keys, style="italic")
        self.update(line)

    def on_click(self, event: events.Click) -> None:
        for index, (start, end) in enumerate(self._spans):
            if start <= event.x < end:
                event.stop()
                self.post_message(self.Picked(index))
                return
