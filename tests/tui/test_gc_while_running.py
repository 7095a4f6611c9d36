"""Issue 12: while the TUI runs, the cyclic GC stays out of the way of a streaming
reply (start-up objects frozen, young collections rarer), and an app that ends leaves
the collector as it found it (tests run many apps in one process)."""

from __future__ import annotations

import gc
from typing import Any

from chatterm.tui import gc_tuning
from chatterm.tui.app import ChatApp

from .conftest import reply_done, send, wait_until


async def test_collections_are_rarer_while_the_app_runs_and_restored_after(chat_context: Any) -> None:
    before = gc.get_threshold()
    app = ChatApp(chat_context)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_until(pilot, lambda: gc.get_freeze_count() > 0)
        assert gc.get_threshold()[0] >= gc_tuning.YOUNG
        await send(pilot, "hello")
        await reply_done(pilot)
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0
