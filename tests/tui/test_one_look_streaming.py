"""Issue 10 item 14: a block looks the same while it streams (the live block) and
after (frozen): tables stay a boxed grid, lists keep their bullets and numbers, code
does not shift sideways."""

from __future__ import annotations

from typing import Any

import pytest
from textual.app import App, ComposeResult
from textual.containers import VerticalScroll

from chatterm.tui.widgets.frozen_markdown import FrozenMarkdown
from chatterm.tui.widgets.live_block import LiveBlock
from chatterm.tui.widgets.reply_body import ReplyBody

from .waiting import wait_until

BLOCKS = {
    "table": (
        "| Key | Description of it | N |\n|---|---|---|\n"
        "| a | A much longer description that goes on and on and wraps around | 3 |\n"
    ),
    "bullets": "- one\n- two\n  - nested\n    - deeper\n",
    "numbers": "1. first\n2. second\n3. third\n",
    "code": "```python\ndef f(x):\n    return x + 1\n```\n",
}


class BodyApp(App[None]):
    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield ReplyBody(id="body")


def _lines(app: Any) -> list[str]:
    strips = app.screen._compositor.render_strips()
    return [line for line in (strip.text.rstrip() for strip in strips) if line]


@pytest.mark.parametrize("name", list(BLOCKS))
async def test_a_block_keeps_its_look_when_it_finishes(name: str) -> None:
    first_word = {"table": "Key", "bullets": "deeper", "numbers": "third", "code": "return"}[name]
    app = BodyApp()
    async with app.run_test(size=(60, 20)) as pilot:
        body = app.query_one(ReplyBody)
        body.feed("Intro.\n\n" + BLOCKS[name])  # the block stays open: it streams in the live block
        await wait_until(pilot, lambda: bool(body.query(LiveBlock)) and any(first_word in line for line in _lines(app)))
        await pilot.pause(0.2)
        streaming = _lines(app)
        await body.finish()
        await wait_until(pilot, lambda: not body.query(LiveBlock) and bool(body.query(FrozenMarkdown)))
        await pilot.pause()
        assert _lines(app) == streaming
