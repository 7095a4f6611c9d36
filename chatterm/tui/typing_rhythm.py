"""When heavy screen work may run while a person types: just after a key, not before one.

A streaming reply makes two kinds of heavy work: a frame that writes the gathered text
into the reply (the frame clock) and the layout and repaint of the pane that follows when
a line was added (the screen). Each takes 10-60 ms during which a key waits. A person's
keys seldom come closer than ~0.1 s apart, so the safest moment for such work is right
after a key was echoed: the next one is then furthest away (also with keys at random
gaps: `benchmarks/blackbox/latency.py --jitter`). While someone types (a key within `TYPING_GAP`), heavy work
waits until `INPUT_FIRST` after a key (its echo goes first), runs within `AFTER_KEY` of it,
and otherwise waits for the next key, but never longer than its own deadline, so a reply
keeps moving while a person types slowly or stops.
"""

from __future__ import annotations

import asyncio
import time

INPUT_FIRST = 0.05
"""Seconds after a key before heavy work: the frame that echoes it paints the prompt only."""
AFTER_KEY = 0.1
"""Heavy work started within this many seconds of a key is done long before the next."""
TYPING_GAP = 0.5
"""A key within this many seconds means the person is typing."""


def last_key_at(app: object) -> float:
    """perf_counter of the app's last key (`ChatApp.on_event` stamps it; 0: none yet)."""
    return float(getattr(app, "last_key_at", 0.0))


def wait_before_heavy_work(now: float, key_at: float, deadline: float) -> float:
    """Seconds to wait before heavy work (0: now), given the last key's time and the
    time by which the work must run in any case."""
    since = now - key_at
    if since < INPUT_FIRST:
        return max(0.0, min(key_at + INPUT_FIRST, deadline) - now)
    if since <= AFTER_KEY or since >= TYPING_GAP:
        return 0.0
    return max(0.0, min(key_at + TYPING_GAP, deadline) - now)


async def echo_first(app: object, since: float) -> float:
    """Between two pieces of heavy work: if a key came after `since`, wait until its
    echo has gone first (`INPUT_FIRST` after it). Returns the time to pass as `since`
    next."""
    key_at = last_key_at(app)
    if key_at <= since:
        return since
    await asyncio.sleep(max(0.0, key_at + INPUT_FIRST - time.perf_counter()))
    return time.perf_counter()
