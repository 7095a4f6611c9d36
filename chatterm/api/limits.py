"""How much a server may make the client hold, and how long it may make it wait.

    Limits(error_body, json_body, sse_event, reply_text)     bytes / characters
    Deadlines(connect, first_byte, idle, total)              seconds

A gateway is outside our control: a 2 MB gzip bomb inflates to 2 GB, a server can accept
a request and never answer, or keep a stream "alive" with one comment a second forever.
Every body the client reads is bounded by these numbers (`bounded_body.py` reads,
`deadline_clock.py` times), and each failure names the setting that fired, so a user
knows what to raise. They come from the config's `[limits]` and `[timeouts]` tables.

Why these defaults:
- `sse_event` and `json_body` are 64 MB: a generated image arrives base64-encoded in one
  event or body, and 10-20 MB images are real.
- `reply_text` is 8 MB of characters (text + reasoning + tool arguments): a million
  tokens of prose is far past any model's output limit, so only a broken server gets there.
- `error_body` is 1 MB: an error page is read for its first words only.
- `first_byte` is 60 s: gateways answer a streamed request's headers at once; a
  non-streamed reply is generated before its first byte, so it waits `idle` if longer.
- `idle` is 300 s of no reply data (reasoning models may think for minutes behind
  keep-alives before their first token); keep-alive comments and blank lines are not data, so
  they do not reset it (a model that thinks silently for longer needs a larger `idle`).
- `total` is 30 min for one call, retries and waits included (`ask --timeout` sets it).
"""

from __future__ import annotations

from dataclasses import dataclass

MB = 1024 * 1024


@dataclass(frozen=True, slots=True)
class Limits:
    """Caps on what is read of one reply, in decompressed bytes (text: characters)."""

    error_body: int = 1 * MB
    """Of a non-2xx body (or an HTML page): the rest is not read; the error is made from this much."""
    json_body: int = 64 * MB
    """A non-streamed reply (JSON), and the model list."""
    sse_event: int = 64 * MB
    """Bytes of a stream read without one event completing (one event's size, keep-alives included)."""
    reply_text: int = 8 * MB
    """Characters of one reply's text, reasoning and tool arguments together."""

    def __post_init__(self) -> None:
        for name in ("error_body", "json_body", "sse_event", "reply_text"):
            if getattr(self, name) < 1:
                raise ValueError(f"limits.{name} must be 1 or more")


@dataclass(frozen=True, slots=True)
class Deadlines:
    """Seconds one call may take; `total` None means no total deadline."""

    connect: float = 10.0
    """To open the connection (TCP and TLS)."""
    first_byte: float = 60.0
    """From sending the request to the reply's first byte (a non-streamed request: `idle` if longer)."""
    idle: float = 300.0
    """Without reply data once the reply started; keep-alive comments and blank lines do not count."""
    total: float | None = 1800.0
    """For the whole call: every attempt, every retry wait."""

    def __post_init__(self) -> None:
        for name in ("connect", "first_byte", "idle", "total"):
            value = getattr(self, name)
            if value is not None and not value > 0:
                raise ValueError(f"timeouts.{name} must be more than 0 seconds")


def format_size(size: int) -> str:
    """1048576 -> "1 MB", 1536 -> "1.5 KB": the figures in limit messages."""
    for unit, scale in (("GB", MB * 1024), ("MB", MB), ("KB", 1024)):
        if size >= scale:
            return f"{size / scale:.4g} {unit}"
    return f"{size} bytes"
