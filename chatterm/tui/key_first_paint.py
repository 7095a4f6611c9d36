"""`KeyFirstPaint`: a key's echo is painted before a layout the stream asked for.

A streaming reply that grows by a line asks the screen for a layout; Textual does it on
the screen's next update tick together with everything else that changed, and paints
the result in one go. A key typed into the prompt just before that tick was echoed
only when the layout and the repaint of the whole (scrolled) pane were done: 15-60 ms
on this machine, the slowest tenth of the echoes while a reply streams at 180 tok/s
and more (measured in the real terminal: key read -> prompt edited -> frame written).

A key's echo is painted when the prompt's change reaches the screen (`_on_update`), not
on the update timer's next step. The focused widget does not move when the
conversation above it grows, so its new look can be painted where it is: on an update tick with a layout pending, a focused
widget that changed (and asked for no layout itself) after a key is painted alone
first, and the layout follows on the next tick (1/60 s later), when the echo is
already on the terminal. A tick that comes while the key is still on its way to the
prompt (`KEY_GRACE`) leaves the layout for the next one. While a reply streams and
someone types, a layout asked for between keys waits for the next key's echo
(`typing_rhythm`), at most `LAYOUT_WAIT`; without a streaming reply nothing waits (a
click or a key's own result is laid out at once).
"""

from __future__ import annotations

import asyncio
import time
from typing import TYPE_CHECKING

from textual import messages
from textual.screen import Screen

from chatterm.tui.typing_rhythm import last_key_at, wait_before_heavy_work
from chatterm.tui.widgets.frame_clock import FrameClock

if TYPE_CHECKING:
    from textual.widget import Widget

KEY_GRACE = 0.04
"""Seconds a pending layout waits for the echo of a key read just before it: the key
reaches the prompt through a few message queues, while the screen's update tick runs
on its own timer and would otherwise lay out the pane first."""


LAYOUT_WAIT = 0.3
"""Longest a layout waits for the next key while someone types (the reply keeps moving)."""


class KeyFirstPaint(Screen[None]):
    _echoed_key_at = 0.0
    """`last_key_at` of the last key whose echo was painted ahead of a layout."""
    _layout_asked_at: float | None = None
    """When the pending layout was first seen by an update tick."""
    _wake: asyncio.TimerHandle | None = None

    async def _on_update(self, message: messages.Update) -> None:
        await super()._on_update(message)
        # The echo of a key: painted now. Textual's update timer keeps a 1/60 s grid and,
        # when it was idle, skips to the step after next: up to 33 ms with nothing else slow.
        if (
            message.widget is not self.focused
            or not self._echo_due(time.perf_counter())
            or not self.is_current
            or self.app._batch_count
        ):
            return
        key_at = last_key_at(self.app)
        if self._layout_required:
            self._paint_echo_first(key_at)
        else:
            self._echoed_key_at = key_at
            super()._on_timer_update()

    def _echo_due(self, now: float) -> bool:
        key_at = last_key_at(self.app)
        return key_at > self._echoed_key_at and now - key_at <= KEY_GRACE

    def _on_timer_update(self) -> None:
        if not self._layout_required or not self.is_current or self.app._batch_count:
            super()._on_timer_update()
            return
        now = time.perf_counter()
        key_at = last_key_at(self.app)
        if self._echo_due(now):
            self._paint_echo_first(key_at)
            return
        if self._layout_asked_at is None:
            self._layout_asked_at = now
        wait = wait_before_heavy_work(now, key_at, self._layout_asked_at + LAYOUT_WAIT)
        if wait > 0 and FrameClock.streaming(self.app):  # only a streaming reply's layouts wait
            self._wait(wait)  # typing: the layout comes just after the next key's echo
            return
        self._layout_asked_at = None
        super()._on_timer_update()

    def _paint_echo_first(self, key_at: float) -> None:
        focused = self.focused
        if focused is not None and self._asks_layout(focused):
            self._layout_asked_at = None
            super()._on_timer_update()  # the prompt itself grows or shrinks: one layout for all
            return
        if focused is None or focused not in self._dirty_widgets:
            # The key is still on its way to the prompt: the layout waits for it.
            self._wait(key_at + KEY_GRACE - time.perf_counter())
            return
        # Paint the echo alone; the layout and the rest stay asked for (the timer runs on).
        self._echoed_key_at = key_at
        rest = self._dirty_widgets - {focused}
        self._dirty_widgets.clear()
        self._dirty_widgets.add(focused)
        self._compositor.update_widgets(self._dirty_widgets)
        self._compositor_refresh()
        self._dirty_widgets.update(rest)

    def _wait(self, delay: float) -> None:
        """Skip this update tick; the next comes when the screen has news (its idle
        handler resumes the timer, at once: a running timer would wait for its next
        1/60 s step) or after `delay` seconds at the latest."""
        self._update_timer.pause()
        if self._wake is not None:
            self._wake.cancel()
        self._wake = asyncio.get_running_loop().call_later(max(0.0, delay), self._update_timer.resume)

    def _asks_layout(self, widget: Widget) -> bool:
        return widget._layout_required or any(widget in asked for asked in self._layout_widgets.values())
