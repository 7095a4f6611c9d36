"""The tok/s figure means tokens per second of the request a user waited for.

With streaming off, the whole reply arrives in one body: its first token and its last
come together, so a speed "after the first token" would divide by microseconds
(the status bar once read `3,077,901 tok/s`).
"""

from __future__ import annotations

import re
from typing import Any

from chatterm.store import ChatStore
from chatterm.tui.app import ChatApp

from .conftest import reply_done, send, wait_until


def _rate(text: str) -> float:
    found = re.search(r"([\d,]+) tok/s", text)
    assert found, text
    return float(found.group(1).replace(",", ""))


async def test_speed_without_streaming_is_over_the_whole_request(chat_context: Any) -> None:
    app = ChatApp(chat_context)
    async with app.run_test(size=(160, 40)) as pilot:
        await wait_until(pilot, lambda: app.session is not None)
        await app.run_action("toggle_stream")
        await send(pilot, "Tell me about SSE")
        await reply_done(pilot)
        reply = app.session.conversation.messages[-1]
        assert reply.timings is not None and reply.timings.streamed is False
        tokens, seconds = reply.usage.completion_tokens, reply.timings.duration
        stats = str(app.query_one("#stats").render())
        assert _rate(stats) <= tokens / seconds * 1.01 + 1, stats
    with ChatStore(chat_context.history_path) as store:
        saved = store.load(app.session.conversation.id).messages[-1]
    assert saved.timings is not None and saved.timings.streamed is False
