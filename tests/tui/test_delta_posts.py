"""A fast compare stream reaches the screen in a few batches: the compare worker posts
each lane's text at most once per frame, not once per token, and the replies still
arrive whole."""

from __future__ import annotations

from typing import Any

from textual.message import Message

from chatterm.tui.app import ChatApp
from chatterm.tui.widgets.compare_view import CompareColumn, CompareDeltas

from .conftest import send, wait_until

TOKENS = 600


async def test_compare_lanes_post_their_text_in_frame_sized_batches(chat_context: Any) -> None:
    posted: list[Message] = []
    app = ChatApp(chat_context)
    async with app.run_test(size=(140, 44), message_hook=posted.append) as pilot:
        await wait_until(pilot, lambda: app.session is not None)
        app.start_compare_mode(["gpt-4o", "claude-sonnet-4-5-20250929"])
        await send(pilot, f"!tokens={TOKENS} !rate=1000")
        await wait_until(
            pilot,
            lambda: (
                len(cols := list(app.chat_screen.query(CompareColumn))) == 2
                and all(c.state == "ok" for c in cols)
                and not app.chat_screen.replying
            ),
            timeout=30,
        )
        for column in app.chat_screen.query(CompareColumn):
            assert "".join(v.body.text for v in column.replies) == column.replies[-1].message.text
    for lane in (0, 1):
        batches = [m for m in posted if isinstance(m, CompareDeltas) and m.lane == lane]
        assert 1 <= len(batches) <= TOKENS // 10
