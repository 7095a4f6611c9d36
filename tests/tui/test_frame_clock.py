"""Several reply bodies streaming at once (compare columns) share one frame clock."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.containers import Horizontal

from chatterm.tui.widgets.reply_body import ReplyBody

COLUMNS = 4


class ColumnsApp(App[None]):
    def compose(self) -> ComposeResult:
        with Horizontal():
            for n in range(COLUMNS):
                yield ReplyBody(id=f"body{n}")


def shown(body: ReplyBody) -> str:
    """The text the body has put on screen so far (frozen pieces and the live block)."""
    from chatterm.tui.widgets.frozen_markdown import FrozenMarkdown

    return "".join(leaf.source for leaf in body.query(FrozenMarkdown))  # the live block is one too


async def test_four_streaming_bodies_draw_from_one_frame_loop() -> None:
    app = ColumnsApp()
    async with app.run_test(size=(160, 30)) as pilot:
        bodies = list(app.query(ReplyBody))
        for word in range(30):
            for n, body in enumerate(bodies):
                body.feed(f"column {n} word {word} ")
        await pilot.wait_for_scheduled_animations()
        for _ in range(200):
            if all(shown(body) == body.text for body in bodies):
                break
            await pilot.pause(0.02)
        # Every column's text reached the screen, drawn by one frame loop for the app,
        # not one timer (and CPU budget) per column.
        assert all(shown(body) == body.text for body in bodies)
        frame_loops = [worker for worker in app.workers if worker.group in {"flush", "frame-clock"}]
        assert len(frame_loops) == 1
        for body in bodies:
            await body.finish()
        await pilot.pause()
        assert all(not body.streaming for body in bodies)
