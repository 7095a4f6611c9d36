"""Fixtures for the chat app's Pilot tests: the real app on the demo gateway.

`chat_context` is an `AppContext` on the suite's `demo_gateway` (loopback TCP) with
config, history and model cache in the test's temp dir. `wait_until` (from `waiting.py`,
re-exported here) polls a condition while the app runs and fails when time runs out.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from .waiting import wait_until

__all__ = ["wait_until"]


@pytest.fixture
def chat_context(demo_gateway: Any, tmp_path: Path) -> Any:
    from chatterm.context import AppContext

    return AppContext.for_tests(demo_gateway.base_url, tmp_path)


def first_run_context(tmp_path: Path) -> Any:
    """An `AppContext` with no gateway configured yet: the app opens the first-run dialog."""
    from chatterm.config import Config, Connection
    from chatterm.context import AppContext

    context = AppContext(
        Config(),
        Connection(None, None, None),  # type: ignore[arg-type]
        config_path=tmp_path / "config.toml",
        history_path=tmp_path / "history.db",
        cache_path=tmp_path / "models.json",
    )
    assert context.needs_setup
    return context


async def edit_first_prompt(pilot: Pilot[Any], first: str, second: str) -> None:
    """Send `first`, then edit that prompt (focus it, `e`) into `second` and wait for the
    new branch's reply: the chat then has two branches at its first turn."""
    from chatterm.tui.widgets.message import UserMessageView

    app: Any = pilot.app
    await send(pilot, first)
    await reply_done(pilot)
    app.chat_screen.query_one(UserMessageView).focus()
    await pilot.press("e")
    app.chat_screen.prompt.load_text(second)
    await pilot.press("enter")
    await wait_until(pilot, lambda: app.conversation.messages[0].text == second)
    await reply_done(pilot)


async def send(pilot: Pilot[Any], text: str) -> None:
    """Type a prompt into the prompt box and press Enter."""
    app: Any = pilot.app
    app.chat_screen.prompt.load_text(text)
    await pilot.press("enter")


async def reply_done(pilot: Pilot[Any], replies: int = 1, timeout: float = 10.0) -> None:
    """Wait until `replies` assistant replies exist and none is being written."""
    from chatterm.tui.widgets.message import AssistantMessageView

    app: Any = pilot.app

    def done() -> bool:
        screen = app.chat_screen
        views = list(screen.query(AssistantMessageView))
        return (
            len(views) >= replies
            and not screen.replying
            and screen.current_view is None
            and not any(v.body.streaming for v in views)
        )

    await wait_until(pilot, done, timeout)


async def stop_a_long_reply(pilot: Pilot[Any]) -> Any:
    """Send a long paced reply, press Esc once some of it is on screen, and return the
    (only) reply view once the stop has settled."""
    from chatterm.tui.widgets.message import AssistantMessageView

    app: Any = pilot.app
    await send(pilot, "!tokens=4000 !rate=400")
    screen = app.chat_screen
    await wait_until(pilot, lambda: screen.current_view is not None and len(screen.current_view.body.text) > 40)
    await pilot.press("escape")
    await reply_done(pilot)
    [reply] = screen.query(AssistantMessageView)
    return reply
