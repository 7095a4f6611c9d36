"""Tool approval: may the model run this local function with these arguments?

Shows the tool's name and description (for an MCP server's tool, the server, and
whether it marks the tool read-only) and the call's arguments as they will run
(`tools/preview.py`: the parsed arguments, duplicates resolved as the runner resolves
them, pretty-printed and highlighted, with escapes for anything invisible or
controlling and long values cut), or, when the model wrote invalid JSON, that text on
one line with the same escapes, flagged. Dismisses with one of the engine's three
answers:

    "once"     y / Enter     run this call
    "session"  a             run this tool without asking again in this session
    "deny"     n / Esc       do not run it (the model is told the user declined)

Every approving key and button takes effect only `ARM_SECONDS` after the dialog
opened: keys typed ahead (an Enter still on its way from the prompt, a `y` or an `a`
meant for the chat) must not run a call nobody has read, let alone grant the tool for
the session. Denying acts at once.
"""

from __future__ import annotations

import time
from typing import ClassVar, Literal, TypeAlias

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.highlight import highlight
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from chatterm.api.types import ToolCall
from chatterm.terminal_text import visible, visible_line
from chatterm.tools.preview import arguments_preview

ApprovalChoice: TypeAlias = Literal["once", "session", "deny"]

ARM_SECONDS = 0.5


def pretty_arguments(arguments: str) -> tuple[str, bool]:
    """(text to show, whether it is valid JSON): the arguments as they will run, pretty;
    or the raw text on one line, escaped."""
    preview = arguments_preview(ToolCall("", "", arguments), indent=2)
    return preview.text, preview.valid_json


def source_line(source: str, read_only: bool) -> str:
    """Whose tool this is, and the server's read-only claim (a hint the server makes about
    itself, so it informs the user and decides nothing)."""
    if not source.startswith("mcp:"):
        return ""
    line = f"From the MCP server {visible_line(source[4:])}."
    if read_only:
        line += " The server marks it read-only (it says it changes nothing)."
    return line


class ToolApprovalScreen(ModalScreen[str]):
    """Ask whether to run one tool call; dismisses with "once", "session" or "deny"."""

    CSS_PATH = "approval.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "choose('once')", "Allow once"),
        Binding("enter", "enter", "Allow once", show=False),
        Binding("a", "choose('session')", "Allow for session"),
        Binding("n", "choose('deny')", "Deny"),
        Binding("escape", "choose('deny')", "Deny", show=False, priority=True),
    ]
    AUTO_FOCUS = "#approve-once"

    def __init__(
        self,
        call: ToolCall,
        description: str = "",
        *,
        arm_seconds: float = ARM_SECONDS,
        source: str = "",
        read_only: bool = False,
    ) -> None:
        super().__init__()
        self.call = call
        self.description = description
        self.source = source
        """`mcp:<server>` for a server's tool: the dialog says whose tool it is."""
        self.read_only = read_only
        """The server annotates the tool read-only: shown, as the server's claim."""
        self.arm_seconds = arm_seconds
        self._opened = time.monotonic()

    def on_screen_resume(self) -> None:
        """Shown (again, if another screen covered it): the arming starts over."""
        self._opened = time.monotonic()

    @property
    def armed(self) -> bool:
        """Shown long enough for an approving key or button to count."""
        return time.monotonic() - self._opened >= self.arm_seconds

    def compose(self) -> ComposeResult:
        text, valid = pretty_arguments(self.call.arguments)
        with Vertical(id="approval-dialog") as dialog:
            dialog.border_title = "Run a tool?"
            dialog.border_subtitle = "y once · a session · n deny"
            yield Static(
                Content.assemble("The model wants to run ", (visible_line(self.call.name), "bold $text-accent")),
                id="approval-tool",
            )
            if self.description:
                yield Static(visible(self.description), id="approval-description", markup=False)
            origin = source_line(self.source, self.read_only)
            if origin:
                yield Static(origin, id="approval-source", markup=False)
            if not valid:
                yield Static(
                    "These arguments are not valid JSON; the tool will get an error if run.",
                    id="approval-invalid",
                )
            with VerticalScroll(id="approval-arguments") as scroll:
                scroll.border_title = "arguments"
                yield Static(highlight(text, language="json") if valid else Content(text), id="approval-json")
            with Horizontal(id="approval-buttons"):
                yield Button("Allow once (y)", variant="primary", id="approve-once")
                yield Button("Allow for session (a)", variant="warning", id="approve-session")
                yield Button("Deny (n)", variant="error", id="approve-deny")

    def action_choose(self, choice: ApprovalChoice) -> None:
        if choice == "deny" or self.armed:
            self.dismiss(choice)

    def action_enter(self) -> None:
        if self.armed:
            self.dismiss("once")

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if not self.armed:
            return
        choice: ApprovalChoice = {
            "approve-once": "once",
            "approve-session": "session",
        }.get(event.button.id or "", "deny")  # type: ignore[assignment]
        self.dismiss(choice)
