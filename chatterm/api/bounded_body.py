"""Reading a reply body within `Limits` and `Deadlines`, whatever the server sends.

    body_chunks(resp, clock, limits)      the decoded body, a bounded piece at a time, timed
    read_capped(first, chunks, cap, name) a whole JSON body, or ResponseTooLargeError
    read_head(chunks, cap)                an error body's first `cap` bytes, the rest unread
    StreamCaps                            one stream's event size and reply text, counted

Why the client does not let httpx decompress: httpx inflates each network read whole, so
one 64 KB read of a gzip bomb is 64 MB in memory before anyone can count it. Here the
raw bytes are inflated with zlib's `max_length`, `PIECE` bytes at a time, so a cap stops
the reading within one piece. The client asks for `gzip, deflate` only; a body in
another encoding is an error rather than something to trust.

Deadlines: each network read waits at most the idle budget left (or the total deadline,
whichever is first). The budget is spent only by reads that bring no reply data:
keep-alive comments (`: keep-alive`, `: OPENROUTER PROCESSING`) and blank lines do not
reset it, so a server that trickles comments fails after `idle` seconds of waiting, and
a flood of them hits `limits.sse_event`. Time the caller spends between reads (showing
text) is not the server's idleness and is not counted.
"""

from __future__ import annotations

import asyncio
import zlib
from collections.abc import AsyncIterator, Iterator

import httpx

from chatterm.api.deadline_clock import Clock
from chatterm.api.errors import APIError, ResponseTooLargeError
from chatterm.api.failures import error_for
from chatterm.api.limits import Limits, format_size
from chatterm.api.sse_feed import SSEFeed
from chatterm.api.types import Completion, ReasoningDelta, StreamEvent, TextDelta, ToolCallDelta

PIECE = 256 * 1024
"""The most bytes one inflate step hands on (a bomb's 1000:1 ratio never lands at once)."""

ACCEPT_ENCODING = "gzip, deflate"

_LINE_START, _IN_COMMENT, _IN_LINE = 0, 1, 2


class KeepAlive:
    """Tells a read that carries reply data from one that only keeps the line alive
    (comment lines and blank lines), across reads split anywhere."""

    __slots__ = ("_state",)

    def __init__(self) -> None:
        self._state = _LINE_START

    def carries_data(self, piece: bytes) -> bool:
        found = False
        state = self._state
        i, n = 0, len(piece)
        while i < n and not found:
            if state == _LINE_START:
                c = piece[i]
                if c in (10, 13, 32, 9):
                    i += 1
                elif c == 58:  # ":" a comment
                    state = _IN_COMMENT
                else:
                    found = True
            elif state == _IN_COMMENT:
                end = _line_end(piece, i)
                if end < 0:
                    break
                state, i = _LINE_START, end + 1
            else:  # the rest of a line that holds data
                if piece[i] in (10, 13):
                    state, i = _LINE_START, i + 1
                else:
                    found = True
        if found and piece[-1] == 10:  # whole events (nearly every read): a line starts next
            state = _LINE_START
        elif found:  # where the piece leaves off decides the next read's start
            last = max(piece.rfind(b"\n"), piece.rfind(b"\r"))
            if last < 0:
                state = _IN_LINE
            else:
                tail = piece[last + 1 :].lstrip(b" \t")
                state = _LINE_START if not tail else _IN_COMMENT if tail[0] == 58 else _IN_LINE
        self._state = state
        return found


def _line_end(piece: bytes, start: int) -> int:
    lf, cr = piece.find(b"\n", start), piece.find(b"\r", start)
    return lf if cr < 0 else cr if lf < 0 else min(lf, cr)


class _Inflate:
    """One `Content-Encoding` layer (gzip or deflate), inflated PIECE bytes at a time."""

    def __init__(self, encoding: str) -> None:
        self.encoding = encoding
        self._zlib = zlib.decompressobj(31 if encoding == "gzip" else 15)
        self._started = False

    def feed(self, data: bytes) -> Iterator[bytes]:
        z = self._zlib
        while data and not z.eof:
            try:
                out = z.decompress(data, PIECE)
            except zlib.error:
                if self.encoding != "deflate" or self._started:
                    raise _corrupt(self.encoding) from None
                self._zlib = z = zlib.decompressobj(-15)  # "deflate" sent raw, without the zlib header
                self._started = True
                continue
            self._started = True
            data = z.unconsumed_tail
            if out:
                yield out

    def flush(self) -> bytes:
        return self._zlib.flush(PIECE)


def _corrupt(encoding: str) -> Exception:
    return error_for(None, f"the reply's {encoding} data is corrupt", model="")


def _layers(resp: httpx.Response) -> list[_Inflate]:
    """The decoders for the body's encodings, outermost first (`gzip, gzip` is two)."""
    names = [n.strip().lower() for n in resp.headers.get("content-encoding", "").split(",") if n.strip()]
    layers: list[_Inflate] = []
    for name in reversed(names):
        if name in ("gzip", "x-gzip"):
            layers.append(_Inflate("gzip"))
        elif name == "deflate":
            layers.append(_Inflate("deflate"))
        elif name != "identity":
            raise error_for(None, f"the reply is encoded as {name!r}, which chatterm did not ask for", model="")
    return layers


def _inflated(layers: list[_Inflate], chunk: bytes, depth: int = 0) -> Iterator[bytes]:
    if depth == len(layers):
        yield chunk
        return
    for piece in layers[depth].feed(chunk):
        yield from _inflated(layers, piece, depth + 1)


async def body_chunks(resp: httpx.Response, clock: Clock, limits: Limits) -> AsyncIterator[bytes]:
    """The decoded body in pieces of at most PIECE bytes (plain bodies: as read), each
    network read within the idle budget and the total deadline (DeadlineError)."""
    if resp.is_stream_consumed:  # read whole before us (httpx.MockTransport): nothing left to bound
        content = resp.content
        for at in range(0, len(content), PIECE):
            yield content[at : at + PIECE]
        return
    layers = _layers(resp)
    raw = resp.aiter_raw()
    idle = budget = clock.deadlines.idle
    keepalive = KeepAlive()
    carries = keepalive.carries_data
    quiet = 0
    only_keepalives = False
    loop_time = clock.now
    while True:
        start = loop_time()
        ends, which = clock.wait_ends(budget)
        try:
            async with asyncio.timeout_at(ends):
                chunk = await anext(raw, None)
        except TimeoutError:
            raise clock.expired(which, keepalives=only_keepalives) from None
        if chunk is None:
            break
        waited = loop_time() - start
        progressed = False
        for piece in _inflated(layers, chunk) if layers else (chunk,):
            if carries(piece):
                progressed = True
                quiet = 0
            else:
                quiet += len(piece)
                if quiet > limits.sse_event:
                    raise _too_large(
                        f"the server sent {format_size(limits.sse_event)} with no reply data in it",
                        "sse_event",
                        limits.sse_event,
                    )
            yield piece
        if progressed:
            budget, only_keepalives = idle, False
        else:
            budget -= waited
            only_keepalives = True
    for layer in layers:
        tail = layer.flush()
        if tail:
            yield tail


async def read_capped(first: bytes, chunks: AsyncIterator[bytes], cap: int, name: str = "json_body") -> bytes:
    """The rest of a body that must be read whole (a non-streamed reply), at most `cap`
    bytes; past that, ResponseTooLargeError and the connection is dropped unread."""
    parts = [first]
    size = len(first)
    async for chunk in chunks:
        size += len(chunk)
        if size > cap:
            raise _too_large(f"the reply is larger than {format_size(cap)}", name, cap)
        parts.append(chunk)
    return b"".join(parts)


async def read_head(chunks: AsyncIterator[bytes], cap: int) -> bytes:
    """An error body's first `cap` bytes: the error is made from them, the rest is not read
    (nor waited for: a deadline or a corrupt body just ends the reading)."""
    parts: list[bytes] = []
    size = 0
    try:
        async for chunk in chunks:
            parts.append(chunk[: cap - size])
            size += len(parts[-1])
            if size >= cap:
                break
    except APIError:
        pass
    return b"".join(parts)


class StreamCaps:
    """One stream's `sse_event` and `reply_text` caps, counted per network read.

    The text is not counted per token: a character of text costs at least one byte on
    the wire, so until the stream's bytes pass the cap its text cannot have; from then
    on (a broken or hostile server only) each batch's text is counted."""

    __slots__ = ("_event_cap", "_text_cap", "pending", "text", "wire")

    def __init__(self, limits: Limits) -> None:
        self._event_cap = limits.sse_event
        self._text_cap = limits.reply_text
        self.pending = 0
        """Bytes read since an event last completed (the event being assembled, at most)."""
        self.wire = 0
        """Bytes of the stream so far (decompressed)."""
        self.text = -1
        """Characters of text, reasoning and tool arguments passed on (-1: not counted yet)."""

    def read(self, size: int, completed: bool) -> None:
        """After each read: `completed` when it finished at least one event."""
        self.wire += size
        if completed:
            self.pending = 0
            return
        self.pending += size
        if self.pending > self._event_cap:
            cap = self._event_cap
            raise _too_large(f"the server sent {format_size(cap)} without completing a stream event", "sse_event", cap)

    def shown(self, batch: list[StreamEvent], parser: SSEFeed) -> None:
        """After a batch went to the caller: past `reply_text`, stop with all of it kept."""
        if self.wire <= self._text_cap:
            return
        if self.text < 0:  # once: everything shown so far
            self.text = _text_size(parser.partial)
        else:
            for event in batch:
                kind = type(event)
                if kind is TextDelta or kind is ReasoningDelta:
                    self.text += len(event.text)  # type: ignore[union-attr]
                elif kind is ToolCallDelta:
                    self.text += len(event.arguments)  # type: ignore[union-attr]
        if self.text > self._text_cap:
            cap = self._text_cap
            raise _too_large(f"the reply's text passed {cap:,} characters", "reply_text", cap, parser=parser)

    def check_whole(self, events: list[StreamEvent], model: str) -> None:
        """A non-streamed reply's text against `reply_text` (nothing was shown: the text
        up to the cap is kept)."""
        from chatterm.api.types import Finished

        for event in events:
            if isinstance(event, Finished):
                done = event.completion
                if _text_size(done) > self._text_cap:
                    cap = self._text_cap
                    error = _too_large(f"the reply's text passed {cap:,} characters", "reply_text", cap)
                    error.partial = Completion(model=model, content=done.content[:cap])
                    raise error


def _text_size(completion: Completion) -> int:
    size = len(completion.content) + len(completion.reasoning or "")
    return size + sum(len(call.arguments) for call in completion.tool_calls)


def _too_large(what: str, name: str, cap: int, *, parser: SSEFeed | None = None) -> ResponseTooLargeError:
    return ResponseTooLargeError(
        f"Error: {what} (limits.{name}); stopped reading",
        limit=name,
        size=cap,
        partial=parser.partial if parser is not None else None,
    )
