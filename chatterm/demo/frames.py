"""A stream ready to send: pre-encoded SSE frames plus where a fault strikes.

Encoders build every frame's bytes up front (cheap string templates for the token
frames), so sending 20,000 tokens is a few large socket writes.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

FAULT_AFTER_TOKENS = 5
"""Stream faults (`!stall`, `!drop`, `!malformed`, `!error`, `!failed`) strike after this many tokens."""


def dumps(obj: Any) -> str:
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False)


def sse(obj: Any, event: str | None = None) -> bytes:
    head = f"event: {event}\n" if event else ""
    return f"{head}data: {dumps(obj)}\n\n".encode()


@dataclass(slots=True)
class Frames:
    frames: list[bytes] = field(default_factory=list)
    cut: int | None = None
    """Index of the frame a fault replaces/precedes (None: set at the end by `close_cut`)."""
    tokens_seen: int = 0
    fault_frame: bytes | None = None
    """What `!error` / `!failed` / `!malformed` send at the cut."""

    def add(self, frame: bytes) -> None:
        self.frames.append(frame)

    def add_token(self, frame: bytes) -> None:
        self.frames.append(frame)
        self.tokens_seen += 1
        if self.cut is None and self.tokens_seen == FAULT_AFTER_TOKENS:
            self.cut = len(self.frames)

    def close_cut(self) -> None:
        """Fewer tokens than FAULT_AFTER_TOKENS: the fault strikes here (before the end frames)."""
        if self.cut is None:
            self.cut = len(self.frames)
