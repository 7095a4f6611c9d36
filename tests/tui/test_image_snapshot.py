"""SVG snapshot of a generated image drawn with Unicode half-blocks, the fallback for a
terminal without Kitty graphics or Sixel (the drawing does not depend on the terminal's
cell size in pixels, so the picture is the same everywhere).

Update after a deliberate change:
    .venv/bin/python -m pytest tests/tui/test_image_snapshot.py --snapshot-update
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from chatterm.context import AppContext
from chatterm.demo.png import prompt_png
from chatterm.engine.conversation import Conversation, Message
from chatterm.tui.app import ChatApp
from chatterm.tui.widgets.image import ImageView

from .waiting import wait_until


async def until_drawn(pilot: Pilot[Any]) -> None:
    app: Any = pilot.app
    app.chat_screen.prompt.cursor_blink = False
    views = list(app.chat_screen.query(ImageView))
    await wait_until(pilot, lambda: all(v.loaded for v in views))
    await pilot.pause()


def test_generated_image_in_half_blocks(snap_compare: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ImageView, "renderer", "halfcell")
    context = AppContext.for_tests("http://127.0.0.1:9/v1", tmp_path)
    ref = context.blobs.save(prompt_png("a striped sail", 48, 20), "image/png")
    conversation = Conversation()
    conversation.append(Message(role="user", content="Draw a striped sail"))
    conversation.append(Message(role="assistant", content="Here is the image you asked for.", images=[ref]))
    app = ChatApp(context, conversation=conversation)
    assert snap_compare(app, run_before=until_drawn, terminal_size=(80, 30))
