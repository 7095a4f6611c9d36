"""`SSEFeed`: the rules both stream parsers share for the SSE events of one network read.

    parser.feed_sse(decoder.feed(chunk))   -> the stream events of that read

- `data: [DONE]` sets `done` and ends the stream; anything after it is ignored.
- A data text that is not JSON is skipped, and said once as `Notice(kind="malformed")`
  (its text passed through `scrub` first: a server may echo the API key anywhere); the
  rest of the reply still counts.
- An error chunk stops the batch and is kept in `failure`, so the caller can hand on the
  events before it, then raise it.

`ChatStreamParser` and `ResponsesStreamParser` subclass it and give `feed_text` (one
data text -> events; ValueError when it is not JSON), `partial` and `finish`, so the
client drives both protocols alike.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any

from chatterm.api.errors import APIError
from chatterm.api.sse import SSEEvent
from chatterm.api.types import Completion, Notice, StreamEvent

_scan_json = json.JSONDecoder().scan_once  # type: ignore[attr-defined]


def loads(text: str) -> Any:
    """`json.loads` for one data text. A chunk is one JSON value with nothing around it,
    so the C scanner reads it directly, without `json.loads`' Python layers (half the
    cost of a token); anything else (whitespace around it, trailing text) goes through
    `json.loads`, which raises ValueError as usual."""
    try:
        value, end = _scan_json(text, 0)
    except StopIteration:
        end = -1
    return value if end == len(text) else json.loads(text)


def malformed_notice(text: str) -> Notice:
    """A data text that is not JSON is skipped (the rest of the reply still counts) and
    the user is told once that a piece of the reply may be missing."""
    excerpt = " ".join(text.split())
    if len(excerpt) > 80:
        excerpt = excerpt[:79] + "…"
    return Notice(
        f"The server sent a malformed stream chunk ({excerpt}); part of the reply may be missing",
        kind="malformed",
    )


class SSEFeed:
    """SSE events in, stream events out, with the shared rules of the module docstring."""

    def __init__(self) -> None:
        self.scrub: Callable[[str], str] | None = None
        """Applied to a malformed chunk's text before it is quoted in the Notice (the
        client removes its API key with it)."""
        self.done = False
        """`data: [DONE]` arrived."""
        self.failure: APIError | None = None
        """The error a chunk carried (`feed_text` itself raises it at once)."""
        self._told_malformed = False

    # --- what a protocol's parser provides ------------------------------------------------

    def feed_text(self, event: str | None, text: str) -> list[StreamEvent]:
        """Events for one data text (`event` is the SSE event name, None for "message");
        ValueError when the text is not JSON, APIError for an error chunk."""
        raise NotImplementedError

    @property
    def partial(self) -> Completion:
        """What has arrived so far (for errors that keep the partial reply)."""
        raise NotImplementedError

    def finish(self, saw_done: bool) -> Completion:
        """The Completion at the end of the stream; APIConnectionError if it was cut off."""
        raise NotImplementedError

    def flush(self) -> list[StreamEvent]:
        """Events for text the parser still holds back at the end of the reply."""
        return []

    # --- the shared loop -------------------------------------------------------------------

    def feed_sse(self, events: Iterable[SSEEvent]) -> list[StreamEvent]:
        """The stream events of one network read (see the module docstring)."""
        out: list[StreamEvent] = []
        if self.done or self.failure is not None:
            return out
        for event in events:
            if not self._feed_one(event[0], event[1], out):
                break
        return out

    def _feed_one(self, name: str, text: str, out: list[StreamEvent]) -> bool:
        """Feed one event's data into `out`; False when the stream or the batch ends."""
        if text == "[DONE]":
            self.done = True
            return False
        try:
            out += self.feed_text(None if name == "message" else name, text)
        except APIError as error:
            self.failure = error
            return False
        except ValueError:
            if not self._told_malformed:
                self._told_malformed = True
                out.append(malformed_notice(text if self.scrub is None else self.scrub(text)))
        return True
