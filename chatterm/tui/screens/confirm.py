"""A yes/no question in a modal: y confirms, n / Esc declines, Enter takes the focused button.

`danger=True` is for what cannot be undone (deleting a chat): the dialog and its Yes
button are red and the focus starts on No, so an Enter pressed out of habit keeps
things as they are."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static


class ConfirmScreen(ModalScreen[bool]):
    CSS_PATH = "confirm.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,n", "answer(False)", "No", priority=True),
        Binding("y", "answer(True)", "Yes"),
    ]
    AUTO_FOCUS = "#confirm-yes"

    def __init__(self, title: str, question: str, *, yes: str = "Yes", no: str = "No", danger: bool = False) -> None:
        super().__init__()
        self.title_text = title
        self.question = question
        self.yes_label = yes
        self.no_label = no
        self.danger = danger

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-dialog", classes="danger" if self.danger else "") as dialog:
            dialog.border_title = self.title_text
            dialog.border_subtitle = f"y {self.yes_label.lower()} · n / Esc {self.no_label.lower()}"
            yield Static(self.question, id="confirm-question", markup=False)
            with Horizontal(id="confirm-buttons"):
                yield Button(self.yes_label, variant="error" if self.danger else "primary", id="confirm-yes")
                yield Button(self.no_label, id="confirm-no")

    def on_mount(self) -> None:
        if self.danger:  # after AUTO_FOCUS (a class setting) put it on Yes
            self.query_one("#confirm-no", Button).focus()

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(event.button.id == "confirm-yes")

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)
