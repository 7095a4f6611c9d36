"""Issue 12 (start-up to a usable prompt): what the first frame does not wait for.

The engine session (with the API layer's request shaping), the message views (with
every widget a reply holds and the JSON checker) and the compare widgets are needed for
the first prompt sent, not to show a new chat's prompt box: they load right after the
first frame (`ChatApp._warm_up`). Run in a fresh interpreter, since this process
has long imported everything."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

FIRST_FRAME_MODULES = """
import asyncio, json, sys
from pathlib import Path

from chatterm.context import AppContext
from chatterm.tui.app import ChatApp

loaded = []

async def main():
    app = ChatApp(AppContext.for_tests("http://127.0.0.1:9/v1", Path(sys.argv[1])))
    display = app._display

    def first_frame(screen, renderable):
        if renderable is not None and not app._batch_count and not loaded:
            loaded.append(sorted(sys.modules))
        display(screen, renderable)

    app._display = first_frame
    async with app.run_test(size=(100, 30)) as pilot:
        while not loaded:
            await pilot.pause(0.02)

asyncio.run(main())
print(json.dumps(loaded[0]))
"""


def modules_at_first_frame(tmp_path: Path) -> set[str]:
    out = subprocess.run(
        [sys.executable, "-c", FIRST_FRAME_MODULES, str(tmp_path)],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout
    return set(json.loads(out.strip().splitlines()[-1]))


def test_a_new_chats_first_frame_waits_for_no_engine_session_message_view_or_compare_widget(tmp_path: Path) -> None:
    loaded = modules_at_first_frame(tmp_path)
    assert "chatterm.tui.screens.chat" in loaded
    later = {
        "chatterm.engine.session",
        "chatterm.engine.compare",
        "chatterm.tui.widgets.compare_view",
        "chatterm.tui.widgets.message",
        "chatterm.tui.widgets.reply_body",
        "chatterm.api.structured",
        "httpx",
    }
    assert loaded & later == set()
