"""`Clock`: the deadlines of one client call, and the error that names the one that fired.

    clock = Clock(deadlines)                  # at the start of stream() / list_models()
    resp = await clock.first_byte(opening, streamed=True, sent=lambda: tracker.sent)
    ends, name = clock.wait_ends(budget)      # a body read: idle budget or total, earlier
    clock.allows(delay)                       # may a retry wait this long?

The total deadline spans the whole call: every attempt and every wait between them, so
`ask --timeout 30` bounds a script's call, retries included. The first-byte deadline
runs from sending to the reply's first byte; once bytes flow the idle budget takes over
(`bounded_body.py` spends it only on reads that bring no reply data).
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, TypeVar

from chatterm.api.errors import DeadlineError
from chatterm.api.limits import Deadlines

if TYPE_CHECKING:
    from chatterm.api.types import Completion

T = TypeVar("T")


class Clock:
    """Deadlines of one call, on the event loop's clock (what `asyncio.timeout_at` reads)."""

    def __init__(self, deadlines: Deadlines, ends_at: float | None = None) -> None:
        """`ends_at` (a `time.monotonic()` instant) ends the call sooner when it comes
        first: one end shared by every request of an `ask --timeout` run."""
        self.deadlines = deadlines
        self._loop = asyncio.get_running_loop()
        now = self._loop.time()
        total = deadlines.total
        self.total_at = now + total if total is not None else math.inf
        if ends_at is not None:
            self.total_at = min(self.total_at, now + (ends_at - time.monotonic()))

    def now(self) -> float:
        return self._loop.time()

    def allows(self, delay: float) -> bool:
        """Whether waiting `delay` seconds (before a retry) still leaves time to try."""
        return self._loop.time() + delay < self.total_at

    def wait_ends(self, seconds: float) -> tuple[float, str]:
        """When a wait of at most `seconds` (an idle budget) must end, and which deadline that is."""
        ends = self._loop.time() + seconds
        if ends >= self.total_at:
            return self.total_at, "total"
        return ends, "idle"

    async def first_byte(self, opening: Awaitable[T], *, streamed: bool, sent: Callable[[], bool]) -> T:
        """Await the reply's headers within the first-byte deadline. A non-streamed reply is
        generated whole before its first byte, so it may take `idle` when that is longer.
        `sent` tells whether the request had gone out, for the message."""
        d = self.deadlines
        wait = d.first_byte if streamed else max(d.first_byte, d.idle)
        ends = self._loop.time() + wait
        name = "first_byte"
        if ends >= self.total_at:
            ends, name = self.total_at, "total"
        try:
            async with asyncio.timeout_at(ends):
                return await opening
        except TimeoutError:
            if name == "total":
                raise self.expired("total") from None
            raise self.silent(wait, sent()) from None

    def silent(self, seconds: float, sent: bool) -> DeadlineError:
        if sent:
            what = f"the server accepted the request but sent nothing for {seconds:g} s"
        else:
            what = f"the server did not take the request within {seconds:g} s"
        return DeadlineError(f"Error: {what} (timeouts.first_byte)", deadline="first_byte", seconds=seconds)

    def expired(
        self, name: str, *, keepalives: bool = False, partial: Completion | None = None, seconds: float | None = None
    ) -> DeadlineError:
        """The error for the idle or total deadline, `partial` kept."""
        d = self.deadlines
        if name == "total":
            total = d.total if d.total is not None else 0.0
            text = f"Error: no complete reply within {total:g} s (timeouts.total, retries included)"
            return DeadlineError(text, deadline="total", seconds=total, partial=partial)
        idle = d.idle if seconds is None else seconds
        if keepalives:
            text = f"Error: the server sent only keep-alives, no reply data, for {idle:g} s (timeouts.idle)"
        else:
            text = f"Error: the server sent no reply data for {idle:g} s (timeouts.idle)"
        return DeadlineError(text, deadline="idle", seconds=idle, partial=partial)
