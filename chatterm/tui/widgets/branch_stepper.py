"""`BranchStepper`: ‹ 2/3 › in a message's header when it has siblings.

Regenerating a reply or editing a prompt keeps the old one as a sibling (same parent)
in the store. The stepper shows which sibling is on screen and how many there are;
clicking ‹ or › (or ←/→ on the focused message) posts `Step`, and the message view
turns it into a branch switch. Hidden while there is only one.
"""

from __future__ import annotations

from textual import events
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.message import Message
from textual.widgets import Static


class BranchStepper(Horizontal):
    DEFAULT_CSS = """
    BranchStepper { width: auto; height: 1; display: none; color: $text-muted; }
    BranchStepper.-shown { display: block; }
    BranchStepper > Static { width: auto; padding: 0 0; }
    BranchStepper > .step { color: $text-accent; padding: 0 1; }
    BranchStepper > .step.-end { color: $text-disabled; }
    BranchStepper > .step:hover { text-style: bold reverse; }
    """

    class Step(Message):
        """The user asked for the previous (-1) or next (+1) sibling."""

        def __init__(self, step: int) -> None:
            super().__init__()
            self.step = step

    def __init__(self) -> None:
        super().__init__()
        self.index = 0
        self.count = 1

    def compose(self) -> ComposeResult:
        yield Static("‹", classes="step", id="branch-prev")
        yield Static("", id="branch-count")
        yield Static("›", classes="step", id="branch-next")

    def show(self, index: int, count: int) -> None:
        self.index, self.count = index, count
        self.set_class(count > 1, "-shown")
        self.query_one("#branch-count", Static).update(f"{index + 1}/{count}")
        self.query_one("#branch-prev", Static).set_class(index == 0, "-end")
        self.query_one("#branch-next", Static).set_class(index >= count - 1, "-end")
        self.tooltip = f"Branch {index + 1} of {count}: click ‹ › or press ← → on the message"

    def on_click(self, event: events.Click) -> None:
        widget = event.widget
        if widget is not None and widget.id in ("branch-prev", "branch-next"):
            event.stop()
            self.post_message(self.Step(-1 if widget.id == "branch-prev" else 1))
