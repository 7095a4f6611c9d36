"""A tool call's outcome comes back as it happened: a failed call is "failed" after
the chat is reopened (not "done ✓"), and a successful result whose text says
"declined" is "done" (not "denied"); a denied call stays "denied". The real app on the
demo gateway, real tools, the chat reopened from a real SQLite file in a new app."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from chatterm.context import AppContext
from chatterm.store import ChatStore
from chatterm.tui.app import ChatApp
from chatterm.tui.widgets.tool_call import ToolCallRow

from .approving import approve
from .conftest import reply_done, send, wait_until

SIZE = (100, 40)


def statuses(app: ChatApp) -> dict[str, str]:
    return {row.call.name: row.status for row in app.chat_screen.query(ToolCallRow)}


def titles(app: ChatApp) -> list[str]:
    return [str(row.title) for row in app.chat_screen.query(ToolCallRow)]


async def test_outcomes_survive_a_reload(demo_gateway: Any, tmp_path: Path) -> None:
    context = AppContext.for_tests(demo_gateway.base_url, tmp_path)
    context.tools.unregister("current_time")

    @context.tools.tool
    def current_time() -> str:
        """The time now."""
        return "The card payment was declined; it is 12:00 UTC."

    context.tools.unregister("calculator")

    @context.tools.tool
    def calculator(expression: str) -> str:
        """Work out an arithmetic expression.

        Args:
            expression: The expression.
        """
        raise RuntimeError("the calculator is broken")

    app = ChatApp(context)
    async with app.run_test(size=SIZE) as pilot:
        await send(pilot, "what time is it, and calculate 2+3")
        await approve(pilot)  # current_time
        await approve(pilot)  # calculator
        await reply_done(pilot, replies=2)
        live = statuses(app)
        chat_id = app.conversation.id
        await send(pilot, "and calculate 6*7")
        await approve(pilot, "n")
        await reply_done(pilot, replies=4)
        live_denied = statuses(app)
    assert live == {"current_time": "done", "calculator": "failed"}
    assert live_denied["calculator"] == "denied"
    context.finish_saving()

    reopened = AppContext.for_tests(demo_gateway.base_url, tmp_path)
    with ChatStore(reopened.history_path) as store:
        conversation = store.load(chat_id)
    app = ChatApp(reopened, conversation=conversation)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: len(app.chat_screen.query(ToolCallRow)) == 3)
        rows = list(app.chat_screen.query(ToolCallRow))
        assert [(r.call.name, r.status) for r in rows] == [
            ("current_time", "done"),
            ("calculator", "failed"),
            ("calculator", "denied"),
        ]
        assert [t.split(" · ")[-1] for t in titles(app)] == ["done ✓", "failed ✗", "denied"]
