"""A change made while a batch held repaints is painted when the batch ends, without
waiting for some later message to reach the screen (a keypress echo during a reply's
frame waited for that)."""

from __future__ import annotations

import asyncio

from textual.app import App, ComposeResult
from textual.screen import Screen
from textual.widgets import Static

from chatterm.tui.widgets.screen_batch import batch_update


class PaintCountingScreen(Screen[None]):
    paints = 0

    def compose(self) -> ComposeResult:
        yield Static("before", id="label")

    def _compositor_refresh(self) -> None:
        super()._compositor_refresh()
        self.paints += 1


class BatchApp(App[None]):
    def on_mount(self) -> None:
        self.push_screen(PaintCountingScreen())


async def wait_for(condition: object, timeout: float = 5.0) -> bool:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():  # type: ignore[operator]
        if loop.time() > deadline:
            return False
        await asyncio.sleep(0.01)
    return True


async def test_a_change_made_inside_a_batch_is_painted_when_it_ends() -> None:
    app = BatchApp()
    async with app.run_test(size=(40, 5)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, PaintCountingScreen)
        assert await wait_for(lambda: screen.paints > 0)
        await asyncio.sleep(0.1)
        with batch_update(app):
            screen.query_one("#label", Static).update("after")
            await asyncio.sleep(0.1)  # the screen goes idle (and skips its repaint) meanwhile
            painted_in_batch = screen.paints
        assert await wait_for(lambda: screen.paints > painted_in_batch), "the change is painted after the batch"
