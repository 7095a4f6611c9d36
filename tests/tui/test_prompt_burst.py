"""Editing keys in a burst act where they were typed.

The prompt box's editing keys (Backspace, Delete, the arrows, Home/End, Ctrl+W...) are
TextArea bindings, and Textual runs a binding only once the key has bubbled back up to
the app: with keys queued faster than the app reads them (a loaded machine, a browser
tab through `chatterm serve`), the letters behind such a key were inserted first, so
"abcd⌫e" left "abcd" and "ab←c" left "abc". The prompt now runs its own bindings as it
reads the key."""

from __future__ import annotations

from typing import Any

import pytest
from textual import events

from chatterm.tui.app import ChatApp

from .conftest import wait_until


def burst(app: Any, keys: list[str]) -> None:
    """Keys as the driver delivers a fast typist's: all queued at once."""
    characters = {"space": " ", "backspace": "\x7f"}
    for key in keys:
        event = events.Key(key, key if len(key) == 1 else characters.get(key))
        event.set_sender(app)
        app._driver.send_message(event)


@pytest.mark.parametrize(
    ("keys", "expected"),
    [
        ([*"abcd", "backspace", "e"], "abce"),
        ([*"ab", "left", "c"], "acb"),
        ([*"one", "space", *"two", "ctrl+w", *"three"], "one three"),
        ([*"xyz", "home", "delete", "q", "end", "!"], "qyz!"),
    ],
)
async def test_editing_keys_in_a_burst_act_in_order(chat_context: Any, keys: list[str], expected: str) -> None:
    app = ChatApp(chat_context)
    async with app.run_test(size=(100, 30)) as pilot:
        prompt = app.chat_screen.prompt
        await wait_until(pilot, lambda: app.focused is prompt)
        burst(app, keys)
        await wait_until(pilot, lambda: prompt.text.endswith(expected[-1]))
        await pilot.pause(0.1)
        assert prompt.text == expected
