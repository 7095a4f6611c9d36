"""First run: chatterm needs a gateway; ask for one, or offer the built-in demo.

Dismisses with one of:

    ("key", base_url, api_key)   "Save and start", after checking the URL is http(s)
                                 and the key is not empty (the caller saves them, the
                                 key in the config file)
    ("keyring", base_url, api_key)  the same, the key to go into the OS keyring (offered,
                                 and ticked, when the caller says a keyring is usable)
    ("demo", None, None)         "Try the demo gateway"
    None                         Esc

The key field is a password input, and the key is never put in a message, a log line
or an error (a bad key is "empty", never echoed).
"""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, Label, Static

from chatterm.api.base_url import check_base_url
from chatterm.terminal_text import visible

__all__ = ["FirstRunResult", "FirstRunScreen", "check_base_url"]

FirstRunResult = tuple[str, str | None, str | None]

INTRO = (
    "chatterm talks to an OpenAI-compatible gateway: enter its URL and key.\n"
    "No key yet? Try the demo gateway: it runs inside chatterm, offline."
)
IN_KEYRING = "Keep the key in the OS keyring (the config file names only where it is)"
IN_CONFIG = "Saved in the config file (no OS keyring here); see `chatterm key set`"
"""One line (the dialog must fit 80x24 with an error shown); its tooltip says why there
is no keyring, and the toast after saving names the file."""


class FirstRunScreen(ModalScreen[FirstRunResult | None]):
    """Ask for a gateway (base URL + key) or start on the demo gateway."""

    CSS_PATH = "first_run.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Quit")]
    AUTO_FOCUS = "#first-run-url"

    def __init__(self, default_base_url: str = "", *, first_run: bool = True, keyring_problem: str | None = "") -> None:
        super().__init__()
        self.default_base_url = default_base_url
        self.first_run = first_run
        """False when opened again from the app: Esc cancels instead of quitting."""
        self.keyring_problem = keyring_problem
        """Why the key cannot go to the OS keyring (None: it can, and that is offered;
        "": not asked)."""

    def __repr__(self) -> str:  # never let a widget tree repr carry the key
        return f"{type(self).__name__}(default_base_url={self.default_base_url!r})"

    def compose(self) -> ComposeResult:
        with Vertical(id="first-run-dialog") as dialog:
            dialog.border_title = "Welcome to chatterm" if self.first_run else "Set up the gateway"
            dialog.border_subtitle = "Enter continue · " + ("Esc quit" if self.first_run else "Esc cancel")
            yield Static(INTRO, id="first-run-intro")
            yield Label("Base URL (it usually ends in /v1)", classes="field-label", markup=False)
            yield Input(
                self.default_base_url,
                placeholder="https://gateway.example.com/v1",
                id="first-run-url",
            )
            yield Label("API key", classes="field-label")
            yield Input(placeholder="sk-…", password=True, id="first-run-key")
            if self.keyring_problem is None:
                yield Checkbox(IN_KEYRING, True, id="first-run-keyring", compact=True)
            else:
                yield Static(
                    IN_CONFIG.format(why=f" ({self.keyring_problem})" if self.keyring_problem else ""),
                    id="first-run-where",
                    markup=False,
                )
            yield Static("", id="first-run-error", markup=False)
            with Horizontal(id="first-run-buttons"):
                yield Button("Save and start", variant="primary", id="first-run-save")
                yield Button("Try the demo gateway", variant="success", id="first-run-demo")

    def on_mount(self) -> None:
        self.query_one("#first-run-error", Static).display = False

    def _error(self, message: str, field_id: str) -> None:
        error = self.query_one("#first-run-error", Static)
        error.update(visible(message))  # it may quote the gateway
        error.display = True
        for input_ in self.query(Input):
            input_.set_class(input_.id == field_id, "-invalid")
        self.query_one(f"#{field_id}", Input).focus()

    def action_save(self) -> None:
        url = self.query_one("#first-run-url", Input).value.strip()
        key = self.query_one("#first-run-key", Input).value.strip()
        problem = check_base_url(url)
        if problem is not None:
            self._error(problem, "first-run-url")
            return
        if not key:
            self._error("Enter your API key (or try the demo gateway)", "first-run-key")
            return
        in_keyring = self.keyring_problem is None and self.query_one("#first-run-keyring", Checkbox).value
        self.dismiss(("keyring" if in_keyring else "key", url, key))

    def action_demo(self) -> None:
        self.dismiss(("demo", None, None))

    def action_cancel(self) -> None:
        self.dismiss(None)

    @on(Input.Submitted, "#first-run-url")
    def _url_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.query_one("#first-run-key", Input).focus()

    @on(Input.Submitted, "#first-run-key")
    def _key_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_save()

    @on(Button.Pressed, "#first-run-save")
    def _save_pressed(self) -> None:
        self.action_save()

    @on(Button.Pressed, "#first-run-demo")
    def _demo_pressed(self) -> None:
        self.action_demo()
