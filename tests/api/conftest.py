"""Fixtures for the API layer: a raw scripted HTTP server on loopback TCP.

`raw_server` is a tiny asyncio server that answers each request with the next scripted
`Reply`: exact bytes, cut into exactly the pieces the test asks for. Each piece goes out
as its own HTTP chunk (`Transfer-Encoding: chunked`), so the client's reads split where the
test says: inside a UTF-8 character, between CR and LF, one byte at a time. The real
gateway is `chatterm.demo`; this server exists for byte-level cases no gateway produces
on purpose.

Every request body the client sends to it (or to a demo gateway) is checked against the
OpenAI request schemas (tests/spec) when the test ends: `spec_watch`, autouse.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, TypeAlias

import pytest

from tests.demo.demo_support import SpecWatch, watch_demo
from tests.spec import validator

if TYPE_CHECKING:
    from chatterm.api.client import ChatClient
    from chatterm.demo import DemoGateway


def validate_chat_request(body: dict[str, Any]) -> None:
    """Raise if `body` does not fit chat-completion-request.schema.json."""
    validator("chat-completion-request").validate(body)


@dataclass
class Reply:
    """One scripted HTTP response."""

    pieces: list[bytes] = field(default_factory=list)
    status: int = 200
    reason: str = "OK"
    headers: dict[str, str] = field(default_factory=lambda: {"content-type": "text/event-stream"})
    end: Literal["complete", "drop", "hang"] = "complete"
    """complete: terminating chunk; drop: close the socket mid-body; hang: never finish."""
    chunked: bool = True
    """False: one body with Content-Length (pieces joined)."""
    trickle: bytes = b""
    """After the pieces, sent again every `every` seconds until the client hangs up."""
    every: float = 0.05


@dataclass
class Received:
    method: str
    path: str
    headers: dict[str, str]
    body: Any


def sse(*payloads: Any, done: bool = True, newline: str = "\n") -> bytes:
    """`data: <json>` events (dicts are JSON-encoded), then `data: [DONE]` if `done`."""
    out = []
    for payload in payloads:
        text = payload if isinstance(payload, str) else json.dumps(payload, ensure_ascii=False)
        out.append(f"data: {text}{newline}{newline}")
    if done:
        out.append(f"data: [DONE]{newline}{newline}")
    return "".join(out).encode("utf-8")


def pieces_of(data: bytes, size: int) -> list[bytes]:
    return [data[i : i + size] for i in range(0, len(data), size)]


def chunk(content: str | None = None, *, finish: str | None = None, **delta: Any) -> dict[str, Any]:
    """A chat.completion.chunk with one choice."""
    body: dict[str, Any] = dict(delta)
    if content is not None:
        body["content"] = content
    return {
        "id": "chatcmpl-test",
        "object": "chat.completion.chunk",
        "created": 1,
        "model": "gpt-4o",
        "choices": [{"index": 0, "delta": body, "finish_reason": finish}],
    }


class RawServer:
    def __init__(self) -> None:
        self.expected_problems: list[str] = []
        """Spec findings a test causes on purpose (a server that refused a field)."""
        self.replies: list[Reply] = []
        self.requests: list[Received] = []
        self.connections = 0
        self._server: asyncio.Server | None = None
        self.base_url = ""
        self._hung: list[asyncio.Event] = []
        self._tasks: set[asyncio.Task[None]] = set()

    def script(self, *replies: Reply | bytes | Iterable[bytes]) -> None:
        """Queue replies: a Reply, whole SSE bytes, or a list of pieces."""
        for reply in replies:
            if isinstance(reply, Reply):
                self.replies.append(reply)
            elif isinstance(reply, bytes):
                self.replies.append(Reply([reply]))
            else:
                self.replies.append(Reply(list(reply)))

    async def start(self) -> str:
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        port = self._server.sockets[0].getsockname()[1]
        self.base_url = f"http://127.0.0.1:{port}/v1"
        return self.base_url

    async def stop(self) -> None:
        for event in self._hung:
            event.set()
        if self._server is not None:
            self._server.close()
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._server is not None:
            await self._server.wait_closed()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                lines = head.decode("latin-1").split("\r\n")
                method, target, _ = lines[0].split(" ", 2)
                headers = {}
                for line in lines[1:]:
                    if ":" in line:
                        name, value = line.split(":", 1)
                        headers[name.strip().lower()] = value.strip()
                length = int(headers.get("content-length", "0"))
                raw = await reader.readexactly(length) if length else b""
                body = json.loads(raw) if raw else None
                self.requests.append(Received(method, target, headers, body))
                reply = self.replies.pop(0) if self.replies else Reply(status=500, reason="No Script")
                keep = await self._send(writer, reply)
                if not keep:
                    break
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.CancelledError):
            pass
        finally:
            writer.close()

    async def _send(self, writer: asyncio.StreamWriter, reply: Reply) -> bool:
        head = [f"HTTP/1.1 {reply.status} {reply.reason}"]
        head += [f"{k}: {v}" for k, v in reply.headers.items()]
        if reply.chunked:
            head.append("transfer-encoding: chunked")
        else:
            body = b"".join(reply.pieces)
            head.append(f"content-length: {len(body)}")
        writer.write(("\r\n".join(head) + "\r\n\r\n").encode("latin-1"))
        if not reply.chunked:
            writer.write(b"".join(reply.pieces))
            await writer.drain()
            return True
        for piece in reply.pieces:
            if piece:
                writer.write(b"%x\r\n%s\r\n" % (len(piece), piece))
                await writer.drain()
                await asyncio.sleep(0)
        while reply.trickle:
            writer.write(b"%x\r\n%s\r\n" % (len(reply.trickle), reply.trickle))
            await writer.drain()
            await asyncio.sleep(reply.every)
        if reply.end == "drop":
            await asyncio.sleep(0.01)
            return False
        if reply.end == "hang":
            event = asyncio.Event()
            self._hung.append(event)
            await event.wait()
            return False
        writer.write(b"0\r\n\r\n")
        await writer.drain()
        return True


@pytest.fixture(autouse=True)
def spec_watch(monkeypatch: pytest.MonkeyPatch) -> Iterator[SpecWatch]:
    """In every API test: each body chatterm sends to a demo gateway fits the request spec
    (chat or Responses; streamed chat asks for usage), and each chunk, event and body the
    demo sends back fits the response spec."""
    watch = watch_demo(monkeypatch, requests=True)
    yield watch
    assert watch.problems == []


DemoPair: TypeAlias = "tuple[DemoGateway, ChatClient]"


@pytest.fixture
async def demo() -> AsyncIterator[DemoPair]:
    """A fresh demo gateway on loopback TCP and a ChatClient on it (no retries, so a
    test sees each failure as it is). Its `requests` hold only this test's traffic."""
    from chatterm.api.client import ChatClient
    from chatterm.demo import DEMO_API_KEY, DemoGateway

    gateway = DemoGateway()
    base_url = await gateway.start()
    client = ChatClient(base_url, DEMO_API_KEY, max_retries=0)
    try:
        yield gateway, client
    finally:
        await client.aclose()
        await gateway.stop()


@pytest.fixture
async def raw_server() -> AsyncIterator[RawServer]:
    server = RawServer()
    await server.start()
    yield server
    await server.stop()
    watch = SpecWatch(requests=True)
    for received in server.requests:
        if received.method == "POST":
            watch.request(received.path, received.body)
    assert [p for p in watch.problems if not any(x in p for x in server.expected_problems)] == []
