"""While someone types during a streaming reply, the heavy screen work comes just after
keys (typing_rhythm) and a key's echo is painted before a layout the reply asked for
(KeyFirstPaint): the prompt never waits behind the pane's relayout."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest
from textual import events

from chatterm.tui.typing_rhythm import AFTER_KEY, INPUT_FIRST, TYPING_GAP, wait_before_heavy_work
from chatterm.tui.widgets.frame_clock import FrameClock
from chatterm.tui.widgets.reply_body import MAX_FRAME, ReplyBody

from .conftest import reply_done


def type_key(app: Any, key: str) -> None:
    event = events.Key(key, key)
    event.set_sender(app)
    app._driver.send_message(event)


def test_heavy_work_waits_for_the_echo_then_runs_just_after_a_key() -> None:
    key, far = 100.0, 1000.0
    assert wait_before_heavy_work(key + 0.01, key, far) == pytest.approx(INPUT_FIRST - 0.01)  # the echo first
    assert wait_before_heavy_work(key + INPUT_FIRST, key, far) == 0.0  # right after it: now
    # Between keys: wait for the next key (or the person to stop typing)...
    assert wait_before_heavy_work(key + 0.2, key, far) == pytest.approx(TYPING_GAP - 0.2)
    # ...but never past the work's own deadline (the reply keeps moving).
    assert wait_before_heavy_work(key + 0.2, key, key + 0.25) == pytest.approx(0.05)
    assert wait_before_heavy_work(key + 0.2, key, key + 0.1) == 0.0
    assert wait_before_heavy_work(key + TYPING_GAP, key, far) == 0.0  # not typing


async def until(condition: Any, timeout: float = 5.0) -> None:
    """Poll while a reply streams (a Pilot pause waits for idle: none while one does)."""
    deadline = time.perf_counter() + timeout
    while not condition():
        assert time.perf_counter() < deadline, "timed out"
        await asyncio.sleep(0.005)


async def test_a_key_typed_while_the_pane_waits_for_a_layout_shows_before_it(chat_context: Any) -> None:
    from chatterm.tui.app import ChatApp

    app = ChatApp(chat_context)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = app.chat_screen
        await pilot.pause()
        screen.prompt.load_text("!tokens=300 !rate=30")
        type_key(app, "enter")
        await until(lambda: FrameClock.streaming(app))
        paints: list[tuple[str, str]] = []
        """(prompt text, what the paint was) at each paint of the screen: "layout" (the
        paint of a layout pass), "ahead" (a layout waits) or "plain"."""
        paint, layout = screen._compositor_refresh, screen._refresh_layout
        in_layout = False

        def painted() -> None:
            kind = "layout" if in_layout else "ahead" if screen._layout_required else "plain"
            paints.append((screen.prompt.text, kind))
            paint()

        def laid_out(*args: Any, **kwargs: Any) -> None:
            nonlocal in_layout
            in_layout = True
            try:
                layout(*args, **kwargs)
            finally:
                in_layout = False

        screen._compositor_refresh = painted  # type: ignore[method-assign]
        screen._refresh_layout = laid_out  # type: ignore[method-assign]
        type_key(app, "a")
        await until(lambda: any(text == "a" for text, _ in paints))
        # Someone types while a reply streams: a layout asked for between keys waits
        # for the next key.
        await asyncio.sleep(AFTER_KEY + 0.05)
        screen.pane.refresh(layout=True)
        await until(lambda: screen._layout_required)
        type_key(app, "b")
        await until(lambda: ("ab", "layout") in paints)
        # The echo went to the screen while the layout still waited, and the layout
        # followed (the screen is not left stale).
        assert next(kind for text, kind in paints if text == "ab") == "ahead", paints
        await pilot.press("escape")
        await reply_done(pilot)


async def test_a_streaming_reply_draws_its_frames_just_after_keys_while_someone_types(chat_context: Any) -> None:
    from chatterm.tui.app import ChatApp

    app = ChatApp(chat_context)
    async with app.run_test(size=(100, 30)) as pilot:
        frames: list[tuple[float, float, float]] = []
        """(frame start, last key before it, end of the frame before it)."""
        flush = ReplyBody.flush_frame

        async def recorded(body: ReplyBody) -> None:
            clock = FrameClock.of(app)
            frames.append((time.perf_counter(), app.last_key_at, clock.last_frame))
            await flush(body)

        ReplyBody.flush_frame = recorded  # type: ignore[method-assign]
        # Frames as often as 20 a second if nothing else held them back (the suite's
        # process also runs the gateway: its CPU would otherwise space them out).
        FrameClock.of(app).cpu_budget = 1.0
        try:
            screen = app.chat_screen
            screen.prompt.load_text("!tokens=600 !rate=300")
            type_key(app, "enter")
            while not frames:  # (a Pilot pause waits for idle: none while a reply streams)
                await asyncio.sleep(0.01)
            started = time.perf_counter()
            while time.perf_counter() - started < 1.5:
                type_key(app, "x")  # as the driver delivers it (Pilot.press waits for idle)
                await asyncio.sleep(0.2)
            typing_until = time.perf_counter()
            await reply_done(pilot)
        finally:
            ReplyBody.flush_frame = flush  # type: ignore[method-assign]
        while_typing = [f for f in frames if started + 0.2 < f[0] < typing_until]
        assert len(while_typing) >= 3, frames
        for start, key_at, previous_end in while_typing:
            since_key = start - key_at
            overdue = start >= previous_end + MAX_FRAME - 0.005  # the reply could wait no longer
            # After the key's echo, and soon after it: the next key is furthest away.
            assert overdue or INPUT_FIRST - 0.005 <= since_key <= AFTER_KEY + 0.02, (since_key, start - previous_end)
        assert "x" in screen.prompt.text
