"""A small HTTP/1.1 layer on asyncio streams: just what the demo gateway needs.

    read_request(reader)        -> HttpRequest | None   (None: the client closed cleanly)
    write_response(writer, ...)  one whole response with Content-Length
    ChunkedStream(writer)        a streamed body in Transfer-Encoding: chunked, one HTTP
                                 chunk per `send()`, so each write reaches the client
                                 as soon as it is drained

Keep-alive is the default for HTTP/1.1 (and opt-in for HTTP/1.0); `Expect: 100-continue`
is answered; request bodies come with Content-Length or chunked encoding. Anything the
parser cannot read raises `HttpParseError`, which the server answers with 400 and a close.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from email.utils import formatdate

MAX_LINE = 16 * 1024
MAX_HEADERS = 128
MAX_BODY = 128 * 1024 * 1024
"""Bodies above this are refused (413): files are capped at 50 MB each by the gateway."""

REASONS = {
    100: "Continue",
    200: "OK",
    400: "Bad Request",
    401: "Unauthorized",
    404: "Not Found",
    405: "Method Not Allowed",
    413: "Payload Too Large",
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}


class HttpParseError(Exception):
    """The bytes on the socket are not a request we can read; the reply is 400/413 + close."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


@dataclass(slots=True)
class HttpRequest:
    method: str
    target: str
    version: str
    headers: dict[str, str] = field(default_factory=dict)
    """Lower-cased names; repeated headers joined with ", "."""
    body: bytes = b""

    @property
    def path(self) -> str:
        return self.target.split("?", 1)[0]

    @property
    def query(self) -> str:
        return self.target.split("?", 1)[1] if "?" in self.target else ""

    @property
    def keep_alive(self) -> bool:
        conn = self.headers.get("connection", "").lower()
        if self.version == "HTTP/1.0":
            return "keep-alive" in conn
        return "close" not in conn


async def _readline(reader: asyncio.StreamReader) -> bytes:
    try:
        line = await reader.readuntil(b"\n")
    except asyncio.LimitOverrunError as exc:
        raise HttpParseError("header line too long") from exc
    if len(line) > MAX_LINE:
        raise HttpParseError("header line too long")
    return line


async def read_request(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> HttpRequest | None:
    """Read one request; None when the client closed the connection between requests."""
    try:
        line = await _readline(reader)
        while line in (b"\r\n", b"\n"):  # tolerate stray blank lines between requests
            line = await _readline(reader)
    except asyncio.IncompleteReadError as exc:
        if not exc.partial.strip():
            return None
        raise HttpParseError("incomplete request line") from exc
    parts = line.decode("latin-1").strip().split()
    if len(parts) != 3 or not parts[2].startswith("HTTP/1."):
        raise HttpParseError("malformed request line")
    method, target, version = parts
    headers: dict[str, str] = {}
    try:
        for _ in range(MAX_HEADERS + 1):
            raw = await _readline(reader)
            if raw in (b"\r\n", b"\n"):
                break
            name, sep, value = raw.decode("latin-1").partition(":")
            if not sep or not name.strip():
                raise HttpParseError("malformed header line")
            key = name.strip().lower()
            value = value.strip()
            headers[key] = f"{headers[key]}, {value}" if key in headers else value
        else:
            raise HttpParseError("too many headers")
    except asyncio.IncompleteReadError as exc:
        raise HttpParseError("incomplete headers") from exc

    request = HttpRequest(method.upper(), target, version, headers)
    if headers.get("expect", "").lower() == "100-continue":
        writer.write(b"HTTP/1.1 100 Continue\r\n\r\n")
    try:
        if "chunked" in headers.get("transfer-encoding", "").lower():
            request.body = await _read_chunked(reader)
        elif "content-length" in headers:
            try:
                length = int(headers["content-length"])
            except ValueError as exc:
                raise HttpParseError("bad Content-Length") from exc
            if length < 0:
                raise HttpParseError("bad Content-Length")
            if length > MAX_BODY:
                raise HttpParseError("request body too large", 413)
            request.body = await reader.readexactly(length) if length else b""
    except asyncio.IncompleteReadError as exc:
        raise HttpParseError("incomplete body") from exc
    return request


async def _read_chunked(reader: asyncio.StreamReader) -> bytes:
    body = bytearray()
    while True:
        size_line = (await _readline(reader)).split(b";", 1)[0].strip()
        try:
            size = int(size_line, 16)
        except ValueError as exc:
            raise HttpParseError("bad chunk size") from exc
        if size == 0:
            while (await _readline(reader)) not in (b"\r\n", b"\n"):
                pass  # trailers are ignored
            return bytes(body)
        if len(body) + size > MAX_BODY:
            raise HttpParseError("request body too large", 413)
        body += await reader.readexactly(size)
        await reader.readexactly(2)


def _head(status: int, headers: list[tuple[str, str]]) -> bytes:
    lines = [f"HTTP/1.1 {status} {REASONS.get(status, 'Status')}"]
    lines.append(f"Date: {formatdate(usegmt=True)}")
    lines.append("Server: chatterm-demo")
    lines.extend(f"{name}: {value}" for name, value in headers)
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


async def write_response(
    writer: asyncio.StreamWriter,
    status: int,
    body: bytes,
    content_type: str,
    *,
    keep_alive: bool,
    headers: list[tuple[str, str]] | None = None,
) -> None:
    """Send one complete response with Content-Length."""
    extra = list(headers or [])
    extra += [
        ("Content-Type", content_type),
        ("Content-Length", str(len(body))),
        ("Connection", "keep-alive" if keep_alive else "close"),
    ]
    writer.write(_head(status, extra) + body)
    await writer.drain()


class ChunkedStream:
    """A streamed 200 body (`text/event-stream`), one HTTP chunk per `send()`.

    `finish()` writes the terminating zero chunk, leaving the connection reusable;
    a stream abandoned without `finish()` looks to the client like a dropped connection.
    """

    def __init__(self, writer: asyncio.StreamWriter) -> None:
        self.writer = writer
        self.finished = False

    async def start(self, headers: list[tuple[str, str]] | None = None, *, keep_alive: bool = True) -> None:
        extra = list(headers or [])
        extra += [
            ("Content-Type", "text/event-stream; charset=utf-8"),
            ("Cache-Control", "no-cache"),
            ("Transfer-Encoding", "chunked"),
            ("Connection", "keep-alive" if keep_alive else "close"),
        ]
        self.writer.write(_head(200, extra))

    def write(self, data: bytes) -> None:
        """Queue one HTTP chunk (no flush)."""
        if data:
            self.writer.write(b"%x\r\n%b\r\n" % (len(data), data))

    async def send(self, data: bytes) -> None:
        """Write one HTTP chunk and wait until the socket took it."""
        self.write(data)
        await self.writer.drain()

    async def finish(self) -> None:
        self.writer.write(b"0\r\n\r\n")
        self.finished = True
        await self.writer.drain()
