"""Issue 12: the block being written is updated where it is, not rebuilt each frame.

A list being written stays one widget (Textual's `Markdown` mounted four widgets per
row, and its `append` removed and mounted the whole list on every frame); words added
to the last line repaint it without laying out the conversation; a line that wraps
costs one layout pass, not two. And through all of it the block looks exactly as a
freshly built one with the same text.
"""

from __future__ import annotations

from typing import Any

import pytest
from textual.app import App, ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Static

from chatterm.tui.settled_layout import SettledLayout
from chatterm.tui.widgets.reply_body import ReplyBody

from .waiting import wait_until


class PaneScreen(SettledLayout):
    """A conversation-like pane: earlier messages, then a message view holding the body."""

    DEFAULT_CSS = "#message { height: auto; }"

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="pane"):
            for n in range(8):
                yield Static(f"earlier message {n}\n" * 3)
            with Vertical(id="message"):
                yield Static("model · writing…")
                yield ReplyBody(id="body")

    def on_mount(self) -> None:
        self.query_one("#pane").anchor()


class PaneApp(App[None]):
    def __init__(self) -> None:
        super().__init__()
        self.passes = 0
        """Layout passes of the pane's screen."""

    def get_default_screen(self) -> Screen[Any]:
        screen = PaneScreen()
        original = screen._refresh_layout

        def counted(*args: Any, **kwargs: Any) -> None:
            self.passes += 1
            original(*args, **kwargs)

        screen._refresh_layout = counted  # type: ignore[method-assign]
        return screen


def _quiet(app: App[Any]) -> bool:
    """Nothing waits to be laid out or painted."""
    screen = app.screen
    pending = any(w._layout_required or w._repaint_required for w in screen._compositor.widgets)
    return not (pending or screen._layout_required or screen._dirty_widgets)


def _shown(app: App[Any]) -> str:
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


async def _feed(pilot: Any, body: ReplyBody, text: str) -> None:
    """Feed `text` and wait until its frame is painted and everything has settled."""
    mark = body.last_flush
    body.feed(text)
    await wait_until(pilot, lambda: body.last_flush > mark and _quiet(pilot.app))


async def test_a_list_being_written_stays_one_widget_on_screen() -> None:
    from chatterm.tui.widgets.live_block import LiveBlock

    app = PaneApp()
    async with app.run_test(size=(80, 30)) as pilot:
        body = app.query_one(ReplyBody)
        await _feed(pilot, body, "Steps:\n\n- first step\n- second")
        [live] = body.query(LiveBlock)
        widgets = len(list(app.screen.query("*")))
        for piece in [" step", "\n- third", " step\n  - a detail", "\n- fourth step"]:
            await _feed(pilot, body, piece)
        assert list(body.query(LiveBlock)) == [live], "the live block was rebuilt"
        assert len(list(app.screen.query("*"))) == widgets, "rows were mounted as widgets"
        shown = _shown(app)
        for line in ("• first step", "• second step", "• third step", "▪ a detail", "• fourth step"):
            assert line in shown, line


async def test_words_on_the_last_line_repaint_it_without_a_layout() -> None:
    app = PaneApp()
    async with app.run_test(size=(80, 30)) as pilot:
        body = app.query_one(ReplyBody)
        await _feed(pilot, body, "A sentence that")
        before = app.passes
        await _feed(pilot, body, " grows by a word")
        assert "A sentence that grows by a word" in _shown(app)
        assert app.passes == before, "a word that fits on the line laid out the screen"


async def test_a_line_that_wraps_costs_one_layout_pass() -> None:
    app = PaneApp()
    async with app.run_test(size=(80, 30)) as pilot:
        body = app.query_one(ReplyBody)
        await _feed(pilot, body, "word " * 12)
        before = app.passes
        await _feed(pilot, body, "word " * 12 + "wrapped")
        assert "wrapped" in _shown(app)
        assert app.passes == before + 1


DOCUMENTS = {
    "bullets": (
        "- item one two three\n- item four five six seven eight nine ten eleven twelve thirteen fourteen "
        "fifteen sixteen\n  - nested a b\n  - nested c `code` **bold**\n- back out\n"
    ),
    "numbers past nine": "".join(f"{n}. item {n}\n" for n in range(1, 13)),
    "quote with a list": "> quote x y z\n> more words here and there\n> - quoted item\n> - second\n",
    "loose list": "- a\n\n  a paragraph in the item\n- b\n",
    "list turned heading": "Setext\n---\n",
    "code": "```python\ndef f(x):\n    return x + 1\n```\n",
}


class TwoBodies(App[None]):
    """The same text written piece by piece (left) and all at once (right)."""

    def compose(self) -> ComposeResult:
        with Horizontal():
            with VerticalScroll(id="left"):
                yield ReplyBody(id="written")
            with VerticalScroll(id="right"):
                yield ReplyBody(id="fresh")


def _column(app: App[Any], widget_id: str) -> list[str]:
    region = app.query_one(f"#{widget_id}").region
    strips = app.screen._compositor.render_strips()
    return [strip.crop(region.x, region.right).text.rstrip() for strip in strips[region.y : region.bottom]]


@pytest.mark.parametrize("name", list(DOCUMENTS))
async def test_the_block_looks_as_one_built_afresh_at_every_step(name: str) -> None:
    text = "Intro.\n\n" + DOCUMENTS[name]
    app = TwoBodies()
    async with app.run_test(size=(120, 40)) as pilot:
        written = app.query_one("#written", ReplyBody)
        step = 7
        for end in range(step, len(text) + step, step):
            mark = written.last_flush
            written.feed(text[end - step : end])
            await wait_until(pilot, lambda: written.last_flush > mark)  # noqa: B023 - awaited here
            if end % (step * 4) and end < len(text):
                continue
            old = app.query_one("#fresh", ReplyBody)
            fresh = ReplyBody(id="fresh")
            await old.remove()
            await app.query_one("#right").mount(fresh)
            fresh.feed(text[:end])
            await wait_until(pilot, lambda: fresh.last_flush > 0 and _quiet(app))  # noqa: B023 - awaited here
            assert _column(app, "written") == _column(app, "fresh"), text[:end]


async def test_finished_blocks_are_rendered_before_the_layout_that_shows_them(monkeypatch: Any) -> None:
    """The Markdown of a block that finishes is rendered by the body's flusher, with the
    event loop free between pieces (a key typed meanwhile is echoed first), not inside
    the layout pass that mounts it, where a keypress would wait for all of it."""
    from chatterm.tui.widgets.frozen_markdown import FrozenMarkdown

    in_layout: list[str] = []
    original = FrozenMarkdown._render_piece

    def spy(self: FrozenMarkdown, text: str, width: int) -> Any:
        in_layout.append(text)
        return original(self, text, width)

    monkeypatch.setattr(FrozenMarkdown, "_render_piece", spy)
    app = PaneApp()
    async with app.run_test(size=(80, 30)) as pilot:
        body = app.query_one(ReplyBody)
        for block in ("## A heading\n\n", "A paragraph that ends.\n\n", "- a list\n- of two\n\n", "Next"):
            await _feed(pilot, body, block)
        shown = _shown(app)
        assert "A heading" in shown and "• of two" in shown and "Next" in shown
        assert in_layout == [], in_layout
