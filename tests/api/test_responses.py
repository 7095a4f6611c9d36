"""Responses API replies -> the same events as chat completions.

The streamed sequences below are recorded-shape event lists (as OpenAI sends them;
the delta/done events are checked against tests/spec/responses-stream-event.schema.json,
while the embedded `response` objects are trimmed to the fields a parser reads), fed
one SSE message at a time.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from chatterm.api.errors import (
    AUTH_MESSAGE,
    CONNECT_MESSAGE,
    APIConnectionError,
    APIError,
    AuthenticationError,
    NotFoundError,
    RateLimitError,
)
from chatterm.api.responses import ResponsesStreamParser, parse_response_body
from chatterm.api.retry import is_retryable
from chatterm.api.stream import ChatStreamParser
from chatterm.api.types import (
    Citation,
    CitationsUpdate,
    Finished,
    ReasoningDelta,
    StreamEvent,
    TextDelta,
    ToolCallDelta,
    UsageUpdate,
)
from tests.spec import validator

from .conftest import DemoPair, RawServer, sse

RESPONSE = {
    "id": "resp_1",
    "object": "response",
    "created_at": 1_700_000_000,
    "model": "o4-mini",
    "status": "in_progress",
    "output": [],
}


def usage(inp: int, out: int, reasoning: int = 0, cached: int = 0) -> dict[str, Any]:
    return {
        "input_tokens": inp,
        "input_tokens_details": {"cached_tokens": cached},
        "output_tokens": out,
        "output_tokens_details": {"reasoning_tokens": reasoning},
        "total_tokens": inp + out,
    }


def text_and_reasoning_stream() -> list[dict[str, Any]]:
    message = {
        "type": "message",
        "id": "msg_1",
        "role": "assistant",
        "status": "completed",
        "content": [
            {
                "type": "output_text",
                "text": "Hello world",
                "annotations": [
                    {"type": "url_citation", "url": "https://a.test/", "title": "A", "start_index": 0, "end_index": 5}
                ],
            }
        ],
    }
    return [
        {"type": "response.created", "response": RESPONSE, "sequence_number": 0},
        {"type": "response.in_progress", "response": RESPONSE, "sequence_number": 1},
        {
            "type": "response.output_item.added",
            "output_index": 0,
            "sequence_number": 2,
            "item": {"type": "reasoning", "id": "rs_1", "summary": []},
        },
        {
            "type": "response.reasoning_summary_part.added",
            "item_id": "rs_1",
            "output_index": 0,
            "summary_index": 0,
            "part": {"type": "summary_text", "text": ""},
            "sequence_number": 3,
        },
        {
            "type": "response.reasoning_summary_text.delta",
            "item_id": "rs_1",
            "output_index": 0,
            "summary_index": 0,
            "delta": "Think",
            "sequence_number": 4,
        },
        {
            "type": "response.reasoning_summary_text.delta",
            "item_id": "rs_1",
            "output_index": 0,
            "summary_index": 0,
            "delta": "ing.",
            "sequence_number": 5,
        },
        {
            "type": "response.reasoning_summary_part.added",
            "item_id": "rs_1",
            "output_index": 0,
            "summary_index": 1,
            "part": {"type": "summary_text", "text": ""},
            "sequence_number": 6,
        },
        {
            "type": "response.reasoning_summary_text.delta",
            "item_id": "rs_1",
            "output_index": 0,
            "summary_index": 1,
            "delta": "Done.",
            "sequence_number": 7,
        },
        {"type": "keepalive", "sequence_number": 8},
        {
            "type": "response.output_item.added",
            "output_index": 1,
            "sequence_number": 9,
            "item": {"type": "message", "id": "msg_1", "role": "assistant", "status": "in_progress", "content": []},
        },
        {
            "type": "response.output_text.delta",
            "item_id": "msg_1",
            "output_index": 1,
            "content_index": 0,
            "delta": "Hello",
            "logprobs": [],
            "sequence_number": 10,
        },
        {
            "type": "response.output_text.delta",
            "item_id": "msg_1",
            "output_index": 1,
            "content_index": 0,
            "delta": " world",
            "logprobs": [],
            "sequence_number": 11,
        },
        {
            "type": "response.output_text.annotation.added",
            "item_id": "msg_1",
            "output_index": 1,
            "content_index": 0,
            "annotation_index": 0,
            "sequence_number": 12,
            "annotation": {
                "type": "url_citation",
                "url": "https://a.test/",
                "title": "A",
                "start_index": 0,
                "end_index": 5,
            },
        },
        {
            "type": "response.output_text.done",
            "item_id": "msg_1",
            "output_index": 1,
            "content_index": 0,
            "text": "Hello world",
            "logprobs": [],
            "sequence_number": 13,
        },
        {
            "type": "response.completed",
            "sequence_number": 14,
            "response": {
                **RESPONSE,
                "status": "completed",
                "output": [message],
                "usage": usage(12, 40, reasoning=30, cached=4),
            },
        },
    ]


def tool_call_stream() -> list[dict[str, Any]]:
    call = {
        "type": "function_call",
        "id": "fc_1",
        "call_id": "call_abc",
        "name": "get_weather",
        "arguments": '{"city":"Oslo"}',
        "status": "completed",
    }
    return [
        {"type": "response.created", "response": RESPONSE, "sequence_number": 0},
        {
            "type": "response.output_item.added",
            "output_index": 0,
            "sequence_number": 1,
            "item": {**call, "arguments": "", "status": "in_progress"},
        },
        {
            "type": "response.function_call_arguments.delta",
            "item_id": "fc_1",
            "output_index": 0,
            "delta": '{"city":',
            "sequence_number": 2,
        },
        {
            "type": "response.function_call_arguments.delta",
            "item_id": "fc_1",
            "output_index": 0,
            "delta": '"Oslo"}',
            "sequence_number": 3,
        },
        {
            "type": "response.function_call_arguments.done",
            "item_id": "fc_1",
            "output_index": 0,
            "name": "get_weather",
            "arguments": '{"city":"Oslo"}',
            "sequence_number": 4,
        },
        {"type": "response.output_item.done", "output_index": 0, "item": call, "sequence_number": 5},
        {
            "type": "response.completed",
            "sequence_number": 6,
            "response": {**RESPONSE, "status": "completed", "output": [call], "usage": usage(20, 9)},
        },
    ]


def run(events: list[dict[str, Any]], model: str = "o4-mini") -> tuple[list[StreamEvent], ResponsesStreamParser]:
    parser = ResponsesStreamParser(model)
    out: list[StreamEvent] = []
    for data in events:
        out.extend(parser.feed(data.get("type"), data))
    return out, parser


def test_recorded_sequences_are_valid_openai_events() -> None:
    events = validator("responses-stream-event")
    for data in text_and_reasoning_stream() + tool_call_stream():
        if data["type"] == "keepalive" or "response" in data:
            continue  # not an OpenAI event / carries a trimmed Response object
        events.validate(data)


def test_text_reasoning_citations_and_usage() -> None:
    events, parser = run(text_and_reasoning_stream())
    assert events == [
        ReasoningDelta("Think"),
        ReasoningDelta("ing."),
        ReasoningDelta("\n\n"),
        ReasoningDelta("Done."),
        TextDelta("Hello"),
        TextDelta(" world"),
        CitationsUpdate((Citation("https://a.test/", "A"),)),
        UsageUpdate(parser.partial.usage),  # type: ignore[arg-type]
    ]
    completion = parser.finish()
    assert completion.content == "Hello world"
    assert completion.reasoning == "Thinking.\n\nDone."
    assert completion.finish_reason == "stop"
    assert completion.citations == [Citation("https://a.test/", "A")]
    assert completion.response_id == "resp_1"
    assert completion.usage is not None
    assert completion.usage.to_dict() == {
        "prompt_tokens": 12,
        "completion_tokens": 40,
        "total_tokens": 52,
        "reasoning_tokens": 30,
        "cached_tokens": 4,
    }
    assert completion.usage.answer_tokens == 10


def test_function_calls_are_assembled_with_call_id_as_id() -> None:
    events, parser = run(tool_call_stream())
    assert events[:3] == [
        ToolCallDelta(0, "call_abc", "get_weather", ""),
        ToolCallDelta(0, None, None, '{"city":'),
        ToolCallDelta(0, None, None, '"Oslo"}'),
    ]
    completion = parser.finish()
    assert [(c.id, c.name, c.arguments) for c in completion.tool_calls] == [
        ("call_abc", "get_weather", '{"city":"Oslo"}')
    ]
    assert completion.finish_reason == "tool_calls"
    assert completion.tool_calls[0].parsed_arguments() == {"city": "Oslo"}


def test_two_parallel_calls_keep_their_own_arguments() -> None:
    a = {"type": "function_call", "id": "fc_a", "call_id": "call_a", "name": "f", "arguments": ""}
    b = {"type": "function_call", "id": "fc_b", "call_id": "call_b", "name": "g", "arguments": ""}
    events = [
        {"type": "response.output_item.added", "output_index": 0, "item": a},
        {"type": "response.output_item.added", "output_index": 1, "item": b},
        {"type": "response.function_call_arguments.delta", "item_id": "fc_b", "delta": '{"y":2}'},
        {"type": "response.function_call_arguments.delta", "item_id": "fc_a", "delta": '{"x":1}'},
        {"type": "response.completed", "response": {**RESPONSE, "status": "completed", "output": []}},
    ]
    _, parser = run(events)
    calls = parser.finish().tool_calls
    assert [(c.id, c.arguments) for c in calls] == [("call_a", '{"x":1}'), ("call_b", '{"y":2}')]


def test_arguments_only_in_done_events_are_still_taken() -> None:
    call = {"type": "function_call", "id": "fc_1", "call_id": "call_1", "name": "f", "arguments": ""}
    events = [
        {"type": "response.output_item.added", "output_index": 0, "item": call},
        {"type": "response.function_call_arguments.done", "item_id": "fc_1", "arguments": '{"a":1}'},
        {"type": "response.completed", "response": {**RESPONSE, "status": "completed"}},
    ]
    out, parser = run(events)
    assert ToolCallDelta(0, None, None, '{"a":1}') in out
    assert parser.finish().tool_calls[0].arguments == '{"a":1}'


def test_incomplete_for_max_tokens_finishes_with_length() -> None:
    events = [
        {"type": "response.output_text.delta", "delta": "Once upon"},
        {
            "type": "response.incomplete",
            "response": {
                **RESPONSE,
                "status": "incomplete",
                "incomplete_details": {"reason": "max_output_tokens"},
                "usage": usage(5, 16),
            },
        },
    ]
    _, parser = run(events)
    completion = parser.finish()
    assert completion.finish_reason == "length" and completion.content == "Once upon"


def test_only_a_completed_event_still_gives_text_and_calls() -> None:
    output = [
        {"type": "reasoning", "id": "rs", "summary": [{"type": "summary_text", "text": "Plan."}]},
        {
            "type": "message",
            "id": "m",
            "role": "assistant",
            "content": [{"type": "output_text", "text": "Answer.", "annotations": []}],
        },
    ]
    events, parser = run(
        [{"type": "response.completed", "response": {**RESPONSE, "status": "completed", "output": output}}]
    )
    assert events == [ReasoningDelta("Plan."), TextDelta("Answer.")]
    assert parser.finish().content == "Answer."


def test_stream_cut_before_completed_is_a_connection_error_with_partial_text() -> None:
    _, parser = run(text_and_reasoning_stream()[:12])
    with pytest.raises(APIConnectionError) as caught:
        parser.finish()
    assert str(caught.value) == CONNECT_MESSAGE
    assert caught.value.partial is not None
    assert caught.value.partial.content == "Hello world"
    assert caught.value.partial.reasoning == "Thinking.\n\nDone."


def test_error_event_raises_with_partial_kept() -> None:
    _, parser = run(text_and_reasoning_stream()[:11])
    with pytest.raises(APIError) as caught:
        parser.feed(
            "error",
            {
                "type": "error",
                "code": "server_error",
                "message": "upstream timed out",
                "param": None,
                "sequence_number": 11,
            },
        )
    error = caught.value
    assert type(error) is APIError
    assert str(error) == "API request failed: upstream timed out"
    assert error.code == "server_error"
    assert error.partial_content == "Hello"


def test_failed_response_raises_with_partial_kept() -> None:
    _, parser = run(text_and_reasoning_stream()[:12])
    failed = {
        "type": "response.failed",
        "sequence_number": 12,
        "response": {**RESPONSE, "status": "failed", "error": {"code": "server_error", "message": "The model crashed"}},
    }
    with pytest.raises(APIError, match="API request failed: The model crashed") as caught:
        parser.feed("response.failed", failed)
    assert caught.value.partial_content == "Hello world"


@pytest.mark.parametrize(
    ("code", "cls", "message"),
    [
        ("invalid_api_key", AuthenticationError, AUTH_MESSAGE),
        ("model_not_found", NotFoundError, "Error: Model o4-mini does not exist or is not supported"),
        ("rate_limit_exceeded", RateLimitError, "API request failed: 429 slow down (retry in a little while)"),
    ],
)
def test_error_codes_map_to_the_gateway_table(code: str, cls: type[APIError], message: str) -> None:
    parser = ResponsesStreamParser("o4-mini")
    with pytest.raises(cls) as caught:
        parser.feed(None, {"type": "error", "code": code, "message": "slow down"})
    assert str(caught.value) == message
    assert caught.value.provider_message == "slow down"


def test_rate_limit_error_event_says_when_to_retry_and_carries_its_status() -> None:
    parser = ResponsesStreamParser("o4-mini")
    parser.feed(None, {"type": "response.created", "response": RESPONSE})
    with pytest.raises(RateLimitError) as caught:
        parser.feed(
            "error",
            {
                "type": "error",
                "code": "rate_limit_exceeded",
                "message": "Rate limit reached for o4-mini",
                "param": None,
            },
        )
    error = caught.value
    assert str(error) == "API request failed: 429 Rate limit reached for o4-mini (retry in a little while)"
    assert error.status == 429
    assert error.provider_message == "Rate limit reached for o4-mini"
    assert error.partial_content == ""
    assert is_retryable(error)


def test_rate_limit_error_mid_reply_keeps_the_partial_text() -> None:
    _, parser = run(text_and_reasoning_stream()[:11])
    with pytest.raises(RateLimitError) as caught:
        parser.feed(
            "error",
            {
                "type": "error",
                "error": {"type": "rate_limit_error", "code": "rate_limit_exceeded", "message": "slow down"},
            },
        )
    assert caught.value.status == 429
    assert "retry in a little while" in str(caught.value)
    assert caught.value.partial_content == "Hello"


def test_out_of_quota_error_event_says_retrying_will_not_help() -> None:
    parser = ResponsesStreamParser("o4-mini")
    with pytest.raises(RateLimitError) as caught:
        parser.feed(None, {"type": "error", "code": "insufficient_quota", "message": "You exceeded your current quota"})
    assert "quota exhausted" in str(caught.value) and "retrying will not help" in str(caught.value)
    assert caught.value.status == 429
    assert not is_retryable(caught.value)


@pytest.mark.parametrize("code", ["rate_limit_exceeded", "invalid_api_key", "model_not_found", "server_error"])
def test_an_error_reads_the_same_over_responses_and_chat_completions(code: str) -> None:
    said = {"code": code, "message": "the provider's words"}
    with pytest.raises(APIError) as over_responses:
        ResponsesStreamParser("o4-mini").feed(None, {"type": "error", **said})
    with pytest.raises(APIError) as over_chat:
        ChatStreamParser("o4-mini").feed(None, {"error": said})
    assert type(over_responses.value) is type(over_chat.value)
    assert str(over_responses.value) == str(over_chat.value)
    assert over_responses.value.status == over_chat.value.status


async def test_rate_limit_error_event_before_any_token_is_retried(raw_server: RawServer) -> None:
    from chatterm.api.client import ChatClient
    from chatterm.api.request import ChatRequest

    limited = sse(
        {"type": "response.created", "response": RESPONSE},
        {"type": "error", "code": "rate_limit_exceeded", "message": "Rate limit reached"},
        done=False,
    )
    fine = sse(
        {"type": "response.created", "response": RESPONSE},
        {"type": "response.output_text.delta", "delta": "fine"},
        {"type": "response.completed", "response": {**RESPONSE, "status": "completed"}},
        done=False,
    )
    raw_server.script(limited, fine)
    waits: list[float] = []

    async def record(seconds: float) -> None:
        waits.append(seconds)

    client = ChatClient(raw_server.base_url, "sk-test-key", max_retries=2)
    client.sleep = record
    try:
        completion = await client.complete(ChatRequest("o4-mini", [{"role": "user", "content": "hi"}]))
    finally:
        await client.aclose()
    assert [r.path for r in raw_server.requests] == ["/v1/responses", "/v1/responses"]
    assert len(waits) == 1
    assert completion.content == "fine"


def test_unknown_and_keepalive_events_are_ignored() -> None:
    parser = ResponsesStreamParser("gpt-4o")
    assert parser.feed("ping", {}) == []
    assert parser.feed(None, {"type": "response.something_new", "x": 1}) == []
    assert parser.feed(None, {"type": "keepalive"}) == []


def test_sse_event_name_is_used_when_data_has_no_type() -> None:
    parser = ResponsesStreamParser("gpt-4o")
    assert parser.feed("response.output_text.delta", {"delta": "hi"}) == [TextDelta("hi")]


def test_non_streamed_body_ends_with_finished() -> None:
    body = json.loads(
        json.dumps(
            {
                **RESPONSE,
                "status": "completed",
                "output": [
                    {"type": "reasoning", "id": "rs", "summary": [{"type": "summary_text", "text": "Hmm."}]},
                    {
                        "type": "message",
                        "id": "m",
                        "role": "assistant",
                        "status": "completed",
                        "content": [
                            {
                                "type": "output_text",
                                "text": "See [1].",
                                "annotations": [
                                    {
                                        "type": "url_citation",
                                        "url": "https://b.test/",
                                        "title": "B",
                                        "start_index": 4,
                                        "end_index": 7,
                                    }
                                ],
                            }
                        ],
                    },
                    {"type": "function_call", "id": "fc", "call_id": "call_9", "name": "f", "arguments": "{}"},
                ],
                "usage": usage(3, 7, reasoning=2),
            }
        )
    )
    events = parse_response_body(body, "o4-mini")
    assert events[:3] == [
        ReasoningDelta("Hmm."),
        TextDelta("See [1]."),
        CitationsUpdate((Citation("https://b.test/", "B"),)),
    ]
    assert events[3] == ToolCallDelta(0, "call_9", "f", "{}")
    assert isinstance(events[-1], Finished)
    completion = events[-1].completion
    assert completion.content == "See [1]." and completion.reasoning == "Hmm."
    assert completion.finish_reason == "tool_calls"
    assert completion.usage is not None and completion.usage.reasoning_tokens == 2


def test_non_streamed_failed_body_raises() -> None:
    body = {**RESPONSE, "status": "failed", "error": {"code": "invalid_api_key", "message": "bad key"}}
    with pytest.raises(AuthenticationError):
        parse_response_body(body, "o4-mini")


# --- end to end over loopback TCP against the demo gateway ------------------------------


@pytest.mark.parametrize("stream", [True, False])
async def test_reasoning_model_over_responses_streamed_and_not(stream: bool, demo: DemoPair) -> None:
    from chatterm.api.request import ChatRequest

    gateway, client = demo
    req = ChatRequest("o4-mini", [{"role": "user", "content": "Plan a picnic"}], thinking=True, stream=stream)
    events = [e async for e in client.stream(req)]
    assert gateway.requests[-1].path == "/v1/responses"
    text = "".join(e.text for e in events if isinstance(e, TextDelta))
    reasoning = "".join(e.text for e in events if isinstance(e, ReasoningDelta))
    assert isinstance(events[-1], Finished)
    completion = events[-1].completion
    assert text == completion.content and "Plan a picnic" in text
    assert reasoning == completion.reasoning and reasoning
    assert completion.finish_reason == "stop"
    assert completion.usage is not None and completion.usage.prompt_tokens and completion.usage.reasoning_tokens


async def test_function_call_over_responses_and_the_follow_up(demo: DemoPair) -> None:
    from chatterm.api.request import ChatRequest

    gateway, client = demo
    tools = [
        {
            "type": "function",
            "function": {
                "name": "calculator",
                "description": "Evaluate arithmetic.",
                "parameters": {
                    "type": "object",
                    "properties": {"expression": {"type": "string"}},
                    "required": ["expression"],
                },
            },
        }
    ]
    messages: list[dict[str, Any]] = [{"role": "user", "content": "what is 6*7"}]
    first = await client.complete(ChatRequest("o4-mini", messages, tools=tools))
    assert first.finish_reason == "tool_calls"
    [call] = first.tool_calls
    assert call.name == "calculator" and call.id.startswith("call_")
    messages += [
        {"role": "assistant", "tool_calls": [call.to_wire()]},
        {"role": "tool", "tool_call_id": call.id, "content": "42"},
    ]
    second = await client.complete(ChatRequest("o4-mini", messages, tools=tools))
    sent = gateway.requests[-1].body["input"]
    assert {"type": "function_call_output", "call_id": call.id, "output": "42"} in sent
    assert "42" in second.content and second.finish_reason == "stop"


@pytest.mark.parametrize("trigger", ["!error", "!failed"])
async def test_stream_errors_from_the_gateway_keep_the_partial_text(trigger: str, demo: DemoPair) -> None:
    from chatterm.api.request import ChatRequest

    _, client = demo
    with pytest.raises(APIError) as caught:
        await client.complete(ChatRequest("o4-mini", [{"role": "user", "content": f"hello {trigger}"}]))
    assert str(caught.value).startswith("API request failed: ")
    assert caught.value.partial_content.startswith("## Echo")


async def test_a_data_chunk_that_is_not_an_object_is_an_error_as_on_chat(raw_server: RawServer) -> None:
    """`data: [1, 2]` mid-stream used to escape the client as a bare AttributeError."""
    from chatterm.api.client import ChatClient
    from chatterm.api.request import ChatRequest

    started = sse(
        {"type": "response.created", "response": RESPONSE},
        {"type": "response.output_text.delta", "delta": "Hel"},
        done=False,
    )
    raw_server.script(started + b"data: [1, 2]\n\n")
    client = ChatClient(raw_server.base_url, "sk-test-key", max_retries=0)
    try:
        with pytest.raises(APIError) as caught:
            await client.complete(ChatRequest("o4-mini", [{"role": "user", "content": "hi"}]))
    finally:
        await client.aclose()
    assert caught.value.partial is not None and caught.value.partial.content == "Hel"
    with pytest.raises(APIError) as over_chat:
        ChatStreamParser("o4-mini").feed(None, [1, 2])
    assert str(caught.value) == str(over_chat.value)


def test_a_summary_index_that_is_not_a_number_still_splits_parts() -> None:
    parser = ResponsesStreamParser("o4-mini")
    events: list[StreamEvent] = []
    for index, text in (("a", "one"), ("b", "two")):
        events += parser.feed(
            None,
            {"type": "response.reasoning_summary_text.delta", "item_id": "rs_1", "summary_index": index, "delta": text},
        )
    assert [e.text for e in events if isinstance(e, ReasoningDelta)] == ["one", "\n\n", "two"]


async def test_an_event_in_the_wrong_shape_is_skipped(raw_server: RawServer) -> None:
    """`"item": "oops"` on an output_item event used to escape as a bare AttributeError;
    it carries nothing to show, so it is skipped and the reply completes."""
    from chatterm.api.client import ChatClient
    from chatterm.api.request import ChatRequest
    from chatterm.api.types import Notice

    raw_server.script(
        sse(
            {"type": "response.created", "response": RESPONSE},
            {"type": "response.output_item.added", "item": "oops"},
            {"type": "response.output_text.delta", "delta": "fine"},
            {"type": "response.completed", "response": {**RESPONSE, "status": "completed"}},
            done=False,
        )
    )
    client = ChatClient(raw_server.base_url, "sk-test-key", max_retries=0)
    try:
        events = [e async for e in client.stream(ChatRequest("o4-mini", [{"role": "user", "content": "hi"}]))]
    finally:
        await client.aclose()
    assert [e.kind for e in events if isinstance(e, Notice)] == []
    finished = events[-1]
    assert isinstance(finished, Finished) and finished.completion.content == "fine"
