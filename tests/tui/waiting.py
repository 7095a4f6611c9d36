"""The one way a Pilot test waits: on a condition, never a fixed sleep, and loudly.

A wait that returns quietly when time runs out lets the next assert fail with a
misleading message (or pass on a stale screen); this one fails naming the condition.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from textual.pilot import Pilot


async def wait_until(pilot: Pilot[Any], condition: Callable[[], object], timeout: float = 10.0) -> None:
    """Let the app run until `condition()` holds; fail after `timeout` seconds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        if loop.time() > deadline:
            code = getattr(condition, "__code__", None)
            where = f" ({code.co_filename.rsplit('/', 1)[-1]}:{code.co_firstlineno})" if code else ""
            raise AssertionError(f"timed out after {timeout:g} s waiting for a condition{where}")
        await pilot.pause(0.02)
    await pilot.pause()


async def wait_for_palette_hit(pilot: Pilot[Any], title: str) -> None:
    """Wait until the command palette lists `title` first (it gathers hits in background
    tasks, so Enter pressed before then runs whatever happened to be first)."""
    from textual.command import CommandPalette
    from textual.widgets import OptionList

    def first_is_title() -> bool:
        if not CommandPalette.is_open(pilot.app):
            return False
        options = pilot.app.screen.query_one(OptionList).options
        return bool(options) and str(options[0].prompt).split("\n")[0] == title

    await wait_until(pilot, first_is_title)
