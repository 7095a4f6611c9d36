"""SVG snapshots of the picker, the help screen, the approval modal and each shipped
theme (on a small app with the widgets chatterm uses; the chat screen itself is
snapshotted with the app's own tests).

Update after a deliberate change: pytest tests/tui/test_screens_snapshots.py --snapshot-update
"""

from __future__ import annotations

from typing import Any, ClassVar

import pytest
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import Button, Footer, Header, Markdown, Static, Switch, TextArea

from chatterm.api.types import ToolCall
from chatterm.tui.screens.approval import ToolApprovalScreen
from chatterm.tui.screens.help import HelpScreen
from chatterm.tui.screens.picker import ModelPickerScreen
from chatterm.tui.themes import SHIPPED_THEME_NAMES, register_themes

REPLY = """\
Here is a **small** example with a list and code:

1. Read the file
2. Count the words

```python
def count(path: str) -> int:
    return len(open(path).read().split())
```
"""

SHOWCASE_CSS = """
#conversation { height: 1fr; padding: 0 1; }
.user { background: $primary-muted; color: $text-primary; padding: 0 1; margin: 1 0 0 8; }
.reply { border-left: wide $accent; padding: 0 1; margin-top: 1; background: $surface; }
.error-row { color: $text-error; background: $error-muted; padding: 0 1; margin-top: 1; }
#bar { height: 3; padding: 0 1; background: $panel; }
#bar Static { width: auto; padding: 1 1 0 0; color: $text-muted; }
#bar Switch { margin-right: 1; }
#prompt-row { height: auto; }
#prompt { height: 3; }
"""


class ShowcaseScreen(Screen[None]):
    """A stand-in for the chat screen: messages, an error row, toggles, prompt, buttons."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+n", "noop", "New chat"),
        Binding("ctrl+o", "noop", "Model"),
        Binding("f1", "noop", "Help"),
    ]

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="conversation"):
            yield Static("How many words are in notes.txt?", classes="user")
            yield Markdown(REPLY, classes="reply")
            yield Static("Rate limited (429): slow down and retry in 20 s.", classes="error-row")
        with Horizontal(id="bar"):
            yield Static("gpt-4o")
            yield Switch(True, id="thinking")
            yield Static("Thinking")
            yield Switch(False, id="search")
            yield Static("Search")
            yield Button("Send", variant="primary")
            yield Button("Stop", variant="error")
        yield TextArea("A draft prompt", id="prompt")
        yield Footer()

    def action_noop(self) -> None:
        pass


class Showcase(App[None]):
    """The stand-in chat screen, optionally with a modal pushed over it."""

    CSS = SHOWCASE_CSS
    TITLE = "chatterm"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "noop", "Settings"),
        Binding("ctrl+y", "noop", "Copy last reply"),
    ]

    def __init__(self, theme: str = "chatterm-dark", modal: Screen[Any] | None = None) -> None:
        super().__init__()
        register_themes(self)
        self.theme = theme
        self.modal = modal

    def on_mount(self) -> None:
        self.push_screen(ShowcaseScreen())
        if self.modal is not None:
            self.push_screen(self.modal)

    def action_noop(self) -> None:
        pass


def Host(modal: Screen[Any]) -> Showcase:
    return Showcase(modal=modal)


async def freeze(pilot: Pilot[Any]) -> None:
    """Stop cursors blinking so the picture does not depend on timing."""
    await pilot.pause()
    for screen in pilot.app.screen_stack:
        for widget in screen.query("Input, TextArea"):
            widget.cursor_blink = False  # type: ignore[attr-defined]
    await pilot.pause()


def test_picker(snap_compare: Any) -> None:
    picker = ModelPickerScreen(
        {
            "OpenAI": ["gpt-4o", "gpt-4o-mini", "o3-mini"],
            "Claude": ["claude-sonnet-4-5", "claude-opus-4-1"],
            "Gemini": ["gemini-2.5-pro", "gemini-2.5-flash"],
        },
        favourites=["claude-sonnet-4-5"],
        current="gpt-4o",
    )
    assert snap_compare(Host(picker), run_before=freeze, terminal_size=(90, 30))


def test_picker_filtered(snap_compare: Any) -> None:
    picker = ModelPickerScreen(
        {"OpenAI": ["gpt-4o", "gpt-4o-mini"], "Claude": ["claude-sonnet-4-5"]},
        favourites=[],
        current="gpt-4o",
    )
    assert snap_compare(Host(picker), press=list("g4m"), run_before=freeze, terminal_size=(90, 30))


def test_help(snap_compare: Any) -> None:
    assert snap_compare(Host(HelpScreen()), run_before=freeze, terminal_size=(100, 40))


def test_approval(snap_compare: Any) -> None:
    call = ToolCall("call_1", "read_file", '{"path": "notes/today.md", "max_bytes": 65536}')
    modal = ToolApprovalScreen(call, "Read a text file from an allowed folder")
    assert snap_compare(Host(modal), run_before=freeze, terminal_size=(90, 30))


@pytest.mark.parametrize("theme", SHIPPED_THEME_NAMES)
def test_theme(snap_compare: Any, theme: str) -> None:
    assert snap_compare(Showcase(theme), run_before=freeze, terminal_size=(90, 30))
