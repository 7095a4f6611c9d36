"""Presets in the TUI, through Pilot on the demo gateway: Alt+P opens the picker; Enter
starts a new chat from the highlighted preset (the request the gateway gets has its system
prompt, model and settings), A lays it over the open chat; the status bar names the
preset, and a reopened chat still does."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from chatterm.config import load_config

from .conftest import reply_done, send, wait_until

CONFIG = """\
[presets.reviewer]
system = "You review code. Be blunt."
model = "gpt-4o"
temperature = 0.2
max_tokens = 300
tools = ["calculator"]

[presets.brainstorm]
model = "claude-sonnet-4-5-20250929"
temperature = 1.2
thinking = true
"""


def _context(demo_gateway: Any, tmp_path: Path, text: str = CONFIG) -> Any:
    from chatterm.config import Connection
    from chatterm.context import AppContext
    from chatterm.demo import DEMO_API_KEY

    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return AppContext(
        load_config(path),
        Connection(demo_gateway.base_url, DEMO_API_KEY, "demo gateway"),
        config_path=path,
        history_path=tmp_path / "history.db",
        cache_path=tmp_path / "models.json",
    )


def _toasts(app: Any) -> list[str]:
    return [str(n.message) for n in app._notifications]


def _status_text(app: Any) -> str:
    from textual.widgets import Static

    return " ".join(str(w.render()) for w in app.chat_screen.status.query(Static) if w.display)


async def test_a_preset_chosen_in_the_picker_starts_a_chat_that_sends_its_settings(
    demo_gateway: Any, tmp_path: Path, chat_request_validator: Any
) -> None:
    from textual.widgets import OptionList

    from chatterm.tui.app import ChatApp
    from chatterm.tui.screens.presets import PresetPickerScreen

    context = _context(demo_gateway, tmp_path)
    app = ChatApp(context)
    async with app.run_test(size=(110, 32)) as pilot:
        await send(pilot, "before the preset")
        await reply_done(pilot)
        first_chat = app.conversation.id
        await pilot.press("alt+p")
        await wait_until(pilot, lambda: isinstance(app.screen, PresetPickerScreen))
        listed = app.screen.query_one(OptionList)
        shown = [str(listed.get_option_at_index(i).prompt) for i in range(listed.option_count)]
        assert shown == [
            "reviewer\n  gpt-4o · temperature 0.2 · max_tokens 300 · tools: calculator\n  system: You review code. Be blunt.",
            "brainstorm\n  claude-sonnet-4-5-20250929 · temperature 1.2 · thinking on",
        ]
        await pilot.press("enter")  # the first preset, reviewer: a new chat from it
        await wait_until(pilot, lambda: app.conversation.id != first_chat and not app.conversation.messages)
        await wait_until(pilot, lambda: "◆ reviewer" in _status_text(app))
        settings = app.conversation.settings
        assert (settings.preset, settings.model, settings.system_prompt) == (
            "reviewer",
            "gpt-4o",
            "You review code. Be blunt.",
        )
        assert "calculator" not in settings.disabled_tools and "current_time" in settings.disabled_tools
        await send(pilot, "look at this")
        await reply_done(pilot)
    body = demo_gateway.requests[-1].body
    chat_request_validator.validate(body)
    assert body["model"] == "gpt-4o"
    assert body["messages"][0] == {"role": "system", "content": "You review code. Be blunt."}
    assert body["messages"][1:] == [{"role": "user", "content": "look at this"}]  # a new chat
    assert (body["temperature"], body["max_tokens"]) == (0.2, 300)
    assert [tool["function"]["name"] for tool in body["tools"]] == ["calculator"]


async def test_a_reopened_chat_keeps_its_preset_name(demo_gateway: Any, tmp_path: Path) -> None:
    from chatterm.store import ChatStore
    from chatterm.tui.app import ChatApp
    from chatterm.tui.screens.presets import PresetPickerScreen

    app = ChatApp(_context(demo_gateway, tmp_path))
    async with app.run_test(size=(110, 32)) as pilot:
        await pilot.press("alt+p")
        await wait_until(pilot, lambda: isinstance(app.screen, PresetPickerScreen))
        await pilot.press("down", "enter")  # brainstorm
        await wait_until(pilot, lambda: app.conversation.settings.preset == "brainstorm")
        await send(pilot, "ideas please")
        await reply_done(pilot)
        chat_id = app.conversation.id
    with ChatStore(tmp_path / "history.db") as store:
        reopened = store.load(chat_id)
    assert reopened.settings.preset == "brainstorm"
    assert (reopened.settings.model, reopened.settings.temperature, reopened.settings.thinking) == (
        "claude-sonnet-4-5-20250929",
        1.2,
        True,
    )
    again = ChatApp(_context(demo_gateway, tmp_path), conversation=reopened)
    async with again.run_test(size=(110, 32)) as pilot:
        await wait_until(pilot, lambda: "◆ brainstorm" in _status_text(again))


async def test_a_applies_a_preset_to_the_open_chat_and_keeps_its_messages(
    demo_gateway: Any, tmp_path: Path, chat_request_validator: Any
) -> None:
    from chatterm.tui.app import ChatApp
    from chatterm.tui.screens.presets import PresetPickerScreen

    app = ChatApp(_context(demo_gateway, tmp_path))
    async with app.run_test(size=(110, 32)) as pilot:
        await send(pilot, "first question")
        await reply_done(pilot)
        chat_id = app.conversation.id
        await pilot.press("alt+p")
        await wait_until(pilot, lambda: isinstance(app.screen, PresetPickerScreen))
        await pilot.press("a")  # reviewer, on this chat
        await wait_until(pilot, lambda: app.conversation.settings.preset == "reviewer")
        assert app.conversation.id == chat_id and len(app.conversation.messages) == 2
        await send(pilot, "second question")
        await reply_done(pilot, replies=2)
    body = demo_gateway.requests[-1].body
    chat_request_validator.validate(body)
    assert body["model"] == "gpt-4o" and body["temperature"] == 0.2
    assert body["messages"][0] == {"role": "system", "content": "You review code. Be blunt."}
    assert [m["content"] for m in body["messages"] if m["role"] == "user"] == ["first question", "second question"]


async def test_esc_closes_the_picker_and_changes_nothing(demo_gateway: Any, tmp_path: Path) -> None:
    from chatterm.tui.app import ChatApp
    from chatterm.tui.screens.presets import PresetPickerScreen

    app = ChatApp(_context(demo_gateway, tmp_path))
    async with app.run_test(size=(110, 32)) as pilot:
        before = app.conversation
        await pilot.press("alt+p")
        await wait_until(pilot, lambda: isinstance(app.screen, PresetPickerScreen))
        await pilot.press("escape")
        await wait_until(pilot, lambda: not isinstance(app.screen, PresetPickerScreen))
        assert app.conversation is before and app.conversation.settings.preset is None
        assert app.chat_screen.prompt.text == ""  # Alt+P typed no "p"
        assert "◆" not in _status_text(app)


async def test_without_presets_the_key_says_where_to_add_one(demo_gateway: Any, tmp_path: Path) -> None:
    from chatterm.tui.app import ChatApp

    app = ChatApp(_context(demo_gateway, tmp_path, 'model = "gpt-4o-mini"\n'))
    async with app.run_test(size=(110, 32)) as pilot:
        await pilot.press("alt+p")
        await wait_until(pilot, lambda: any("No presets yet" in t for t in _toasts(app)))
        assert any(str(tmp_path / "config.toml") in t for t in _toasts(app))


async def test_a_preset_naming_a_missing_tool_is_refused_with_a_toast(demo_gateway: Any, tmp_path: Path) -> None:
    from chatterm.tui.app import ChatApp
    from chatterm.tui.screens.presets import PresetPickerScreen

    app = ChatApp(_context(demo_gateway, tmp_path, '[presets.odd]\nmodel = "gpt-4o"\ntools = ["nonesuch"]\n'))
    async with app.run_test(size=(110, 32)) as pilot:
        before = app.conversation
        await pilot.press("alt+p")
        await wait_until(pilot, lambda: isinstance(app.screen, PresetPickerScreen))
        await pilot.press("enter")
        await wait_until(pilot, lambda: any("unknown tool(s): nonesuch" in t for t in _toasts(app)))
        assert app.conversation is before and app.conversation.settings.model != "gpt-4o"


async def test_the_palette_offers_presets_and_the_editor(demo_gateway: Any, tmp_path: Path) -> None:
    from chatterm.tui.app import ChatApp
    from chatterm.tui.commands import chat_commands

    app = ChatApp(_context(demo_gateway, tmp_path))
    async with app.run_test(size=(110, 32)):
        texts = {command.text: command.action for command in chat_commands(app)}
    assert texts["Presets…"] == "pick_preset"
    assert texts["Edit prompt in $EDITOR"] == "edit_in_editor"


async def test_chatterm_preset_opens_the_app_on_a_chat_with_that_preset(
    demo_gateway: Any, tmp_path: Path, chat_request_validator: Any
) -> None:
    """`chatterm --preset reviewer`: the app starts on a new chat with the preset's
    settings and tools, as the picker would make it, and the first request carries them."""
    from chatterm.presets import find_preset
    from chatterm.tui.app import ChatApp

    context = _context(demo_gateway, tmp_path)
    app = ChatApp(context, preset=find_preset(context.config.presets, "reviewer"))
    async with app.run_test(size=(110, 32)) as pilot:
        await wait_until(pilot, lambda: "◆ reviewer" in _status_text(app))
        settings = app.conversation.settings
        assert (settings.model, settings.system_prompt, settings.temperature) == (
            "gpt-4o",
            "You review code. Be blunt.",
            0.2,
        )
        assert "calculator" not in settings.disabled_tools and "current_time" in settings.disabled_tools
        await send(pilot, "first words")
        await reply_done(pilot)
        chat_id = app.conversation.id
    body = demo_gateway.requests[-1].body
    chat_request_validator.validate(body)
    assert body["model"] == "gpt-4o" and (body["temperature"], body["max_tokens"]) == (0.2, 300)
    assert body["messages"] == [
        {"role": "system", "content": "You review code. Be blunt."},
        {"role": "user", "content": "first words"},
    ]
    assert [tool["function"]["name"] for tool in body["tools"]] == ["calculator"]
    from chatterm.store import ChatStore

    with ChatStore(tmp_path / "history.db") as store:
        assert store.load(chat_id).settings.preset == "reviewer"


async def test_tools_that_join_after_a_preset_stay_off_and_the_tools_screen_says_so(
    demo_gateway: Any, tmp_path: Path
) -> None:
    """The reviewer preset offers only the calculator: a tool that joins afterwards (an
    MCP server that was still starting) is not offered, and the tools screen shows it off."""
    from chatterm.tools import Tool
    from chatterm.tui.app import ChatApp
    from chatterm.tui.screens import ToolsScreen
    from chatterm.tui.screens.presets import PresetPickerScreen

    async def call(**arguments: Any) -> str:
        return "ok"

    app = ChatApp(_context(demo_gateway, tmp_path))
    async with app.run_test(size=(110, 32)) as pilot:
        await pilot.press("alt+p")
        await wait_until(pilot, lambda: isinstance(app.screen, PresetPickerScreen))
        await pilot.press("a")  # reviewer, on this chat
        await wait_until(pilot, lambda: app.conversation.settings.preset == "reviewer")
        late = Tool(name="files_read", description="read", parameters={"type": "object", "properties": {}}, func=call)
        app.context.tools.replace_source("mcp:files", [late])  # the server is ready now
        assert app.ensure_session().offered_tools() == ["calculator"]
        await pilot.press("ctrl+right_square_bracket")
        await wait_until(pilot, lambda: isinstance(app.screen, ToolsScreen))
        settings = app.conversation.settings
        assert "files_read" in settings.disabled_tools and "calculator" not in settings.disabled_tools
        await pilot.press("escape")
