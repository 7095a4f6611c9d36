"""ChatClient over real loopback TCP against a scripted server: byte-level SSE edge cases,
streams that end early, replies of the wrong kind, and what is sent.

The bytes of every case are cut into exact pieces (one HTTP chunk each), so the client's
reads split inside UTF-8 characters, between CR and LF, one byte at a time.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest

from chatterm.api import ChatClient, ChatRequest, RetryPolicy
from chatterm.api.errors import APIConnectionError, APIError, DeadlineError, RateLimitError
from chatterm.api.shaping import prepare
from chatterm.api.types import (
    Completion,
    Finished,
    Notice,
    ReasoningDelta,
    TextDelta,
    ToolCall,
    ToolCallDelta,
    Usage,
    UsageUpdate,
)

from .conftest import RawServer, Reply, chunk, pieces_of, sse

FAST = RetryPolicy(max_retries=2, base_delay=0.001, max_delay=0.002)


def request(prompt: str = "hi", **kw: Any) -> ChatRequest:
    return ChatRequest(kw.pop("model", "gpt-4o"), [{"role": "user", "content": prompt}], **kw)


async def collect(client: ChatClient, req: ChatRequest) -> list[Any]:
    return [event async for event in client.stream(req)]


def finished(events: list[Any]) -> Completion:
    assert isinstance(events[-1], Finished)
    assert sum(isinstance(e, Finished) for e in events) == 1
    return events[-1].completion


@pytest.fixture
async def client(raw_server: RawServer) -> Any:
    async with ChatClient(raw_server.base_url, "sk-test-secret", retry=FAST, read_timeout=5) as c:
        yield c


# --- byte-level SSE --------------------------------------------------------------------

# Everything awkward at once: a BOM, comments (keep-alive, OpenRouter's), blank lines before
# the first data, CRLF and lone-CR line ends, a JSON chunk split over two data lines, and
# 2-, 3- and 4-byte characters.
AWKWARD = (
    b"\xef\xbb\xbf: OPENROUTER PROCESSING\r\n\r\n\r\n"
    + b": keep-alive\n\n"
    + b"data: "
    + json.dumps(chunk("Grüße "), ensure_ascii=False).encode()
    + b"\r\n\r\n"
    + b"data: "
    + json.dumps(chunk("€ and 😀"), ensure_ascii=False).encode()
    + b"\r\r"
    + b'data: {"id": "chatcmpl-test", "choices": [{"index": 0,\n'
    + b'data: "delta": {"content": " end"}, "finish_reason": "stop"}]}\n\n'
    + b": ping 2026-11-29\n"
    + b"data: [DONE]\r\n\r\n"
)


@pytest.mark.parametrize("size", [1, 2, 3, 5, 7, 64, 100_000])
async def test_awkward_stream_read_in_pieces_of_every_size(
    raw_server: RawServer, client: ChatClient, size: int
) -> None:
    raw_server.script(pieces_of(AWKWARD, size))
    events = await collect(client, request())
    done = finished(events)
    assert done.content == "Grüße € and 😀 end"
    assert done.finish_reason == "stop"
    assert [e.text for e in events if isinstance(e, TextDelta)] == ["Grüße ", "€ and 😀", " end"]


async def test_split_inside_every_multibyte_character(raw_server: RawServer, client: ChatClient) -> None:
    text = "é€😀"
    data = sse(chunk(text), chunk(finish="stop"))
    cuts = [
        data.index("é".encode()) + 1,
        data.index("€".encode()) + 1,
        data.index("€".encode()) + 2,
        data.index("😀".encode()) + 3,
    ]
    pieces = [data[a:b] for a, b in zip([0, *cuts], [*cuts, len(data)], strict=True)]
    raw_server.script(pieces)
    assert finished(await collect(client, request())).content == text


async def test_cr_and_lf_in_different_reads(raw_server: RawServer, client: ChatClient) -> None:
    data = sse(chunk("one"), chunk(" two"), chunk(finish="stop"), newline="\r\n")
    pieces: list[bytes] = []
    rest = data
    while b"\r\n" in rest:  # cut every CRLF in half
        at = rest.index(b"\r\n") + 1
        pieces.append(rest[:at])
        rest = rest[at:]
    pieces.append(rest)
    raw_server.script(pieces)
    events = await collect(client, request())
    assert finished(events).content == "one two"
    assert [e.text for e in events if isinstance(e, TextDelta)] == ["one", " two"]


async def test_usage_on_every_chunk_byte_by_byte(raw_server: RawServer, client: ChatClient) -> None:
    def with_usage(c: dict[str, Any], n: int) -> dict[str, Any]:
        return {**c, "usage": {"prompt_tokens": 7, "completion_tokens": n, "total_tokens": 7 + n}}

    data = sse(with_usage(chunk("a"), 1), with_usage(chunk("b"), 2), with_usage(chunk(finish="stop"), 2))
    raw_server.script(pieces_of(data, 1))
    events = await collect(client, request())
    assert finished(events).usage == Usage(7, 2, 9)
    assert [e.usage.completion_tokens for e in events if isinstance(e, UsageUpdate)] == [1, 2]


async def test_tool_calls_without_index_and_with_repeated_names(raw_server: RawServer, client: ChatClient) -> None:
    def calls(*fragments: dict[str, Any]) -> dict[str, Any]:
        return chunk(tool_calls=list(fragments))

    data = sse(
        calls({"id": "call_1", "type": "function", "function": {"name": "calculator", "arguments": '{"expression"'}}),
        calls({"id": "call_1", "function": {"name": "calculator", "arguments": ': "6*7"}'}}),
        calls({"id": "call_2", "type": "function", "function": {"name": "current_time", "arguments": "{}"}}),
        chunk(finish="tool_calls"),
    )
    raw_server.script(pieces_of(data, 3))
    events = await collect(client, request())
    done = finished(events)
    assert done.tool_calls == [
        ToolCall("call_1", "calculator", '{"expression": "6*7"}'),
        ToolCall("call_2", "current_time", "{}"),
    ]
    assert done.content == ""
    assert [e.index for e in events if isinstance(e, ToolCallDelta)] == [0, 0, 1]


async def test_reasoning_then_text(raw_server: RawServer, client: ChatClient) -> None:
    data = sse(chunk(reasoning_content="Think"), chunk(reasoning_content=" hard"), chunk("Done"), chunk(finish="stop"))
    raw_server.script(pieces_of(data, 11))
    events = await collect(client, request())
    assert [type(e) for e in events[:3]] == [ReasoningDelta, ReasoningDelta, TextDelta]
    done = finished(events)
    assert (done.reasoning, done.content) == ("Think hard", "Done")


async def test_long_stream_through_the_fast_path_equals_the_text(raw_server: RawServer, client: ChatClient) -> None:
    tokens = [f" w{i}" if i % 7 else ' "quoted" \\ \n' for i in range(3000)]
    data = sse(*[chunk(t) for t in tokens], chunk(finish="stop"))
    raw_server.script(pieces_of(data, 4096))
    events = await collect(client, request())
    assert finished(events).content == "".join(tokens)
    assert [e.text for e in events if isinstance(e, TextDelta)] == tokens


# --- how a stream ends -------------------------------------------------------------------


async def test_finish_reason_without_done_is_a_complete_reply(raw_server: RawServer, client: ChatClient) -> None:
    raw_server.script(sse(chunk("all"), chunk(finish="stop"), done=False))
    assert finished(await collect(client, request())).content == "all"
    assert len(raw_server.requests) == 1


async def test_body_ending_before_finish_is_an_interrupted_reply_not_retried(
    raw_server: RawServer, client: ChatClient
) -> None:
    raw_server.script(sse(chunk("half a"), done=False), sse(chunk("other"), chunk(finish="stop")))
    seen: list[Any] = []
    with pytest.raises(APIConnectionError) as info:
        async for event in client.stream(request()):
            seen.append(event)
    assert str(info.value) == "Error: Cannot connect to API server"
    assert info.value.partial is not None and info.value.partial.content == "half a"
    assert seen == [TextDelta("half a")]
    assert len(raw_server.requests) == 1  # a token had arrived: never retried


async def test_connection_dropped_mid_body(raw_server: RawServer, client: ChatClient) -> None:
    raw_server.script(Reply([sse(chunk("so "), chunk("far"), done=False)], end="drop"))
    with pytest.raises(APIConnectionError) as info:
        await collect(client, request())
    assert str(info.value) == "Error: Cannot connect to API server"
    assert info.value.partial_content == "so far"
    assert len(raw_server.requests) == 1


async def test_stall_after_tokens_times_out_with_partial(raw_server: RawServer) -> None:
    raw_server.script(Reply([sse(chunk("waiting"), done=False)], end="hang"))
    async with ChatClient(raw_server.base_url, "k", retry=FAST, read_timeout=0.2) as client:
        with pytest.raises(APIConnectionError) as info:
            await collect(client, request())
    assert info.value.partial_content == "waiting"
    assert str(info.value) == "Error: the server sent no reply data for 0.2 s (timeouts.idle)"
    assert len(raw_server.requests) == 1


async def test_stall_after_the_headers_is_not_sent_again(raw_server: RawServer) -> None:
    """A 200 whose body never comes: the server took the request and may be running it."""
    raw_server.script(Reply([], end="hang"), sse(chunk("second try"), chunk(finish="stop")))
    async with ChatClient(raw_server.base_url, "k", retry=FAST, read_timeout=0.2) as client:
        with pytest.raises(DeadlineError) as info:
            await collect(client, request())
    assert str(info.value) == "Error: the server sent no reply data for 0.2 s (timeouts.idle)"
    assert len(raw_server.requests) == 1


async def test_malformed_chunk_is_skipped_and_told_once(raw_server: RawServer, client: ChatClient) -> None:
    raw_server.script(
        sse(chunk("a"), '{"choices": [{"delta": {"content": "oops', chunk("b"), "not json", chunk(finish="stop"))
    )
    events = await collect(client, request())
    notices = [e for e in events if isinstance(e, Notice)]
    assert notices == [
        Notice(
            'The server sent a malformed stream chunk ({"choices": [{"delta": {"content": "oops); '
            "part of the reply may be missing",
            kind="malformed",
        )
    ]
    assert finished(events).content == "ab"


async def test_error_inside_the_stream_keeps_partial_and_the_provider_message(
    raw_server: RawServer, client: ChatClient
) -> None:
    raw_server.script(
        sse(
            chunk("part"),
            {"error": {"message": "Upstream model crashed", "type": "server_error", "code": "stream_error"}},
            done=False,
        )
    )
    with pytest.raises(APIError) as info:
        await collect(client, request())
    assert type(info.value) is APIError
    assert str(info.value) == "API request failed: Upstream model crashed"
    assert info.value.provider_message == "Upstream model crashed"
    assert info.value.partial_content == "part"
    assert len(raw_server.requests) == 1


async def test_event_error_with_a_status_code(raw_server: RawServer, client: ChatClient) -> None:
    data = (
        sse(chunk("x"), done=False)
        + b'event: error\ndata: {"error": {"code": 429, "message": "Too many tokens per minute"}}\n\n'
    )
    raw_server.script(data)
    with pytest.raises(RateLimitError) as info:
        await collect(client, request())
    assert str(info.value) == "API request failed: 429 Too many tokens per minute (retry in a little while)"
    assert info.value.partial_content == "x"
    assert len(raw_server.requests) == 1  # retryable, but a token had arrived: never retried


async def test_reasoning_counts_as_a_token_no_retry_after_it(raw_server: RawServer, client: ChatClient) -> None:
    raw_server.script(
        sse(chunk(reasoning_content="Let me think"), {"error": {"code": 503, "message": "overloaded"}}, done=False)
    )
    with pytest.raises(APIError) as info:
        await collect(client, request())
    assert str(info.value) == "API request failed: 503 overloaded"
    assert info.value.partial is not None and info.value.partial.reasoning == "Let me think"
    assert len(raw_server.requests) == 1


async def test_error_chunk_before_any_token_is_retried_when_retryable(
    raw_server: RawServer, client: ChatClient
) -> None:
    raw_server.script(
        sse({"error": {"code": 503, "message": "warming up"}}, done=False),
        sse(chunk("ok"), chunk(finish="stop")),
    )
    assert finished(await collect(client, request())).content == "ok"
    assert len(raw_server.requests) == 2


async def test_anthropic_overloaded_error_event_is_a_529_and_retried_before_any_token(
    raw_server: RawServer, client: ChatClient
) -> None:
    overloaded = (
        b'event: error\ndata: {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}\n\n'
    )
    raw_server.script(overloaded, overloaded, overloaded)
    with pytest.raises(APIError) as info:
        await collect(client, request(model="claude-opus-4-6"))
    assert type(info.value) is APIError
    assert str(info.value) == "API request failed: 529 Overloaded"
    assert info.value.status == 529
    assert len(raw_server.requests) == 3  # the first try and two retries


# --- replies of another kind -----------------------------------------------------------------

WHOLE = {
    "id": "chatcmpl-test",
    "object": "chat.completion",
    "created": 1,
    "model": "gpt-4o",
    "choices": [{"index": 0, "message": {"role": "assistant", "content": "Whole reply"}, "finish_reason": "stop"}],
    "usage": {"prompt_tokens": 3, "completion_tokens": 2, "total_tokens": 5},
}


def json_reply(body: Any, status: int = 200, reason: str = "OK", **headers: str) -> Reply:
    return Reply(
        [json.dumps(body).encode()],
        status=status,
        reason=reason,
        headers={"content-type": "application/json", **headers},
        chunked=False,
    )


async def test_json_answer_to_a_stream_request(raw_server: RawServer, client: ChatClient) -> None:
    raw_server.script(json_reply(WHOLE))
    events = await collect(client, request())
    assert events[0] == TextDelta("Whole reply")
    assert finished(events) == Completion(
        "gpt-4o", "Whole reply", finish_reason="stop", usage=Usage(3, 2, 5), response_id="chatcmpl-test"
    )


async def test_json_without_content_type_is_still_read(raw_server: RawServer, client: ChatClient) -> None:
    raw_server.script(Reply([json.dumps(WHOLE).encode()], headers={}, chunked=False))
    assert finished(await collect(client, request())).content == "Whole reply"


@pytest.mark.parametrize("ctype", ["application/json", "text/plain", None])
async def test_blank_lines_before_a_json_body(raw_server: RawServer, client: ChatClient, ctype: str | None) -> None:
    # OpenRouter keeps a slow non-streamed request alive with newlines before the JSON;
    # they may come in reads of their own, and the content type may not say JSON.
    headers = {"content-type": ctype} if ctype else {}
    raw_server.script(Reply([b"\n", b"\r\n\n", b" \n" + json.dumps(WHOLE).encode()], headers=headers))
    completion = await client.complete(request(stream=False))
    assert completion == Completion(
        "gpt-4o", "Whole reply", finish_reason="stop", usage=Usage(3, 2, 5), response_id="chatcmpl-test"
    )
    assert len(raw_server.requests) == 1


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            b'[{"error": {"code": 400, "message": "Invalid JSON payload", "status": "INVALID_ARGUMENT"}}]',
            "API request failed: 400 Invalid JSON payload",
        ),
        (b'"upstream is warming up"', "API request failed: upstream is warming up"),
        (b"[]", "API request failed: unexpected reply from the server"),
    ],
)
async def test_status_200_with_a_json_array_or_a_bare_string_is_an_api_error(
    raw_server: RawServer, client: ChatClient, body: bytes, message: str
) -> None:
    raw_server.script(Reply([body], headers={"content-type": "application/json"}, chunked=False))
    with pytest.raises(APIError) as info:
        await client.complete(request(stream=False))
    assert type(info.value) is APIError
    assert str(info.value) == message


async def test_non_streamed_request(raw_server: RawServer, client: ChatClient) -> None:
    raw_server.script(json_reply(WHOLE))
    completion = await client.complete(request(stream=False))
    assert completion.content == "Whole reply"
    sent = raw_server.requests[0]
    assert sent.body["stream"] is False
    assert "stream_options" not in sent.body
    assert sent.headers["accept"] == "application/json"


async def test_streamed_and_whole_replies_give_the_same_completion(raw_server: RawServer, client: ChatClient) -> None:
    raw_server.script(
        json_reply(WHOLE),
        sse(
            chunk("Whole"),
            chunk(" reply"),
            chunk(finish="stop"),
            {"id": "chatcmpl-test", "choices": [], "usage": WHOLE["usage"]},
        ),
    )
    whole = await client.complete(request(stream=False))
    streamed = await client.complete(request())
    assert whole == streamed


async def test_html_page_with_status_200_is_an_error_with_its_title(raw_server: RawServer, client: ChatClient) -> None:
    page = b"<html><head><title>Captive portal login</title></head><body>" + b"x" * 5000 + b"</body></html>"
    raw_server.script(Reply([page], headers={"content-type": "text/html"}, chunked=False))
    with pytest.raises(APIError) as info:
        await collect(client, request())
    assert str(info.value) == "API request failed: 200 Captive portal login"


# --- what is sent ------------------------------------------------------------------------


async def test_request_headers_body_and_keep_alive(raw_server: RawServer, client: ChatClient) -> None:
    raw_server.script(sse(chunk("1"), chunk(finish="stop")), sse(chunk("2"), chunk(finish="stop")))
    req = request("hello", temperature=0.3, top_p=0.9, max_tokens=50)
    await client.complete(req)
    await client.complete(req)
    assert raw_server.connections == 1  # the second request reused the pooled connection
    sent = raw_server.requests[0]
    assert sent.method == "POST"
    assert sent.path == "/v1/chat/completions"
    assert sent.headers["authorization"] == "Bearer sk-test-secret"
    assert sent.headers["accept"] == "text/event-stream"
    assert sent.headers["user-agent"].startswith("chatterm/")
    assert sent.body == prepare(req).body
    assert sent.body["stream_options"] == {"include_usage": True}
    assert (sent.body["temperature"], sent.body["top_p"], sent.body["max_tokens"]) == (0.3, 0.9, 50)


async def test_notices_from_shaping_come_first(raw_server: RawServer, client: ChatClient) -> None:
    req = request(model="o3-mini", temperature=0.5, endpoint="chat")
    expected = prepare(req).notices
    assert expected, "shaping is expected to drop temperature for o3-mini"
    raw_server.script(sse(chunk("x"), chunk(finish="stop")))
    events = await collect(client, req)
    assert events[: len(expected)] == expected
    assert "temperature" not in raw_server.requests[0].body


async def test_a_dropped_parameter_is_told_once_per_client_not_on_every_turn(
    raw_server: RawServer, client: ChatClient
) -> None:
    req = request(model="o3-mini", temperature=0.5, top_p=0.9, endpoint="chat")
    raw_server.script(*[sse(chunk("x"), chunk(finish="stop"))] * 3)
    first = await collect(client, req)
    second = await collect(client, req)
    assert [e for e in first if isinstance(e, Notice)] == [
        Notice("o3-mini does not take temperature or top_p; dropped them", kind="dropped_param")
    ]
    assert [e for e in second if isinstance(e, Notice)] == []
    assert all("temperature" not in r.body and "top_p" not in r.body for r in raw_server.requests[:2])
    async with ChatClient(raw_server.base_url, "k") as fresh:  # a new session is told again
        assert [e for e in await collect(fresh, req) if isinstance(e, Notice)] != []


async def test_no_key_sends_no_authorization(raw_server: RawServer) -> None:
    raw_server.script(sse(chunk("x"), chunk(finish="stop")))
    async with ChatClient(raw_server.base_url, None) as client:
        await client.complete(request())
    assert "authorization" not in raw_server.requests[0].headers


async def test_stopping_early_closes_the_stream_and_the_client_stays_usable(
    raw_server: RawServer, client: ChatClient
) -> None:
    raw_server.script(Reply([sse(chunk("first"), done=False)], end="hang"), sse(chunk("next"), chunk(finish="stop")))
    async for event in client.stream(request()):
        assert event == TextDelta("first")
        break
    assert (await client.complete(request())).content == "next"


async def test_cancelling_the_consumer_task(raw_server: RawServer, client: ChatClient) -> None:
    raw_server.script(Reply([sse(chunk("first"), done=False)], end="hang"))
    got: list[Any] = []

    async def consume() -> None:
        async for event in client.stream(request()):
            got.append(event)

    task = asyncio.create_task(consume())
    while not got:
        await asyncio.sleep(0.01)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert got == [TextDelta("first")]


async def test_list_models(raw_server: RawServer, client: ChatClient) -> None:
    raw_server.script(
        json_reply(
            {"object": "list", "data": [{"id": "gpt-4o", "object": "model"}, {"id": "grok-4", "object": "model"}]}
        )
    )
    assert await client.list_models() == ["gpt-4o", "grok-4"]
    assert raw_server.requests[0].method == "GET"
    assert raw_server.requests[0].path == "/v1/models"


async def test_responses_endpoint_goes_to_the_responses_parser(raw_server: RawServer, client: ChatClient) -> None:
    def event(name: str, **data: Any) -> bytes:
        return f"event: {name}\ndata: {json.dumps({'type': name, **data})}\n\n".encode()

    response = {
        "id": "resp_1",
        "object": "response",
        "status": "completed",
        "model": "gpt-4o",
        "output": [],
        "usage": {"input_tokens": 4, "output_tokens": 2, "total_tokens": 6},
    }
    raw_server.script(
        event("response.created", response={**response, "status": "in_progress"})
        + b": keep-alive\n\n"
        + event("keepalive", sequence_number=2)
        + event("response.output_text.delta", item_id="m1", output_index=0, content_index=0, delta="Hel")
        + b"event: ping\ndata: {}\n\n"
        + event("response.output_text.delta", item_id="m1", output_index=0, content_index=0, delta="lo")
        + event("response.completed", response=response)
    )
    events = await collect(client, request(endpoint="responses"))
    assert raw_server.requests[0].path == "/v1/responses"
    assert [type(e).__name__ for e in events] == [
        "TextDelta",
        "TextDelta",
        "UsageUpdate",
        "Finished",
    ]  # keep-alives ignored
    done = finished(events)
    assert done.content == "Hello"
    assert done.usage is not None and (done.usage.prompt_tokens, done.usage.completion_tokens) == (4, 2)


def responses_delta(text: str) -> bytes:
    return f"event: response.output_text.delta\ndata: {json.dumps({'type': 'response.output_text.delta', 'delta': text})}\n\n".encode()


async def test_a_chat_style_error_object_in_a_responses_stream_raises_the_providers_error(
    raw_server: RawServer, client: ChatClient
) -> None:
    raw_server.script(
        responses_delta("par") + b'data: {"error": {"message": "upstream exploded", "type": "server_error"}}\n\n'
    )
    with pytest.raises(APIError) as info:
        await collect(client, request(model="o4-mini"))
    assert type(info.value) is APIError
    assert str(info.value) == "API request failed: upstream exploded"
    assert info.value.partial_content == "par"
    assert len(raw_server.requests) == 1


async def test_a_responses_stream_ended_by_done_is_complete_and_a_cut_one_is_not(
    raw_server: RawServer, client: ChatClient
) -> None:
    raw_server.script(responses_delta("all") + b"data: [DONE]\n\n", responses_delta("half"))
    done = finished(await collect(client, request(model="o4-mini")))
    assert (done.content, done.finish_reason) == ("all", "stop")
    with pytest.raises(APIConnectionError) as info:
        await collect(client, request(model="o4-mini"))
    assert info.value.partial_content == "half"
