"""Hostile servers against the real client over loopback TCP: every reply is bounded in
memory (`Limits`) and in time (`Deadlines`), and each failure says which bound fired.

Each attack runs under a guard of a few seconds: a client that does not bound it fails
the test by hitting the guard instead of hanging the suite. Limits and deadlines are set
small, so the attacks stay cheap (the full-size gzip bomb is `benchmarks/api_bounds.py`).
"""

from __future__ import annotations

import asyncio
import json
import tracemalloc
import zlib
from typing import Any

import pytest

from chatterm.api import ChatClient, ChatRequest, RetryPolicy
from chatterm.api.bounded_body import KeepAlive
from chatterm.api.errors import APIError, DeadlineError, ResponseTooLargeError
from chatterm.api.limits import MB, Deadlines, Limits
from chatterm.api.types import TextDelta
from tests.api.conftest import RawServer, Reply, chunk, sse

GUARD = 10.0
"""Seconds: an attack still running after this was not bounded."""

FAST = RetryPolicy(max_retries=2, base_delay=0.001, max_delay=0.002)


def request(**kw: Any) -> ChatRequest:
    return ChatRequest("gpt-4o", [{"role": "user", "content": "hi"}], **kw)


async def attack(client: ChatClient, req: ChatRequest | None = None) -> tuple[str, APIError | None]:
    """The text shown to the user, and the error the reply ended with (None: it completed)."""
    shown: list[str] = []
    async with asyncio.timeout(GUARD):
        try:
            async for event in client.stream(req or request()):
                if isinstance(event, TextDelta):
                    shown.append(event.text)
        except APIError as error:
            return "".join(shown), error
    return "".join(shown), None


def gzip_of_zeros(size: int) -> bytes:
    """`size` zero bytes gzipped without ever holding them inflated (a gzip bomb)."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    block = bytes(MB)
    return b"".join([*(packer.compress(block) for _ in range(size // MB)), packer.flush()])


def gzipped(ctype: str, body: bytes, status: int = 200, reason: str = "OK") -> Reply:
    headers = {"content-type": ctype, "content-encoding": "gzip"}
    return Reply([body], status=status, reason=reason, headers=headers, chunked=False)


# --- time ----------------------------------------------------------------------------------


async def test_a_server_that_accepts_and_never_answers_fails_at_the_first_byte_deadline_once() -> None:
    accepted: list[bytes] = []
    release = asyncio.Event()

    async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        accepted.append(await reader.readuntil(b"\r\n\r\n"))
        await release.wait()
        writer.close()

    server = await asyncio.start_server(silent, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        async with ChatClient(f"http://127.0.0.1:{port}/v1", "k", retry=FAST, read_timeout=0.3) as client:
            shown, error = await attack(client)
    finally:
        release.set()
        server.close()
        await server.wait_closed()
    assert isinstance(error, DeadlineError) and error.deadline == "first_byte"
    assert str(error) == "Error: the server accepted the request but sent nothing for 0.3 s (timeouts.first_byte)"
    assert len(accepted) == 1  # the server took the request: it is not sent again
    assert shown == ""


async def test_keep_alive_comments_do_not_hold_the_idle_deadline_open(raw_server: RawServer) -> None:
    """One comment every 50 ms, forever, after a first token: the idle deadline still fires."""
    raw_server.script(Reply([sse(chunk("Hello"), done=False)], trickle=b": keep-alive\n\n", every=0.05))
    async with ChatClient(raw_server.base_url, "k", retry=FAST, read_timeout=0.3) as client:
        shown, error = await attack(client)
    assert isinstance(error, DeadlineError) and error.deadline == "idle"
    assert str(error) == "Error: the server sent only keep-alives, no reply data, for 0.3 s (timeouts.idle)"
    assert shown == "Hello" and error.partial_content == "Hello"
    assert len(raw_server.requests) == 1


async def test_a_stream_that_never_ends_stops_at_the_total_deadline(raw_server: RawServer) -> None:
    raw_server.script(Reply([sse(chunk("a"), done=False)], trickle=sse(chunk("x"), done=False), every=0.02))
    async with ChatClient(raw_server.base_url, "k", retry=FAST, deadlines=Deadlines(total=0.5)) as client:
        shown, error = await attack(client)
    assert isinstance(error, DeadlineError) and error.deadline == "total"
    assert str(error) == "Error: no complete reply within 0.5 s (timeouts.total, retries included)"
    assert shown.startswith("ax") and error.partial_content == shown


async def test_the_total_deadline_counts_retries_and_their_waits(raw_server: RawServer) -> None:
    busy = Reply([b'{"error": {"message": "overloaded"}}'], status=503, reason="Busy", chunked=False)
    raw_server.script(*[busy] * 8)
    # Waits of 1 s under a 2 s total: a wait that would end past the total is not begun, so
    # the last 503 is the error (a loaded machine has a second to spare for each request).
    slow_retries = RetryPolicy(max_retries=7, base_delay=1.0, max_delay=1.0, jitter=0.0)
    async with ChatClient(raw_server.base_url, "k", retry=slow_retries, deadlines=Deadlines(total=2.0)) as client:
        _, error = await attack(client)
    assert error is not None and error.status == 503 and "overloaded" in str(error)
    assert len(raw_server.requests) <= 3  # not the 8 the retry policy alone would allow


def test_keep_alive_is_told_from_data_however_the_reads_split() -> None:
    keepalive = KeepAlive()
    assert [keepalive.carries_data(p) for p in (b": keep", b"-alive\n", b"\n", b":", b" x\n\n")] == [False] * 5
    assert keepalive.carries_data(b"\r\ndata: {}\n\n")
    half = KeepAlive()
    assert half.carries_data(b"data: {")  # a data line cut anywhere is still data
    assert half.carries_data(b": not a comment, the same data line}\n\n")


# --- memory --------------------------------------------------------------------------------


async def peak_while(coro: Any) -> tuple[Any, int]:
    """What `coro` returns and the most Python memory it held at once (bytes)."""
    tracemalloc.start()
    try:
        result = await coro
        return result, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


async def test_a_gzip_bomb_stream_stops_at_the_event_cap_with_memory_bounded(raw_server: RawServer) -> None:
    raw_server.script(gzipped("text/event-stream", gzip_of_zeros(32 * MB)))
    async with ChatClient(raw_server.base_url, "k", retry=FAST, limits=Limits(sse_event=MB)) as client:
        (_, error), peak = await peak_while(attack(client))
    assert isinstance(error, ResponseTooLargeError) and error.limit == "sse_event"
    assert (
        str(error)
        == "Error: the server sent 1 MB without completing a stream event (limits.sse_event); stopped reading"
    )
    assert peak < 6 * MB  # the 1 MB cap, a piece past it, and the parser: never the 32 MB
    assert len(raw_server.requests) == 1


async def test_a_gzip_bomb_json_reply_stops_at_the_body_cap(raw_server: RawServer) -> None:
    raw_server.script(gzipped("application/json", gzip_of_zeros(32 * MB)))
    async with ChatClient(raw_server.base_url, "k", retry=FAST, limits=Limits(json_body=MB)) as client:
        (_, error), peak = await peak_while(attack(client, request(stream=False)))
    assert isinstance(error, ResponseTooLargeError) and error.limit == "json_body"
    assert str(error) == "Error: the reply is larger than 1 MB (limits.json_body); stopped reading"
    assert peak < 6 * MB


async def test_a_gzip_bomb_error_body_is_read_only_to_its_cap(raw_server: RawServer) -> None:
    raw_server.script(gzipped("text/plain", gzip_of_zeros(32 * MB), status=500, reason="Oops"))
    async with ChatClient(raw_server.base_url, "k", max_retries=0, limits=Limits(error_body=64 * 1024)) as client:
        (_, error), peak = await peak_while(attack(client))
    assert error is not None and error.status == 500
    assert peak < 2 * MB


async def test_an_error_body_is_not_waited_for_past_its_cap(raw_server: RawServer) -> None:
    """A 500 whose body goes on and never ends: its first megabyte makes the error."""
    body = b'{"error": {"message": "boom"}}' + b" " * (2 * MB)
    raw_server.script(
        Reply([body], status=500, reason="Oops", headers={"content-type": "application/json"}, end="hang")
    )
    async with ChatClient(raw_server.base_url, "k", max_retries=0) as client:
        _, error = await attack(client)
    assert error is not None and str(error) == "API request failed: 500 boom"


async def test_an_oversize_stream_event_fails_keeping_the_text_before_it(raw_server: RawServer) -> None:
    raw_server.script(Reply([sse(chunk("before "), done=False), sse(chunk("x" * (2 * MB)))]))
    async with ChatClient(raw_server.base_url, "k", retry=FAST, limits=Limits(sse_event=MB)) as client:
        shown, error = await attack(client)
    assert isinstance(error, ResponseTooLargeError) and error.limit == "sse_event"
    assert shown == "before " and error.partial_content == "before "
    assert len(raw_server.requests) == 1


async def test_an_image_sized_event_under_the_cap_arrives_whole(raw_server: RawServer) -> None:
    image = "A" * (3 * MB)  # one base64 image in one event
    raw_server.script(Reply([sse(chunk(image), chunk(finish="stop"))]))
    async with ChatClient(raw_server.base_url, "k", retry=FAST, limits=Limits(sse_event=4 * MB)) as client:
        shown, error = await attack(client)
    assert error is None and shown == image


async def test_a_reply_past_the_text_cap_fails_keeping_what_was_shown(raw_server: RawServer) -> None:
    raw_server.script(Reply([sse(*[chunk("0123456789") for _ in range(50)], done=False)], end="hang"))
    async with ChatClient(raw_server.base_url, "k", retry=FAST, limits=Limits(reply_text=100)) as client:
        shown, error = await attack(client)
    assert isinstance(error, ResponseTooLargeError) and error.limit == "reply_text"
    assert str(error) == "Error: the reply's text passed 100 characters (limits.reply_text); stopped reading"
    assert len(shown) > 100 and error.partial_content == shown


async def test_an_oversize_json_reply_fails_and_is_not_retried(raw_server: RawServer) -> None:
    body = json.dumps({"choices": [{"message": {"role": "assistant", "content": "y" * (2 * MB)}}]}).encode()
    raw_server.script(Reply([body], headers={"content-type": "application/json"}, chunked=False))
    async with ChatClient(raw_server.base_url, "k", retry=FAST, limits=Limits(json_body=MB)) as client:
        _, error = await attack(client, request(stream=False))
    assert isinstance(error, ResponseTooLargeError) and error.limit == "json_body"
    assert len(raw_server.requests) == 1


async def test_an_oversize_model_list_fails_naming_the_cap(raw_server: RawServer) -> None:
    body = json.dumps({"data": [{"id": f"model-{i:07d}"} for i in range(100_000)]}).encode()
    raw_server.script(Reply([body], headers={"content-type": "application/json"}, chunked=False))
    async with ChatClient(raw_server.base_url, "k", max_retries=0, limits=Limits(json_body=MB)) as client:
        with pytest.raises(ResponseTooLargeError) as info:
            async with asyncio.timeout(GUARD):
                await client.list_models()
    assert info.value.limit == "json_body"


@pytest.mark.parametrize("encoding, wbits", [("gzip", 31), ("deflate", 15), ("deflate", -15)])
async def test_a_compressed_stream_is_read_whole(raw_server: RawServer, encoding: str, wbits: int) -> None:
    """The client inflates by itself now: gzip, zlib-wrapped deflate and raw deflate (which
    servers also send as "deflate") all read as the plain stream would."""
    packer = zlib.compressobj(6, zlib.DEFLATED, wbits)
    body = packer.compress(sse(chunk("Hello"), chunk(" there"), chunk(finish="stop"))) + packer.flush()
    headers = {"content-type": "text/event-stream", "content-encoding": encoding}
    raw_server.script(Reply([body[:7], body[7:]], headers=headers))
    async with ChatClient(raw_server.base_url, "k", retry=FAST) as client:
        shown, error = await attack(client)
    assert error is None and shown == "Hello there"
    assert raw_server.requests[0].headers["accept-encoding"] == "gzip, deflate"


async def test_corrupt_gzip_is_an_error_that_says_so(raw_server: RawServer) -> None:
    headers = {"content-type": "text/event-stream", "content-encoding": "gzip"}
    raw_server.script(Reply([b"\x1f\x8b\x08\x00this is not deflate data at all"], headers=headers))
    async with ChatClient(raw_server.base_url, "k", retry=FAST) as client:
        shown, error = await attack(client)
    assert error is not None and str(error) == "API request failed: the reply's gzip data is corrupt"
    assert shown == ""
