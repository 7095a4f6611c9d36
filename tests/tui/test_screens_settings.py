"""Chat settings: validation messages name the field and range; valid values save."""

from __future__ import annotations

from textual.app import App
from textual.widgets import Input, Static, TextArea

from chatterm.engine.conversation import ChatSettings
from chatterm.tui.screens.settings import ChatSettingsScreen, parse_form


class Host(App[None]):
    def __init__(self, settings: ChatSettings) -> None:
        super().__init__()
        self.settings = settings
        self.results: list[ChatSettings | None] = []

    def on_mount(self) -> None:
        self.push_screen(ChatSettingsScreen(self.settings), self.results.append)


async def set_field(app: App[None], selector: str, value: str) -> None:
    app.screen.query_one(selector, Input).value = value


async def test_temperature_3_is_refused_with_a_message() -> None:
    app = Host(ChatSettings(model="gpt-4o"))
    async with app.run_test() as pilot:
        await set_field(app, "#temperature", "3")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, ChatSettingsScreen)  # still open
        message = str(app.screen.query_one("#settings-errors", Static).render())
        assert "Temperature" in message and "0 to 2" in message
        assert app.screen.query_one("#temperature", Input).has_class("-invalid")
        assert app.screen.focused is app.screen.query_one("#temperature", Input)
    assert app.results == []


async def test_every_bad_field_is_named() -> None:
    app = Host(ChatSettings())
    async with app.run_test() as pilot:
        await set_field(app, "#temperature", "warm")
        await set_field(app, "#top-p", "1.5")
        await set_field(app, "#max-tokens", "0")
        await pilot.click("#settings-save")
        message = str(app.screen.query_one("#settings-errors", Static).render())
        assert "Temperature must be a number from 0 to 2" in message
        assert "Top P must be a number from 0 to 1" in message
        assert "Max tokens must be a whole number of at least 1" in message
    assert app.results == []


async def test_valid_values_save_and_empty_means_server_default() -> None:
    original = ChatSettings(model="gpt-4o", temperature=0.7, top_p=0.9, disabled_tools=["calculator"])
    app = Host(original)
    async with app.run_test() as pilot:
        screen = app.screen
        assert screen.query_one("#temperature", Input).value == "0.7"
        screen.query_one("#system-prompt", TextArea).text = "Be brief."
        await set_field(app, "#temperature", "1.2")
        await set_field(app, "#top-p", "")
        await set_field(app, "#max-tokens", "512")
        await pilot.press("ctrl+s")
    [saved] = app.results
    assert saved is not None and saved is not original
    assert saved.system_prompt == "Be brief."
    assert (saved.temperature, saved.top_p, saved.max_tokens) == (1.2, None, 512)
    assert saved.model == "gpt-4o" and saved.disabled_tools == ["calculator"]
    assert original.temperature == 0.7  # the chat's settings change only when the caller applies them


async def test_fixing_the_value_then_saving_works() -> None:
    app = Host(ChatSettings())
    async with app.run_test() as pilot:
        await set_field(app, "#temperature", "3")
        await pilot.press("ctrl+s")
        await set_field(app, "#temperature", "2")
        await pilot.press("enter")  # Enter in a number field saves too
    assert [r.temperature if r else r for r in app.results] == [2.0]


async def test_escape_cancels() -> None:
    app = Host(ChatSettings())
    async with app.run_test() as pilot:
        await set_field(app, "#temperature", "1")
        await pilot.press("escape")
    assert app.results == [None]


def test_parse_form_edges() -> None:
    assert parse_form("0", "1", "1").errors == {}
    assert parse_form("2.0", "0", " 4096 ").max_tokens == 4096
    assert set(parse_form("nan", "inf", "1.5").errors) == {"temperature", "top_p", "max_tokens"}
    assert set(parse_form("-0.1", "", "-3").errors) == {"temperature", "max_tokens"}
    empty = parse_form("", " ", "")
    assert (empty.temperature, empty.top_p, empty.max_tokens, empty.errors) == (None, None, None, {})
