"""A user's tool with a long result in the TUI: the row shows the arguments as pretty
JSON (a parameter named `title` included), the result cut to a preview, and all of it
on Enter."""

from __future__ import annotations

import json
from typing import Any

from chatterm.tui.app import ChatApp
from chatterm.tui.widgets.tool_call import ToolCallRow

from .approving import approve
from .conftest import reply_done, send, wait_until

SIZE = (100, 40)
LONG = "\n".join(f"line {i}: " + "word " * 20 for i in range(400))


async def test_a_long_result_is_cut_then_shown_whole(chat_context: Any) -> None:
    @chat_context.tools.tool
    def web_search(query: str, title: str = "news") -> str:
        """Search the web.

        Args:
            query: What to look for.
            title: A heading for the results.
        """
        return LONG

    app = ChatApp(chat_context)
    async with app.run_test(size=SIZE) as pilot:
        await send(pilot, "search the latest news")
        await wait_until(pilot, lambda: type(app.screen).__name__ == "ToolApprovalScreen")
        await approve(pilot)
        await reply_done(pilot, replies=2)
        row = app.chat_screen.query_one(ToolCallRow)
        assert row.status == "done" and row.call.name == "web_search"
        assert str(row.args.render()) == json.dumps(json.loads(row.call.arguments), indent=2)
        await pilot.click(row.query_one("CollapsibleTitle"))
        await wait_until(pilot, lambda: not row.collapsed)
        shown = str(row.result.render())
        assert row.result.has_class("-truncated") and "click to show all" in shown
        assert len(shown) < 1_000 and shown.startswith("line 0:")
        row.result.focus()
        await pilot.press("enter")
        assert not row.result.has_class("-truncated")
        assert str(row.result.render()).rstrip().endswith(LONG.splitlines()[-1].rstrip())
