"""`FrameClock`: one frame clock and one CPU budget for every streaming reply body of an app.

Each `ReplyBody` used to keep its own flusher, frame rate and budget, so four compare
columns streaming at once drew four unsynchronised frame streams and spent four budgets:
their layouts landed at different moments, and a key typed between them waited behind
one or another almost every time (echo p90 ~600 ms with four columns). Now a body that
has text to show only marks itself dirty here; one loop (a worker of the app) wakes at
most once per frame, waits for a key just typed to be echoed first, and flushes every
dirty body in the same tick, so their changes meet one layout and one paint. What the
whole frame cost the process (all bodies, the stream reads and keys meanwhile) sets the
gap before the next one, so more columns mean bigger, rarer frames, not more CPU.

The timing constants live in `reply_body` (FRAME, CPU_BUDGET, MAX_FRAME) and `typing_rhythm`
(INPUT_FIRST, when frames run while someone types);
see docs/architecture.md, "Frame budget".
"""

from __future__ import annotations

import asyncio
import time
import weakref
from typing import TYPE_CHECKING, Any, Protocol

from chatterm.tui.typing_rhythm import echo_first, last_key_at, wait_before_heavy_work

if TYPE_CHECKING:
    from textual.app import App
    from textual.worker import Worker


class Flushable(Protocol):
    async def flush_frame(self) -> None:
        """Write what gathered since the last frame."""


_CLOCKS: weakref.WeakKeyDictionary[App[Any], FrameClock] = weakref.WeakKeyDictionary()


def _wake(sleeper: asyncio.Future[None]) -> None:
    if not sleeper.done():
        sleeper.set_result(None)


class FrameClock:
    """The frame loop shared by the streaming bodies of one app (`FrameClock.of(app)`)."""

    def __init__(self, app: App[Any], *, frame: float, cpu_budget: float, max_frame: float) -> None:
        self._app = app
        self.frame = frame
        self.cpu_budget = cpu_budget
        self.max_frame = max_frame
        self._dirty: dict[Flushable, None] = {}
        """Bodies with text to show, in the order they asked (an ordered set)."""
        self._streaming: weakref.WeakSet[Flushable] = weakref.WeakSet()
        """Bodies fed since they last left (`discard`): a reply is being written."""
        self._wake = asyncio.Event()
        self._sleeper: asyncio.Future[None] | None = None
        """What `_run` awaits while it waits for its frame (a key ends the wait early)."""
        self.worker: Worker[None] | None = None
        self.last_frame = 0.0
        """perf_counter of the last frame."""
        self.frames = 0
        """Frames drawn so far (tests and benchmarks read it)."""

    @classmethod
    def of(cls, app: App[Any]) -> FrameClock:
        clock = _CLOCKS.get(app)
        if clock is None:
            from chatterm.tui.widgets import reply_body as timing

            clock = cls(
                app,
                frame=timing.FRAME,
                cpu_budget=timing.CPU_BUDGET,
                max_frame=timing.MAX_FRAME,
            )
            _CLOCKS[app] = clock
        return clock

    @classmethod
    def streaming(cls, app: App[Any]) -> bool:
        """Whether a reply body of `app` is streaming (fed and not finished)."""
        clock = _CLOCKS.get(app)
        return clock is not None and any(getattr(body, "is_attached", True) for body in clock._streaming)

    def mark(self, body: Flushable) -> None:
        """`body` has text to show on the next frame."""
        self._dirty[body] = None
        self._streaming.add(body)
        self._wake.set()
        if self.worker is None or self.worker.is_finished:
            self.worker = self._app.run_worker(self._run, group="frame-clock", exit_on_error=False)

    def discard(self, body: Flushable) -> None:
        """`body` flushes itself (it finished) or went away: leave it out of frames."""
        self._dirty.pop(body, None)
        self._streaming.discard(body)

    @classmethod
    def key_typed(cls, app: App[Any]) -> None:
        """A key was typed: a frame waiting for the next key (`typing_rhythm`) looks again."""
        clock = _CLOCKS.get(app)
        if clock is not None and clock._sleeper is not None and not clock._sleeper.done():
            clock._sleeper.set_result(None)

    async def _sleep(self, delay: float) -> None:
        """Sleep `delay` seconds, or until a key is typed."""
        loop = asyncio.get_running_loop()
        sleeper = self._sleeper = loop.create_future()
        timer = loop.call_later(delay, _wake, sleeper)
        try:
            await sleeper
        finally:
            timer.cancel()
            self._sleeper = None

    async def _run(self) -> None:
        cpu_mark = time.process_time()
        interval = self.frame
        try:
            while True:
                await self._wake.wait()
                due = self.last_frame + interval
                while True:
                    now = time.perf_counter()
                    # Input first: a key just typed gets its own cheap frame before this
                    # one, and while someone types, frames come just after keys.
                    deadline = self.last_frame + self.max_frame
                    wait = max(due - now, wait_before_heavy_work(now, last_key_at(self._app), deadline))
                    if wait <= 0:
                        break
                    await self._sleep(wait)
                self._wake.clear()
                bodies = list(self._dirty)
                self._dirty.clear()
                started = time.perf_counter()
                for body in bodies:
                    # A key typed while an earlier body was written is painted before the next.
                    started = await echo_first(self._app, started)
                    await body.flush_frame()
                self.last_frame = time.perf_counter()
                self.frames += 1
                # The frame budget: what this cycle cost the process sets the next gap.
                cpu_now = time.process_time()
                interval = min(self.max_frame, max(self.frame, (cpu_now - cpu_mark) / self.cpu_budget))
                cpu_mark = cpu_now
        except asyncio.CancelledError:
            pass
