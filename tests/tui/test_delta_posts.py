"""A fast stream reaches the screen in a few batches: the reply worker posts its text
at most once per frame, not once per token, and the reply still arrives whole."""

from __future__ import annotations

from typing import Any

from textual.message import Message

from chatterm.tui.app import ChatApp
from chatterm.tui.screens.reply_messages import DeltasReady
from chatterm.tui.widgets.compare_view import CompareColumn, CompareDeltas

from .conftest import reply_done, send, wait_until

TOKENS = 600


async def test_a_fast_reply_is_posted_in_frame_sized_batches(chat_context: Any) -> None:
    posted: list[Message] = []
    app = ChatApp(chat_context)
    async with app.run_test(size=(100, 30), message_hook=posted.append) as pilot:
        await wait_until(pilot, lambda: app.session is not None)
        await send(pilot, f"!tokens={TOKENS} !rate=1000")
        await reply_done(pilot, timeout=30)
        reply = app.conversation.messages[-1]
        assert reply.state == "ok"
        assert app.chat_screen.current_view is None
        shown = app.chat_screen.pane.query("AssistantMessageView").last()
        assert shown.body.text == reply.text  # type: ignore[attr-defined]
    batches = [message for message in posted if isinstance(message, DeltasReady)]
    # ~0.6 s of stream at 20 posts a second: a dozen or so (one per token before).
    assert 1 <= len(batches) <= TOKENS // 10


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
