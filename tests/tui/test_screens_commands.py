"""The command palette: chatterm's commands show when it opens empty, search finds
them, and choosing one runs the app's action (tools and themes included)."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from textual.app import App
from textual.command import CommandPalette
from textual.widgets import Input, OptionList

from chatterm.engine.conversation import ChatSettings
from chatterm.tui.commands import ChatCommands, ThemeCommands, chat_commands
from chatterm.tui.themes import register_themes

from .waiting import wait_until

ACTIONS = (
    "new_chat",
    "pick_model",
    "toggle_thinking",
    "toggle_search",
    "toggle_stream",
    "copy_last_reply",
    "copy_code_block",
    "chat_settings",
    "history",
    "regenerate",
    "help",
    "attach_file",
    "attach_schema",
    "detach_schema",
)


class Tools:
    def names(self) -> list[str]:
        return ["calculator", "current_time"]


class Host(App[None]):
    COMMANDS = {ChatCommands, ThemeCommands}

    def __init__(self, with_session: bool = True) -> None:
        super().__init__()
        self.calls: list[tuple[str, tuple[Any, ...]]] = []
        if with_session:
            settings = ChatSettings(thinking=True, disabled_tools=["current_time"])
            self.session = SimpleNamespace(conversation=SimpleNamespace(settings=settings))
            self.context = SimpleNamespace(tools=Tools())
        register_themes(self)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("action_") and name.removeprefix("action_") in ACTIONS:
            return lambda *args: self.calls.append((name.removeprefix("action_"), args))
        raise AttributeError(name)

    async def action_toggle_tool(self, name: str) -> None:  # async actions are awaited
        self.calls.append(("toggle_tool", (name,)))


def palette_prompts(app: App[None]) -> list[str]:
    option_list = app.screen.query_one(OptionList)
    return [str(option.prompt).split("\n")[0] for option in option_list.options]


async def wait_for_first(pilot: Any, text: str) -> None:
    """Let the palette gather its hits (a background task) until `text` is listed first."""
    await wait_until(pilot, lambda: CommandPalette.is_open(pilot.app) and palette_prompts(pilot.app)[:1] == [text])


async def type_query(pilot: Any, text: str, first: str) -> None:
    """Put `text` in the palette's search box at once (typing it key by key is slow)."""
    pilot.app.screen.query_one(Input).value = text
    await wait_for_first(pilot, first)


async def open_palette(pilot: Any) -> None:
    await pilot.press("ctrl+p")
    await wait_for_first(pilot, "New chat")


async def test_empty_palette_shows_the_commands() -> None:
    app = Host()
    async with app.run_test() as pilot:
        await open_palette(pilot)
        assert CommandPalette.is_open(app)
        prompts = palette_prompts(app)
        for text in (
            "New chat",
            "Pick model",
            "Toggle thinking",
            "Copy code block",
            "Chat settings",
            "History",
            "Attach schema file",
            "Choose theme…",
        ):
            assert text in prompts
        assert "Tool: disable calculator" in prompts
        assert "Tool: enable current_time" in prompts
        assert not any(prompt.startswith("Theme: ") for prompt in prompts)


async def test_search_and_run_an_action() -> None:
    app = Host()
    async with app.run_test() as pilot:
        await open_palette(pilot)
        await pilot.press(*"new")  # typed for real once
        await type_query(pilot, "new chat", "New chat")
        assert palette_prompts(app)[0] == "New chat"
        await pilot.press("enter")
        await wait_until(pilot, lambda: app.calls)
        assert not CommandPalette.is_open(app)
    assert app.calls == [("new_chat", ())]


async def test_tool_toggle_runs_with_the_tool_name() -> None:
    app = Host()
    async with app.run_test() as pilot:
        await open_palette(pilot)
        await type_query(pilot, "enable current", "Tool: enable current_time")
        assert palette_prompts(app)[0] == "Tool: enable current_time"
        await pilot.press("enter")
        await wait_until(pilot, lambda: app.calls)
    assert app.calls == [("toggle_tool", ("current_time",))]


async def test_theme_search_sets_the_theme() -> None:
    app = Host()
    async with app.run_test() as pilot:
        await open_palette(pilot)
        await type_query(pilot, "theme: chatterm-light", "Theme: chatterm-light")
        assert palette_prompts(app)[0] == "Theme: chatterm-light"
        await pilot.press("enter")
        await wait_until(pilot, lambda: app.theme == "chatterm-light")
        assert app.theme == "chatterm-light"
        assert not CommandPalette.is_open(app)


def test_toggle_help_shows_state_and_missing_actions_are_hidden() -> None:
    app = Host()
    by_text = {command.text: command for command in chat_commands(app)}
    assert by_text["Toggle thinking"].help.endswith("(now on)")
    assert by_text["Toggle search"].help.endswith("(now off)")
    assert [c.action for c in chat_commands(app)][: len(ACTIONS)] == list(ACTIONS)

    class Bare(App[None]):
        def action_new_chat(self) -> None: ...

    assert [c.text for c in chat_commands(Bare())] == ["New chat", "Choose theme…"]


def test_reads_the_apps_conversation_before_the_session_exists() -> None:
    app = Host(with_session=False)
    app.conversation = SimpleNamespace(settings=ChatSettings(search=True))  # type: ignore[attr-defined]
    search = next(c for c in chat_commands(app) if c.text == "Toggle search")
    assert search.help.endswith("(now on)")


def test_works_before_session_and_tools_exist() -> None:
    app = Host(with_session=False)
    texts = [command.text for command in chat_commands(app)]
    assert "Toggle thinking" in texts
    assert not any(text.startswith("Tool:") for text in texts)
    thinking = next(c for c in chat_commands(app) if c.text == "Toggle thinking")
    assert "(now" not in thinking.help
