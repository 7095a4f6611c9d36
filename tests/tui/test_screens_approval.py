"""Tool approval: keys and buttons give once / session / deny; arguments shown pretty."""

from __future__ import annotations

import pytest
from textual.app import App
from textual.widgets import Static

from chatterm.api.types import ToolCall
from chatterm.tui.screens.approval import ARM_SECONDS, ToolApprovalScreen, pretty_arguments

CALL = ToolCall("call_1", "calculator", '{"expression": "2 * (3 + 4)", "precision": 2}')


class Host(App[None]):
    def __init__(self, call: ToolCall = CALL) -> None:
        super().__init__()
        self.call = call
        self.results: list[str] = []

    def on_mount(self) -> None:
        self.push_screen(ToolApprovalScreen(self.call, "Evaluate arithmetic"), self.results.append)


@pytest.mark.parametrize(
    ("keys", "expected"),
    [(["y"], "once"), (["enter"], "once"), (["a"], "session"), (["n"], "deny"), (["escape"], "deny")],
)
async def test_keys(keys: list[str], expected: str) -> None:
    app = Host()
    async with app.run_test() as pilot:
        if keys == ["enter"]:
            await pilot.pause(ARM_SECONDS + 0.1)
        await pilot.press(*keys)
    assert app.results == [expected]


async def test_an_enter_right_as_the_dialog_opens_approves_nothing() -> None:
    """An Enter still on its way from typing the prompt must not run the tool."""
    app = Host()
    async with app.run_test() as pilot:
        await pilot.press("enter")
        await pilot.click("#approve-once")
        assert app.results == [] and isinstance(app.screen, ToolApprovalScreen)
        await pilot.press("n")  # the letters act at once
    assert app.results == ["deny"]


@pytest.mark.parametrize(
    ("button", "expected"),
    [("#approve-once", "once"), ("#approve-session", "session"), ("#approve-deny", "deny")],
)
async def test_buttons(button: str, expected: str) -> None:
    app = Host()
    async with app.run_test() as pilot:
        await pilot.pause(ARM_SECONDS + 0.1)
        await pilot.click(button)
    assert app.results == [expected]


async def test_shows_name_description_and_pretty_arguments() -> None:
    app = Host()
    async with app.run_test():
        screen = app.screen
        assert "calculator" in str(screen.query_one("#approval-tool", Static).render())
        assert "Evaluate arithmetic" in str(screen.query_one("#approval-description", Static).render())
        shown = str(screen.query_one("#approval-json", Static).render())
        assert '  "expression": "2 * (3 + 4)",\n  "precision": 2' in shown
        assert not screen.query("#approval-invalid")


async def test_invalid_json_is_shown_raw_and_flagged() -> None:
    app = Host(ToolCall("call_2", "read_file", '{"path": "notes.txt"'))
    async with app.run_test():
        screen = app.screen
        assert str(screen.query_one("#approval-json", Static).render()) == '{"path": "notes.txt"'
        assert screen.query("#approval-invalid")


def test_pretty_arguments() -> None:
    assert pretty_arguments("") == ("{}", True)
    assert pretty_arguments('{"a":[1,2]}') == ('{\n  "a": [\n    1,\n    2\n  ]\n}', True)
    assert pretty_arguments('{"city": "Zürich"}')[0] == '{\n  "city": "Zürich"\n}'
    assert pretty_arguments("not json") == ("not json", False)
