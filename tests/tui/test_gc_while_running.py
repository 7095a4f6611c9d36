"""Issue 12: while the TUI runs, the cyclic GC stays out of the way of a streaming
reply (start-up objects frozen, young collections rarer), and an app that ends leaves
the collector as it found it (tests run many apps in one process)."""

from __future__ import annotations

import gc
from pathlib import Path
from typing import Any

import pytest

from chatterm.tui import gc_tuning
from chatterm.tui.app import ChatApp

from .conftest import first_run_context, reply_done, send, wait_until


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


async def test_start_up_makes_no_collections_until_the_first_frame(chat_context: Any) -> None:
    """Issue 12 (start-up to a usable prompt): everything made while the TUI starts lives
    for the whole run, so `chatterm` starts with the collector paused; once the first
    frame is painted it collects again, with the start-up objects frozen."""
    gc_tuning.pause_for_startup()
    try:
        assert not gc.isenabled()
        app = ChatApp(chat_context)
        async with app.run_test(size=(100, 30)) as pilot:
            await wait_until(pilot, gc.isenabled)
            assert gc.get_freeze_count() > 0
    finally:
        gc_tuning.resume()
    assert gc.isenabled()


async def test_the_first_run_dialog_does_not_leave_the_collector_paused(tmp_path: Path) -> None:
    """The first run shows its dialog before any session (no settling then): the pause
    still ends with the first frame."""
    context = first_run_context(tmp_path)
    gc_tuning.pause_for_startup()
    try:
        app = ChatApp(context)
        async with app.run_test(size=(100, 30)) as pilot:
            await wait_until(pilot, lambda: type(app.screen).__name__ == "FirstRunScreen")
            await wait_until(pilot, gc.isenabled)
    finally:
        gc_tuning.resume()


def test_the_tui_command_starts_with_the_collector_paused_and_always_resumes_it(monkeypatch: Any) -> None:
    """`chatterm` (the TUI) pauses the collector before it imports and builds anything,
    and it is on again however the command ends (here: an error before any frame)."""
    from chatterm import cli

    seen: list[bool] = []

    def start(args: Any, config: Any) -> int:
        seen.append(gc.isenabled())
        raise RuntimeError("no terminal")

    monkeypatch.setattr(cli, "_start_tui", start)
    with pytest.raises(RuntimeError):
        cli.main(["--base-url", "http://127.0.0.1:9/v1"])
    assert seen == [False]
    assert gc.isenabled()
