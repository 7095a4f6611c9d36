"""Reading a reply body the client could not stream as SSE, or must finish.

first_chunk(chunks)     the body's start up to its first non-blank byte (JSON, HTML
                        or SSE is told from that byte when the content type does not)
looks_like_sse(first)   the body is SSE whatever its content type says
ndjson_lines(chunks)    a stream of one JSON object per line, re-framed as SSE
drain(chunks)           read to the end after `[DONE]`, so the connection is reused
html_summary(raw)       an HTML error page in a few words; `excerpt(raw)` any text
"""

from __future__ import annotations

import asyncio
import html
import re
from collections.abc import AsyncIterator

import httpx

from chatterm.api.errors import APIError

DRAIN_SECONDS = 0.25
"""After `[DONE]`, how long we wait for the body's end so the connection can be reused."""

_SSE_NAMES = (b"data:", b"event:", b"id:", b"retry:")
_SSE_FIELD = re.compile(rb"^(?:\xef\xbb\xbf)?\s*(?:" + b"|".join(n[:-1] for n in _SSE_NAMES) + rb")?:")
"""An SSE line start: a field name and a colon, or a bare colon (a comment)."""

_TITLE = re.compile(rb"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)
_H1 = re.compile(rb"<h1[^>]*>(.*?)</h1>", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"<[^>]+>")
_SCRIPT = re.compile(rb"<(script|style)[^>]*>.*?</\1>", re.IGNORECASE | re.DOTALL)


async def first_chunk(chunks: AsyncIterator[bytes]) -> bytes:
    """The body's start, read up to its first byte that is not whitespace: some gateways
    (OpenRouter) send blank lines to keep a connection alive before a JSON body, and only
    that first byte tells JSON, HTML and SSE apart when the content type does not. A start
    that may still become an SSE field (`dat`) is read on to its colon."""
    parts: list[bytes] = []
    while True:
        chunk = await anext(chunks, None)
        if chunk is None:
            return b"".join(parts)
        parts.append(chunk)
        if chunk.strip():
            head = b"".join(parts).lstrip().removeprefix(b"\xef\xbb\xbf")
            if any(len(head) < len(name) and name.startswith(head) for name in _SSE_NAMES):
                continue  # `dat`: maybe an SSE field, told only by its colon
            return b"".join(parts)


def looks_like_sse(first: bytes) -> bool:
    """SSE sent as `application/json` or `text/plain` (some proxies and self-hosted
    servers label streams wrongly): the first non-blank line is an SSE field."""
    return _SSE_FIELD.match(first.lstrip()) is not None


async def ndjson_lines(first: bytes, chunks: AsyncIterator[bytes] | None = None) -> AsyncIterator[bytes]:
    """A stream of JSON objects, one per line (`application/x-ndjson`, or proxies that
    strip the SSE framing), as SSE `data:` events, as each line arrives (`first` alone:
    a body already read whole)."""
    pending = first
    while True:
        *lines, pending = pending.split(b"\n")
        framed = b"".join(b"data: " + line.strip() + b"\n\n" for line in lines if line.strip())
        if framed:
            yield framed
        chunk = await anext(chunks, None) if chunks is not None else None
        if chunk is None:
            break
        pending += chunk
    if pending.strip():
        yield b"data: " + pending.strip() + b"\n\n"


def is_ndjson(raw: bytes) -> bool:
    """Several JSON objects, one per line, where one JSON body was expected."""
    lines = [line for line in raw.strip().split(b"\n") if line.strip()]
    return len(lines) > 1 and all(line.lstrip()[:1] == b"{" and line.rstrip()[-1:] == b"}" for line in lines)


async def drain(chunks: AsyncIterator[bytes]) -> None:
    """Read to the end of the body (normally at once) so the connection goes back to the
    pool; a server that keeps the stream open after [DONE] just loses the connection."""
    try:
        async with asyncio.timeout(DRAIN_SECONDS):
            async for _ in chunks:
                pass
    except (TimeoutError, httpx.HTTPError, APIError):  # APIError: a bound of bounded_body fired
        pass


def excerpt(raw: bytes, limit: int = 200) -> str:
    text = " ".join(raw.decode("utf-8", "replace").split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def html_summary(raw: bytes) -> str:
    """An HTML error page (a proxy's 502) in a few words: its title, a heading, or the
    start of its text; never the whole page."""
    for pattern in (_TITLE, _H1):
        match = pattern.search(raw)
        if match:
            words = " ".join(html.unescape(_TAG.sub(" ", match.group(1).decode("utf-8", "replace"))).split())
            if words:
                return words[:200]
    text = _TAG.sub(" ", _SCRIPT.sub(b" ", raw).decode("utf-8", "replace"))
    return excerpt(html.unescape(text).encode(), 150) or "an HTML page"
