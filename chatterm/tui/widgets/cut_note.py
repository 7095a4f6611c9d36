"""`CutNote`: under a reply that did not end by itself, why (the token limit, a content
filter), and for a reply cut by the token limit a "Continue" that asks the model to go
on. Without it a cut reply reads like a finished one (`engine/finish_reasons.py`)."""

from __future__ import annotations

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.message import Message
from textual.widgets import Static

from chatterm.engine.finish_reasons import can_continue, cut_note


class ContinueLink(Static, can_focus=True):
    """ "Continue": a click or Enter asks for the rest of the reply."""

    BINDINGS = [Binding("enter", "press", "Continue the reply", show=False)]

    def on_click(self, event: events.Click) -> None:
        event.stop()
        self.action_press()

    def action_press(self) -> None:
        self.post_message(CutNote.ContinuePressed())


class CutNote(Horizontal):
    DEFAULT_CSS = """
    CutNote { height: auto; padding: 0 1; }
    CutNote > .cut-why { width: auto; color: $text-warning; text-style: italic; }
    CutNote > ContinueLink { width: auto; margin: 0 0 0 1; color: $text-accent; text-style: bold underline; }
    CutNote > ContinueLink:hover, CutNote > ContinueLink:focus { background: $accent 30%; }
    """

    class ContinuePressed(Message):
        """The user asked for the rest of the reply."""

    def __init__(self, finish_reason: str | None) -> None:
        super().__init__(classes="cut-note")
        self.finish_reason = finish_reason

    @staticmethod
    def wanted(finish_reason: str | None) -> bool:
        return cut_note(finish_reason) is not None

    def compose(self) -> ComposeResult:
        why = cut_note(self.finish_reason) or ""
        yield Static(f"✂ {why[:1].upper()}{why[1:]}", classes="cut-why", markup=False)
        if can_continue(self.finish_reason):
            yield Static("·", classes="cut-why", markup=False)
            yield ContinueLink("Continue", markup=False)
