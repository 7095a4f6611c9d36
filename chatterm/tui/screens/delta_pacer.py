"""`DeltaPacer`: a reply worker posts its gathered deltas at most once per frame.

The worker gathers text and reasoning in a `DeltaBatch` and posts it when no message for
it is waiting. When the handler keeps up (it only buffers into the reply body), that was
one message per token: at 850-2,000 tok/s, a thousand or more messages a second, each
dispatched, handled and its batch joined, for a screen that shows ~20 frames a second.
The pacer holds a post back until `POST_EVERY` seconds after the last one (a timer
posts it then, so text never waits for the next token), and `flush` posts a held one at
once, so whatever the worker posts next (a tool call, the end of the reply) still
comes after the text before it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

POST_EVERY = 1 / 20
"""Least seconds between two posts of deltas (the frame rate of `reply_body.FRAME`)."""


class DeltaPacer:
    """Paces the posts of one batch (one per reply, or one per compare lane)."""

    def __init__(self, every: float = POST_EVERY) -> None:
        self.every = every
        self._last = float("-inf")
        self._held: Callable[[], object] | None = None
        self._timer: asyncio.TimerHandle | None = None
        self.posts = 0
        """Messages posted so far (tests read it)."""

    def post(self, send: Callable[[], object]) -> None:
        """Send now if the last post is a frame old, else when it is (`send` posts the
        message; the caller posts a batch only while none is waiting)."""
        loop = asyncio.get_running_loop()
        wait = self._last + self.every - loop.time()
        if wait <= 0:
            self._send(send)
            return
        self._held = send
        if self._timer is None:
            self._timer = loop.call_later(wait, self.flush)

    def flush(self) -> None:
        """Post a held message now (before the next message of the worker, or its end)."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        held, self._held = self._held, None
        if held is not None:
            self._send(held)

    def _send(self, send: Callable[[], object]) -> None:
        self._last = asyncio.get_running_loop().time()
        self.posts += 1
        send()
