"""Help: every binding of the app, the screen beneath and our focused widget, plus the
prompt keys and the palette; gathered live when it opens."""

from __future__ import annotations

from typing import Any, ClassVar

from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import Input, Static, TextArea

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


async def test_lists_app_screen_and_prompt_bindings() -> None:
    app = Host()
    async with app.run_test() as pilot:
        await pilot.pause()
        assert app.focused is app.screen.query_one(Prompt)
        await pilot.press("f1")
        screen = app.screen
        assert isinstance(screen, HelpScreen)
        text = screen.text
        for expected in ("New chat", "Pick model", "Thinking", "Help", "Quit"):
            assert expected in text
        assert "^n" in text
        # Screen bindings (hidden ones too) and our own widget's bindings.
        assert "Clear the screen" in text and "Stop the reply" in text
        assert "Search earlier prompts" in text
        # Textual's built-in TextArea keys are not listed.
        assert "Move cursor left" not in text
        # Fixed groups: the prompt keys and the palette.
        assert "Shift+Enter / Ctrl+J" in text and "Recall earlier prompts" in text
        assert "Open the palette" in text and "^p" in text and "detach a JSON Schema" in text
        # The keys of a focused message (copy, edit, regenerate, branches).
        message_keys = dict(next(g for g in screen.groups if g.title == "On a focused message").rows)
        assert {"c", "e", "r", "b", "← / →"} <= set(message_keys)
        titles = [group.title for group in screen.groups]
        assert titles[0] == "Application"
        assert "Screen: ChatLike" in titles and "Focused: prompt" in titles
        # It is on screen, not only in an attribute.
        shown = "\n".join(str(static.render()) for static in screen.query(Static))
        assert "Clear the screen" in shown and "New chat" in shown
        # A long description wraps under itself, not under the keys.
        palette = next(line for line in shown.splitlines() if "Open the palette" in line)
        indent = palette.index("Open the palette")
        after = shown.splitlines()[shown.splitlines().index(palette) + 1]
        assert after[:indent].strip() == "" and after[indent] != " "


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


async def test_gathers_what_is_bound_at_show_time() -> None:
    app = Host()
    async with app.run_test() as pilot:
        app.bind("ctrl+e", "export", description="Export this chat")
        await pilot.press("f1")
        assert "Export this chat" in app.screen.text


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


async def test_cmd_twins_of_ctrl_keys_are_not_listed() -> None:
    app = Host()
    async with app.run_test() as pilot:
        await pilot.press("f1")
        assert "super+" not in app.screen.text


async def test_rows_read_cleanly_one_row_per_key_sentence_case_and_a_column_per_group() -> None:
    """What a newcomer scanning F1 sees: one `esc` row saying both of its jobs, Textual's
    "Focus Next" written as the rest are ("Focus next"), and the short keys of most
    groups not pushed right by the prompt box's long "Shift+Enter / Ctrl+J"."""
    app = Host()
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        await pilot.press("f1")
        screen = app.screen
        assert isinstance(screen, HelpScreen)
        screen_rows = next(g for g in screen.groups if g.title == "Screen: ChatLike").rows
        esc_rows = [desc for key, desc in screen_rows if key == "esc"]
        assert esc_rows == ["Stop the reply · Cancel edit"]
        assert "Focus next" in screen.text and "Focus Next" not in screen.text
        shown = "\n".join(str(static.render()) for static in screen.query(Static)).splitlines()
        new_chat = next(line for line in shown if "New chat" in line)
        newline = next(line for line in shown if "New line in the prompt" in line)
        assert new_chat.index("New chat") < 12 < newline.index("New line in the prompt")
