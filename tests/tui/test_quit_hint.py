"""Ctrl+C (which quits most terminal programs) tells how to quit, in plain words."""

from __future__ import annotations

from typing import Any

from chatterm.tui.app import ChatApp

from .conftest import wait_until


async def test_ctrl_c_hint_has_no_raw_markup(chat_context: Any) -> None:
    app = ChatApp(chat_context)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: app.session is not None)
        app.screen.set_focus(None)
        await pilot.press("ctrl+c")
        await wait_until(pilot, lambda: any("quit" in n.message for n in app._notifications))
        hint = next(n for n in app._notifications if "quit" in n.message)
        assert "[" not in hint.message and "ctrl+q" in hint.message.lower().replace("^", "ctrl+"), hint.message
