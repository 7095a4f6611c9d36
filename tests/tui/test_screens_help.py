"""Help: opening, closing and scrolling. What it lists (every key from the key table,
in one style) is checked in test_keys.py."""

from __future__ import annotations

from typing import Any, ClassVar

from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import Input, TextArea

from chatterm.tui.screens.help import HelpScreen


class Prompt(TextArea):
    BINDINGS: ClassVar[list[BindingType]] = [Binding("ctrl+r", "recall", "Search earlier prompts")]


class ChatLikeScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+l", "clear", "Clear the screen"),
        Binding("escape", "stop", "Stop the reply", show=False),
        Binding("escape", "cancel_edit", "Cancel edit", show=False),
    ]

    def compose(self) -> ComposeResult:
        yield Prompt(id="prompt")
        yield Input(id="other")


class Host(App[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f1", "help", "Help"),
        Binding("ctrl+n", "new_chat", "New chat"),
        Binding("ctrl+o", "pick_model", "Pick model"),
        Binding("t", "toggle_thinking", "Thinking"),
    ]

    def on_mount(self) -> None:
        self.push_screen(ChatLikeScreen())

    def action_help(self) -> None:
        self.push_screen(HelpScreen())


async def test_f1_and_escape_close() -> None:
    app = Host()
    async with app.run_test() as pilot:
        await pilot.press("f1")
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("f1")
        assert isinstance(app.screen, ChatLikeScreen)
        await pilot.press("f1")
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        assert isinstance(app.screen, ChatLikeScreen)


async def test_the_keyboard_scrolls_a_long_help_at_once(chat_context: Any) -> None:
    """On a short terminal the list is taller than the dialog: PgDn scrolls it without
    a click first (the chat app's own auto-focus, "#prompt", is not on this screen),
    and End reaches the command palette group."""
    from chatterm.tui.app import ChatApp

    app = ChatApp(chat_context)
    async with app.run_test(size=(80, 20)) as pilot:
        await pilot.press("f1")
        await pilot.pause()
        body = app.screen.query_one("#help-body")
        assert body.max_scroll_y > 0 and body.scroll_y == 0
        await pilot.press("pagedown")
        await pilot.pause()
        assert body.scroll_y > 0
        await pilot.press("end")
        await pilot.pause()
        assert body.scroll_y == body.max_scroll_y
