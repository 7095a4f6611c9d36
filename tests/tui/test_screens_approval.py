"""Tool approval: keys and buttons give once / session / deny; arguments shown pretty."""

from __future__ import annotations

import pytest
from textual.app import App
from textual.widgets import Static

from chatterm.api.types import ToolCall
from chatterm.tui.screens.approval import ARM_SECONDS, ToolApprovalScreen, pretty_arguments

CALL = ToolCall("call_1", "calculator", '{"expression": "2 * (3 + 4)", "precision": 2}')


class Host(App[None]):
    def __init__(self, call: ToolCall = CALL, arm_seconds: float = ARM_SECONDS) -> None:
        super().__init__()
        self.call = call
        self.arm_seconds = arm_seconds
        self.results: list[str] = []

    def on_mount(self) -> None:
        screen = ToolApprovalScreen(self.call, "Evaluate arithmetic", arm_seconds=self.arm_seconds)
        self.push_screen(screen, self.results.append)


@pytest.mark.parametrize(
    ("keys", "expected"),
    [(["y"], "once"), (["enter"], "once"), (["a"], "session"), (["n"], "deny"), (["escape"], "deny")],
)
async def test_keys(keys: list[str], expected: str) -> None:
    app = Host()
    async with app.run_test() as pilot:
        if keys != ["n"] and keys != ["escape"]:  # approving keys are armed after ARM_SECONDS
            await pilot.pause(ARM_SECONDS + 0.1)
        await pilot.press(*keys)
    assert app.results == [expected]


async def test_keys_typed_ahead_approve_nothing() -> None:
    """An Enter still on its way from typing the prompt, or a `y`/`a` meant for the chat,
    must not run the tool, let alone grant it for the session. (Armed after a minute
    here, so a slow machine cannot make the keys late enough to count.)"""
    app = Host(arm_seconds=60)
    async with app.run_test() as pilot:
        await pilot.press("a", "y", "enter")
        await pilot.click("#approve-session")
        await pilot.click("#approve-once")
        assert app.results == [] and isinstance(app.screen, ToolApprovalScreen)
        await pilot.press("n")  # denying acts at once
    assert app.results == ["deny"]


async def test_escape_denies_at_once() -> None:
    app = Host()
    async with app.run_test() as pilot:
        await pilot.press("escape")
    assert app.results == ["deny"]


async def test_a_duplicate_key_shows_the_value_that_runs() -> None:
    """Valid JSON whose last duplicate wins; the CR and spaces hid it in the raw text."""
    disguised = '{"expression":"1+1"\n,"expression":"6*7"\r' + " " * 30 + "}"
    app = Host(ToolCall("call_3", "calculator", disguised))
    async with app.run_test():
        shown = str(app.screen.query_one("#approval-json", Static).render())
        assert shown == '{\n  "expression": "6*7"\n}'


async def test_control_and_invisible_characters_are_escaped() -> None:
    arguments = '{"path": "a\u202etxt.exe", "note": "x\u009b2J\u200by"}'  # JSON escapes: the characters themselves
    app = Host(ToolCall("call_4", "read_file", arguments))
    async with app.run_test():
        shown = str(app.screen.query_one("#approval-json", Static).render())
        assert "\\u202e" in shown and "\\u009b" in shown and "\\u200b" in shown
        assert not any(c in shown for c in "\u202e\x9b\u200b")


async def test_invalid_json_with_control_characters_is_one_escaped_line() -> None:
    app = Host(ToolCall("call_5", "read_file", '{"path": "x\x1b]0;pwned\x07\r\nrm -rf ~'))
    async with app.run_test():
        screen = app.screen
        shown = str(screen.query_one("#approval-json", Static).render())
        assert shown == '{"path": "x\\u001b]0;pwned\\u0007\\r\\nrm -rf ~'
        assert screen.query("#approval-invalid")


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
