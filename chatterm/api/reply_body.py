"""Reading a reply body the client could not stream as SSE, or must finish.

    first_chunk(chunks)     the body's start up to its first non-blank byte (JSON, HTML
                            or SSE is told from that byte when the content type does not)
    read_rest(first, chunks) the whole body
    drain(chunks)           read to the end after `[DONE]`, so the connection is reused
    html_summary(raw)       an HTML error page in a few words; `excerpt(raw)` any text
"""

from __future__ import annotations

import asyncio
import html
import re
from collections.abc import AsyncIterator

import httpx

DRAIN_SECONDS = 0.25
"""After `[DONE]`, how long we wait for the body's end so the connection can be reused."""

_TITLE = re.compile(rb"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)
_H1 = re.compile(rb"<h1[^>]*>(.*?)</h1>", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"<[^>]+>")
_SCRIPT = re.compile(rb"<(script|style)[^>]*>.*?</\1>", re.IGNORECASE | re.DOTALL)


async def first_chunk(chunks: AsyncIterator[bytes]) -> bytes:
    """The body's start, read up to its first byte that is not whitespace: some gateways
    (OpenRouter) send blank lines to keep a connection alive before a JSON body, and only
    that first byte tells JSON, HTML and SSE apart when the content type does not."""
    parts: list[bytes] = []
    while True:
        chunk = await anext(chunks, None)
        if chunk is None:
            return b"".join(parts)
        parts.append(chunk)
        if chunk.strip():
            return b"".join(parts)


async def read_rest(first: bytes, chunks: AsyncIterator[bytes]) -> bytes:
    parts = [first]
    async for chunk in chunks:
        parts.append(chunk)
    return b"".join(parts)


async def drain(chunks: AsyncIterator[bytes]) -> None:
    """Read to the end of the body (normally at once) so the connection goes back to the
    pool; a server that keeps the stream open after [DONE] just loses the connection."""
    try:
        async with asyncio.timeout(DRAIN_SECONDS):
            async for _ in chunks:
                pass
    except (TimeoutError, httpx.HTTPError):
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
