"""HTTP failures, the gateway's error table verbatim, retries and their waits.

The scripted loopback server answers with exact statuses, headers and bodies; the client's
`sleep` is replaced by a recorder so the waits it chose are checked without waiting.
"""

from __future__ import annotations

import asyncio
import contextlib
import email.utils
import json
import socket
import sys
import time
import traceback
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from chatterm.api import ChatClient, ChatRequest, RetryPolicy
from chatterm.api.errors import (
    APIConnectionError,
    APIError,
    AuthenticationError,
    NotFoundError,
    RateLimitError,
)
from chatterm.api.limits import Deadlines
from chatterm.api.retry import is_retryable, parse_retry_after
from chatterm.api.types import Finished, Notice

from .conftest import RawServer, Reply, chunk, sse

OK_STREAM = sse(chunk("fine"), chunk(finish="stop"))
KEY = "sk-live-0123456789abcdef"


def request(prompt: str = "hi", **kw: Any) -> ChatRequest:
    return ChatRequest(kw.pop("model", "gpt-4o"), [{"role": "user", "content": prompt}], **kw)


def json_error(
    status: int,
    reason: str,
    message: str,
    *,
    type: str = "invalid_request_error",
    code: str | None = None,
    headers: dict[str, str] | None = None,
) -> Reply:
    body = {"error": {"message": message, "type": type, "param": None, "code": code}}
    return Reply(
        [json.dumps(body).encode()],
        status=status,
        reason=reason,
        headers={"content-type": "application/json", **(headers or {})},
        chunked=False,
    )


def raw_reply(status: int, reason: str, body: bytes, ctype: str) -> Reply:
    return Reply([body], status=status, reason=reason, headers={"content-type": ctype}, chunked=False)


class Client:
    """A ChatClient whose waits are recorded instead of slept."""

    def __init__(self, base_url: str, **kw: Any) -> None:
        self.waits: list[float] = []
        self.client = ChatClient(base_url, kw.pop("key", KEY), **kw)

        async def record(seconds: float) -> None:
            self.waits.append(seconds)

        self.client.sleep = record

    async def run(self, req: ChatRequest | None = None) -> list[Any]:
        return [event async for event in self.client.stream(req or request())]

    async def fail(self, req: ChatRequest | None = None) -> APIError:
        with pytest.raises(APIError) as info:
            await self.run(req)
        return info.value


@pytest.fixture
async def make(raw_server: RawServer) -> Any:
    made: list[Client] = []

    def factory(**kw: Any) -> Client:
        client = Client(raw_server.base_url, **kw)
        made.append(client)
        return client

    yield factory
    for client in made:
        await client.client.aclose()


# --- the table, verbatim ----------------------------------------------------------------


@pytest.mark.parametrize("status", [401, 403])
async def test_auth_failures(raw_server: RawServer, make: Any, status: int) -> None:
    raw_server.script(
        json_error(status, "Unauthorized", "Incorrect API key provided: sk-live-***cdef.", code="invalid_api_key")
    )
    error = await make().fail()
    assert type(error) is AuthenticationError
    assert str(error) == "Error: Invalid or unauthorized API key"
    assert error.provider_message == "Incorrect API key provided: sk-live-***cdef."
    assert error.status == status
    assert len(raw_server.requests) == 1  # not retried


async def test_not_found_names_the_model(raw_server: RawServer, make: Any) -> None:
    raw_server.script(json_error(404, "Not Found", "The model `gpt-9` does not exist", code="model_not_found"))
    error = await make().fail(request(model="gpt-9"))
    assert type(error) is NotFoundError
    assert str(error) == "Error: Model gpt-9 does not exist or is not supported"
    assert error.provider_message == "The model `gpt-9` does not exist"


@pytest.mark.parametrize(
    ("reply", "message"),
    [
        (
            json_error(400, "Bad Request", "temperature must be at most 2"),
            "API request failed: 400 temperature must be at most 2",
        ),
        (json_error(410, "Gone", "This endpoint is gone"), "API request failed: 410 This endpoint is gone"),
        (
            raw_reply(
                400,
                "Bad Request",
                b'[{"error": {"code": 400, "message": "Invalid JSON payload", "status": "INVALID_ARGUMENT"}}]',
                "application/json",
            ),
            "API request failed: 400 Invalid JSON payload",
        ),
        (
            raw_reply(400, "Bad Request", b'"model is required"', "application/json"),
            "API request failed: 400 model is required",
        ),
        (
            raw_reply(400, "Bad Request", b"plain words from a proxy", "text/plain"),
            "API request failed: 400 plain words from a proxy",
        ),
        (raw_reply(400, "Bad Request", b"", "application/json"), "API request failed: 400 Bad Request"),
        (
            raw_reply(
                422,
                "Unprocessable Entity",
                b'{"detail": [{"loc": ["body", "messages"], "msg": "field required"}]}',
                "application/json",
            ),
            "API request failed: 422 field required",
        ),
    ],
)
async def test_other_client_errors(raw_server: RawServer, make: Any, reply: Reply, message: str) -> None:
    raw_server.script(reply)
    error = await make().fail()
    assert type(error) is APIError
    assert str(error) == message
    assert len(raw_server.requests) == 1


async def test_html_error_page_is_cut_to_its_title(raw_server: RawServer, make: Any) -> None:
    page = b"<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body><center><h1>502 Bad Gateway</h1></center><hr>nginx</body></html>"
    raw_server.script(*[raw_reply(502, "Bad Gateway", page, "text/html")] * 3)
    error = await make(retry=RetryPolicy(max_retries=2, base_delay=0.001)).fail()
    assert str(error) == "API request failed: 502 Bad Gateway"
    assert error.status == 502
    assert len(raw_server.requests) == 3


async def test_html_page_without_title_gives_a_short_excerpt(raw_server: RawServer, make: Any) -> None:
    page = (
        b"<html><body><p>Service temporarily unavailable, try later.</p>" + b"<p>filler</p>" * 2000 + b"</body></html>"
    )
    raw_server.script(raw_reply(500, "Internal Server Error", page, "text/html"))
    error = await make(max_retries=0).fail()
    assert str(error).startswith("API request failed: 500 Service temporarily unavailable, try later. filler")
    assert len(str(error)) < 200


@pytest.mark.parametrize(
    ("status", "reason"), [(500, "Internal Server Error"), (503, "Service Unavailable"), (529, "Overloaded")]
)
async def test_server_errors_are_retried_twice_by_default_then_fail(
    raw_server: RawServer, make: Any, status: int, reason: str
) -> None:
    raw_server.script(
        *[json_error(status, reason, "The server had an error while processing your request.", type="server_error")] * 3
    )
    client = make()
    error = await client.fail()
    assert str(error) == f"API request failed: {status} The server had an error while processing your request."
    assert len(raw_server.requests) == 3
    assert len(client.waits) == 2
    assert 0.375 <= client.waits[0] <= 0.5  # 0.5 s minus up to 25 % jitter
    assert 0.75 <= client.waits[1] <= 1.0


@pytest.mark.parametrize(
    ("status", "reason"), [(408, "Request Timeout"), (409, "Conflict"), (500, "Internal Server Error")]
)
async def test_retryable_failure_then_success(raw_server: RawServer, make: Any, status: int, reason: str) -> None:
    raw_server.script(json_error(status, reason, "try again"), OK_STREAM)
    events = await make().run()
    assert isinstance(events[-1], Finished) and events[-1].completion.content == "fine"
    assert len(raw_server.requests) == 2


async def test_max_retries_configurable_and_zero_disables(raw_server: RawServer, make: Any) -> None:
    raw_server.script(*[json_error(500, "Internal Server Error", "boom", type="server_error")] * 5)
    client = make(max_retries=0)
    await client.fail()
    assert len(raw_server.requests) == 1
    assert client.waits == []
    client = make(max_retries=3)
    await client.fail()
    assert len(raw_server.requests) == 1 + 4


# --- 429 and waits --------------------------------------------------------------------------


async def test_rate_limit_honours_retry_after_ms_and_says_when(raw_server: RawServer, make: Any) -> None:
    limited = json_error(
        429,
        "Too Many Requests",
        "Rate limit reached for requests.",
        type="requests",
        code="rate_limit_exceeded",
        headers={"Retry-After": "2", "retry-after-ms": "1500"},
    )
    raw_server.script(limited, limited, limited)
    client = make()
    error = await client.fail()
    assert type(error) is RateLimitError
    assert str(error) == "API request failed: 429 Rate limit reached for requests. (retry after 1.5 s)"
    assert error.retry_after == 1.5
    assert client.waits == [1.5, 1.5]


async def test_retry_after_in_seconds_then_success(raw_server: RawServer, make: Any) -> None:
    raw_server.script(json_error(429, "Too Many Requests", "slow down", headers={"Retry-After": "3"}), OK_STREAM)
    client = make()
    events = await client.run()
    assert events[-1].completion.content == "fine"
    assert client.waits == [3.0]


async def test_retry_after_as_http_date(raw_server: RawServer, make: Any) -> None:
    when = email.utils.formatdate(time.time() + 30, usegmt=True)
    raw_server.script(json_error(429, "Too Many Requests", "slow down", headers={"Retry-After": when}), OK_STREAM)
    client = make()
    await client.run()
    assert len(client.waits) == 1 and 27 <= client.waits[0] <= 30


async def test_retry_after_longer_than_a_minute_fails_at_once_with_the_wait(raw_server: RawServer, make: Any) -> None:
    raw_server.script(
        json_error(
            429,
            "Too Many Requests",
            "Rate limit reached for requests. Try again in 120s.",
            code="rate_limit_exceeded",
            headers={"Retry-After": "120"},
        )
    )
    client = make()
    error = await client.fail()
    assert str(error) == "API request failed: 429 Rate limit reached for requests. Try again in 120s."
    assert client.waits == []
    assert len(raw_server.requests) == 1


async def test_503_with_a_long_retry_after_fails_at_once_too(raw_server: RawServer, make: Any) -> None:
    raw_server.script(
        json_error(503, "Service Unavailable", "maintenance", type="server_error", headers={"Retry-After": "600"})
    )
    client = make()
    error = await client.fail()
    assert str(error) == "API request failed: 503 maintenance (retry after 10 min)"
    assert len(raw_server.requests) == 1


async def test_quota_exhausted_is_not_retried(raw_server: RawServer, make: Any) -> None:
    raw_server.script(
        json_error(
            429,
            "Too Many Requests",
            "You exceeded your current quota, please check your plan and billing details.",
            type="insufficient_quota",
            code="insufficient_quota",
        )
    )
    client = make()
    error = await client.fail()
    assert type(error) is RateLimitError
    assert str(error) == (
        "API request failed: 429 You exceeded your current quota, please check your plan and billing details. "
        "(quota exhausted: check the plan and billing; retrying will not help)"
    )
    assert len(raw_server.requests) == 1
    assert client.waits == []


def test_parse_retry_after() -> None:
    assert parse_retry_after({"retry-after-ms": "250"}) == 0.25
    assert parse_retry_after({"retry-after": "7"}) == 7.0
    assert parse_retry_after({"retry-after": "Wed, 21 Oct 2015 07:28:00 GMT"}, now=1445412470.0) == 10.0
    assert parse_retry_after({"retry-after": "soon"}) is None
    assert parse_retry_after({"retry-after": "-3"}) is None
    assert parse_retry_after({}) is None


def test_retryable_classes() -> None:
    assert is_retryable(APIConnectionError("x"))
    assert is_retryable(APIError("x", status=502))
    assert is_retryable(RateLimitError("x", status=429))
    assert not is_retryable(RateLimitError("x", status=429, code="insufficient_quota"))
    assert not is_retryable(APIError("x", status=400))
    assert not is_retryable(AuthenticationError("x", status=401))
    assert not is_retryable(APIError("x"))


def test_backoff_doubles_and_is_capped() -> None:
    policy = RetryPolicy(jitter=0.0)
    assert [policy.backoff(n) for n in range(6)] == [0.5, 1.0, 2.0, 4.0, 8.0, 8.0]
    jittered = RetryPolicy()
    assert all(0.375 <= jittered.backoff(0) <= 0.5 for _ in range(50))


# --- connection failures ----------------------------------------------------------------------


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_nothing_listening_is_a_connection_error_after_retries() -> None:
    client = Client(f"http://127.0.0.1:{closed_port()}/v1", retry=RetryPolicy(max_retries=2, base_delay=0.001))
    async with client.client:
        with pytest.raises(APIConnectionError) as info:
            await client.run()
    assert str(info.value) == "Error: Cannot connect to API server"
    assert info.value.provider_message
    assert len(client.waits) == 2
    assert info.value.partial_content == ""


def test_deadlines_default_and_the_older_timeout_arguments_set_them() -> None:
    default = ChatClient("http://127.0.0.1:1/v1", KEY)
    assert default.deadlines == Deadlines(connect=10.0, first_byte=60.0, idle=300.0, total=1800.0)
    assert default.timeout.connect == 10.0
    tuned = ChatClient("http://127.0.0.1:1/v1", KEY, connect_timeout=2.5, read_timeout=30)
    assert tuned.deadlines == Deadlines(connect=2.5, first_byte=30, idle=30, total=1800.0)


def full_backlog() -> tuple[socket.socket, list[socket.socket]]:
    """A listening socket whose accept queue is full, so the kernel drops further SYNs and
    a connect() hangs until its timeout. (A bound socket that never listens answers with a
    reset at once: that is connection refused, not a timeout.)"""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(0)
    port = listener.getsockname()[1]
    fillers = []
    for _ in range(4):
        filler = socket.socket()
        filler.setblocking(False)
        with contextlib.suppress(BlockingIOError):
            filler.connect(("127.0.0.1", port))
        fillers.append(filler)
    probe = socket.socket()
    probe.settimeout(0.2)
    try:
        probe.connect(("127.0.0.1", port))
    except TimeoutError:
        return listener, fillers
    except OSError:
        pass
    finally:
        probe.close()
    listener.close()
    for filler in fillers:
        filler.close()
    pytest.skip(f"this kernel ({sys.platform}) does not drop SYNs on a full accept queue")


async def test_connect_timeout_is_a_connection_error_naming_the_wait() -> None:
    listener, fillers = full_backlog()
    try:
        port = listener.getsockname()[1]
        client = Client(
            f"http://127.0.0.1:{port}/v1", connect_timeout=0.2, retry=RetryPolicy(max_retries=1, base_delay=0.001)
        )
        async with client.client:
            with pytest.raises(APIConnectionError) as info:
                await client.run()
    finally:
        listener.close()
        for filler in fillers:
            filler.close()
    assert str(info.value) == "Error: Cannot connect to API server"
    assert info.value.provider_message == "no connection within 0.2 s"
    assert len(client.waits) == 1  # a connect failure is retried


async def test_server_that_accepts_but_never_answers_hits_the_first_byte_deadline_once() -> None:
    accepted: list[bytes] = []
    release = asyncio.Event()

    async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        accepted.append(await reader.readuntil(b"\r\n\r\n"))  # reads the request, says nothing
        await release.wait()
        writer.close()

    server = await asyncio.start_server(silent, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        client = Client(
            f"http://127.0.0.1:{port}/v1", read_timeout=0.2, retry=RetryPolicy(max_retries=1, base_delay=0.001)
        )
        async with client.client:
            with pytest.raises(APIConnectionError) as info:
                await client.run()
    finally:
        release.set()
        server.close()
        await server.wait_closed()
    assert str(info.value) == "Error: the server accepted the request but sent nothing for 0.2 s (timeouts.first_byte)"
    assert len(accepted) == 1  # the server took it: not sent again (it may still run, and bill)
    assert info.value.partial_content == ""


async def test_list_models_errors_and_retries(raw_server: RawServer, make: Any) -> None:
    raw_server.script(
        json_error(500, "Internal Server Error", "boom", type="server_error"),
        Reply([b'{"data": [{"id": "a"}]}'], headers={"content-type": "application/json"}, chunked=False),
        json_error(401, "Unauthorized", "Incorrect API key provided."),
    )
    client = make()
    assert await client.client.list_models() == ["a"]
    with pytest.raises(AuthenticationError):
        await client.client.list_models()


# --- the key never leaks ------------------------------------------------------------------------

ECHOED = "sk-echo-Zq8vX3mT5wLr9pK2"
"""A key no message would contain by chance; every server below echoes it back."""


def event(name: str, data: dict[str, Any]) -> bytes:
    return f"event: {name}\ndata: {json.dumps(data)}\n\n".encode()


def the_chain(error: BaseException) -> Iterator[BaseException]:
    """The error and everything chained to it (cause and context, shown or suppressed)."""
    seen: set[int] = set()
    todo: list[BaseException | None] = [error]
    while todo:
        item = todo.pop()
        if item is None or id(item) in seen:
            continue
        seen.add(id(item))
        yield item
        todo += [item.__cause__, item.__context__]


ECHOES = {
    "400 JSON body": json_error(400, "Bad Request", f"Bad key format: {ECHOED}"),
    "401 JSON body": json_error(401, "Unauthorized", f"Incorrect API key provided: {ECHOED}.", code="invalid_api_key"),
    "429 JSON body": json_error(429, "Too Many Requests", f"quota for {ECHOED}", code="insufficient_quota"),
    "bare string body": raw_reply(400, "Bad Request", json.dumps(f"key {ECHOED} refused").encode(), "application/json"),
    "HTML page, status 200": raw_reply(
        200, "OK", f"<html><title>Login for {ECHOED}</title></html>".encode(), "text/html"
    ),
    "HTML page, status 502": raw_reply(
        502, "Bad Gateway", f"<html><body>upstream said {ECHOED}</body></html>".encode(), "text/html"
    ),
    "error chunk mid-stream": Reply(
        [
            sse(
                chunk("part"),
                {"error": {"message": f"key {ECHOED} revoked", "type": "invalid_request_error"}},
                done=False,
            )
        ]
    ),
    "event: error": Reply([sse(chunk("part"), done=False) + event("error", {"message": f"key {ECHOED} revoked"})]),
}


@pytest.mark.parametrize("reply", list(ECHOES.values()), ids=list(ECHOES))
async def test_a_key_echoed_by_the_server_never_reaches_an_error_or_its_chain(
    raw_server: RawServer, make: Any, reply: Reply
) -> None:
    raw_server.script(reply)
    client = make(key=ECHOED, max_retries=0)
    error = await client.fail()
    assert raw_server.requests[0].headers["authorization"] == f"Bearer {ECHOED}"  # the server did get it
    assert "***" in str(error) + (error.provider_message or "")  # ... and echoed it
    for item in the_chain(error):
        assert ECHOED not in str(item), type(item)
        assert ECHOED not in repr(item), type(item)
        assert ECHOED not in str(getattr(item, "provider_message", "")), type(item)
    assert ECHOED not in "".join(traceback.format_exception(error))
    assert ECHOED not in repr(client.client)
    assert "api_key=<set>" in repr(client.client)


RESPONSES_ECHOES = {
    "error event": event(
        "error",
        {
            "type": "error",
            "code": "invalid_api_key",
            "message": f"key {ECHOED} revoked",
            "param": None,
            "sequence_number": 1,
        },
    ),
    "response.failed": event(
        "response.failed",
        {
            "type": "response.failed",
            "sequence_number": 1,
            "response": {
                "id": "resp_1",
                "object": "response",
                "status": "failed",
                "model": "o4-mini",
                "output": [],
                "error": {"code": "server_error", "message": f"upstream rejected {ECHOED}"},
            },
        },
    ),
}


@pytest.mark.parametrize("data", list(RESPONSES_ECHOES.values()), ids=list(RESPONSES_ECHOES))
async def test_a_key_echoed_in_a_responses_stream_never_reaches_the_error(
    raw_server: RawServer, make: Any, data: bytes
) -> None:
    raw_server.script(Reply([data]))
    error = await make(key=ECHOED, max_retries=0).fail(request(model="o4-mini"))
    assert raw_server.requests[0].path == "/v1/responses"
    assert "***" in str(error) + (error.provider_message or "")
    assert all(
        ECHOED not in str(item) and ECHOED not in str(getattr(item, "provider_message", ""))
        for item in the_chain(error)
    )


async def test_a_key_echoed_in_a_malformed_chunk_is_not_quoted_in_the_notice(raw_server: RawServer, make: Any) -> None:
    raw_server.script(sse(f"not json, key={ECHOED}", chunk("fine"), chunk(finish="stop")))
    events = await make(key=ECHOED).run()
    notices = [e for e in events if isinstance(e, Notice)]
    assert [n.kind for n in notices] == ["malformed"]
    assert "key=***" in notices[0].text and ECHOED not in notices[0].text
    assert events[-1].completion.content == "fine"


async def test_a_key_echoed_to_the_model_list_never_reaches_the_error(raw_server: RawServer, make: Any) -> None:
    raw_server.script(json_error(401, "Unauthorized", f"Incorrect API key provided: {ECHOED}"))
    with pytest.raises(AuthenticationError) as info:
        await make(key=ECHOED).client.list_models()
    assert all(
        ECHOED not in str(item) and ECHOED not in str(getattr(item, "provider_message", ""))
        for item in the_chain(info.value)
    )
    assert info.value.provider_message == "Incorrect API key provided: ***"


# --- search fallback ---------------------------------------------------------------------------


async def test_search_no_longer_supported_retries_once_without_search(raw_server: RawServer, make: Any) -> None:
    raw_server.script(json_error(400, "Bad Request", "search_parameters is no longer supported"), OK_STREAM)
    client = make(max_retries=0)
    events = await client.run(request(model="grok-3", search=True))
    assert events[0] == Notice(
        "grok-3: web search is not supported here (search_parameters is no longer supported); answering without search",
        kind="search_refused",
    )
    assert events[-1].completion.content == "fine"
    first, second = (r.body for r in raw_server.requests)
    assert "search_parameters" in first
    assert "search_parameters" not in second


async def test_search_failing_with_5xx_gets_one_retry_then_goes_without_search(
    raw_server: RawServer, make: Any
) -> None:
    failing = json_error(504, "Gateway Timeout", "search service timeout", type="server_error", code="search_timeout")
    raw_server.script(failing, failing, OK_STREAM)
    client = make(retry=RetryPolicy(max_retries=2, base_delay=0.001))
    events = await client.run(request(model="grok-3", search=True))
    notices = [e for e in events if isinstance(e, Notice)]
    assert notices == [
        Notice("the server answered 504; retrying now (1 of 2)", kind="retry"),
        Notice(
            "grok-3: web search failed (API request failed: 504 search service timeout); answering without search",
            kind="search",
        ),
    ]
    bodies = [r.body for r in raw_server.requests]
    assert ["search_parameters" in b for b in bodies] == [True, True, False]
    assert events[-1].completion.content == "fine"


async def test_search_retry_that_succeeds_needs_no_fallback(raw_server: RawServer, make: Any) -> None:
    raw_server.script(json_error(504, "Gateway Timeout", "search service timeout", type="server_error"), OK_STREAM)
    client = make(retry=RetryPolicy(max_retries=2, base_delay=0.001))
    events = await client.run(request(model="grok-3", search=True))
    assert [e for e in events if isinstance(e, Notice)] == [
        Notice("the server answered 504; retrying now (1 of 2)", kind="retry")
    ]
    assert all("search_parameters" in r.body for r in raw_server.requests)


async def test_unrelated_400_with_search_on_is_not_retried(raw_server: RawServer, make: Any) -> None:
    raw_server.script(json_error(400, "Bad Request", "messages must not be empty"))
    error = await make().fail(request(model="grok-3", search=True))
    assert str(error) == "API request failed: 400 messages must not be empty"
    assert len(raw_server.requests) == 1


# --- shapes a server does not produce on purpose (httpx.MockTransport) -------------------------


async def test_read_error_mid_stream_via_mock_transport() -> None:
    class Broken(httpx.AsyncByteStream):
        async def __aiter__(self) -> Any:
            yield sse(chunk("some"), done=False)
            raise httpx.ReadError("connection reset by peer")

    def handler(req: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers={"content-type": "text/event-stream"}, stream=Broken())

    async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as http:
        client = ChatClient("http://gateway.test/v1", KEY, http=http)
        with pytest.raises(APIConnectionError) as info:
            async for _ in client.stream(request()):
                pass
    assert info.value.provider_message == "connection reset by peer"
    assert info.value.partial_content == "some"


async def test_gzip_encoded_error_body_via_mock_transport() -> None:
    import gzip

    body = gzip.compress(json.dumps({"error": {"message": "compressed complaint"}}).encode())

    def handler(req: httpx.Request) -> httpx.Response:
        return httpx.Response(
            400, headers={"content-type": "application/json", "content-encoding": "gzip"}, content=body
        )

    async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as http:
        client = ChatClient("http://gateway.test/v1", KEY, http=http)
        with pytest.raises(APIError) as info:
            await client.complete(request())
    assert str(info.value) == "API request failed: 400 compressed complaint"


async def test_model_list_missing_means_a_wrong_base_url(raw_server: RawServer, make: Any) -> None:
    raw_server.script(raw_reply(404, "Not Found", b"404 page not found", "text/plain"))
    client = make()
    with pytest.raises(NotFoundError) as info:
        await client.client.list_models()
    assert (
        str(info.value) == f"API request failed: 404 404 page not found: no model list at {raw_server.base_url}/models"
    )


async def test_each_retry_is_announced_before_the_wait(raw_server: RawServer, make: Any) -> None:
    """A reply held by a rate limit must not look like a hang: the wait is told first."""
    limited = json_error(429, "Too Many Requests", "slow down", headers={"Retry-After": "2"})
    raw_server.script(limited, OK_STREAM)
    client = make()
    events = await client.run()
    assert events[0] == Notice("rate limited (429); retrying in 2 s (1 of 2)", kind="retry")
    assert client.waits == [2.0]
    assert events[-1].completion.content == "fine"


async def test_a_server_error_with_search_on_costs_no_more_tries_than_without(raw_server: RawServer, make: Any) -> None:
    """With search on, a 5xx gets one retry with search and one without: still
    1 + max_retries requests in all, not twice as many."""
    failing = json_error(500, "Internal Server Error", "boom", type="server_error")
    raw_server.script(failing, failing, failing, failing)
    client = make(retry=RetryPolicy(max_retries=2, base_delay=0.001))
    error = await client.fail(request(model="grok-3", search=True))
    assert "500 boom" in str(error)
    assert len(raw_server.requests) == 3


async def test_a_plain_server_error_is_not_blamed_on_search(raw_server: RawServer, make: Any) -> None:
    """A 500 that does not name search is retried as it is, search and all: dropping
    search would change the answer for a failure search did not cause."""
    failing = json_error(500, "Internal Server Error", "boom", type="server_error")
    raw_server.script(failing, failing, OK_STREAM)
    client = make(retry=RetryPolicy(max_retries=2, base_delay=0.001))
    events = await client.run(request(model="grok-3", search=True))
    assert [e.kind for e in events if isinstance(e, Notice)] == ["retry", "retry"]
    assert all("search_parameters" in r.body for r in raw_server.requests)
    assert events[-1].completion.content == "fine"


async def test_a_400_naming_search_is_a_refusal(raw_server: RawServer, make: Any) -> None:
    raw_server.script(json_error(410, "Gone", "live search has been retired"), OK_STREAM)
    events = await make(max_retries=0).run(request(model="grok-3", search=True))
    assert [e.kind for e in events if isinstance(e, Notice)] == ["search_refused"]
    assert ["search_parameters" in r.body for r in raw_server.requests] == [True, False]
