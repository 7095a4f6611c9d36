"""ChatStreamParser and parse_chat_body: what each provider's chunk shapes turn into."""

from __future__ import annotations

from typing import Any

import pytest

from chatterm.api.errors import (
    APIConnectionError,
    APIError,
    AuthenticationError,
    NotFoundError,
    RateLimitError,
)
from chatterm.api.failures import error_for, error_from_payload
from chatterm.api.stream import ChatStreamParser, parse_chat_body
from chatterm.api.types import (
    Citation,
    CitationsUpdate,
    Finished,
    ReasoningDelta,
    TextDelta,
    ToolCall,
    ToolCallDelta,
    Usage,
    UsageUpdate,
)


def ch(delta: dict[str, Any] | None = None, finish: str | None = None, **top: Any) -> dict[str, Any]:
    choices = [] if delta is None and finish is None else [{"index": 0, "delta": delta or {}, "finish_reason": finish}]
    return {"id": "c1", "model": "m", "choices": choices, **top}


def run(*chunks: dict[str, Any], saw_done: bool = True) -> tuple[list[Any], Any]:
    parser = ChatStreamParser("m")
    events: list[Any] = []
    for chunk in chunks:
        events += parser.feed(None, chunk)
    return events, parser.finish(saw_done)


def call(
    index: int | None = None, id: str | None = None, name: str | None = None, args: str | None = None, **extra: Any
) -> dict[str, Any]:
    fragment: dict[str, Any] = dict(extra)
    if index is not None:
        fragment["index"] = index
    if id is not None:
        fragment["id"] = id
        fragment["type"] = "function"
    function: dict[str, Any] = {}
    if name is not None:
        function["name"] = name
    if args is not None:
        function["arguments"] = args
    fragment["function"] = function
    return fragment


# --- text and reasoning --------------------------------------------------------------


def test_text_deltas_and_finish_reason() -> None:
    events, done = run(
        ch({"role": "assistant", "content": ""}), ch({"content": "Hel"}), ch({"content": "lo"}), ch({}, "stop")
    )
    assert events == [TextDelta("Hel"), TextDelta("lo")]
    assert done.content == "Hello"
    assert done.finish_reason == "stop"
    assert done.reasoning is None
    assert done.response_id == "c1"


@pytest.mark.parametrize("field", ["reasoning_content", "reasoning"])
def test_reasoning_from_either_field(field: str) -> None:
    events, done = run(ch({field: "think "}), ch({field: "more"}), ch({"content": "answer"}, "stop"))
    assert events == [ReasoningDelta("think "), ReasoningDelta("more"), TextDelta("answer")]
    assert done.reasoning == "think more"


def test_reasoning_sent_in_both_fields_counts_once() -> None:
    events, done = run(ch({"reasoning_content": "step", "reasoning": "step"}), ch({}, "stop"))
    assert events == [ReasoningDelta("step")]
    assert done.reasoning == "step"


def test_gemini_thought_parts_are_reasoning_without_wrappers() -> None:
    thought = {"google": {"thought": True}}
    events, done = run(
        ch({"content": "<thought>Let me", "extra_content": thought}),
        ch({"content": " see</thought>", "extra_content": thought}),
        ch({"content": "Answer", "extra_content": {"google": {"thought": False}}}),
        ch({}, "stop"),
    )
    assert events == [ReasoningDelta("Let me"), ReasoningDelta(" see"), TextDelta("Answer")]
    assert (done.reasoning, done.content) == ("Let me see", "Answer")


# --- tool calls ----------------------------------------------------------------------


def tool_calls(*fragments: dict[str, Any]) -> dict[str, Any]:
    return {"tool_calls": list(fragments)}


def test_parallel_calls_interleaved_with_empty_and_null_continuations() -> None:
    events, done = run(
        ch(tool_calls(call(0, "call_a", "get_weather", ""))),
        ch(tool_calls(call(1, "call_b", "get_time", ""))),
        ch(tool_calls(call(0, "", "", '{"city": '))),
        ch(tool_calls({"index": 1, "id": None, "function": {"name": None, "arguments": '{"tz": "UTC"}'}})),
        ch(tool_calls(call(0, None, None, '"Paris"}'))),
        ch({}, "tool_calls"),
    )
    assert done.tool_calls == [
        ToolCall("call_a", "get_weather", '{"city": "Paris"}'),
        ToolCall("call_b", "get_time", '{"tz": "UTC"}'),
    ]
    assert done.finish_reason == "tool_calls"
    assert events[0] == ToolCallDelta(0, "call_a", "get_weather", "")
    assert events[2] == ToolCallDelta(0, "call_a", "get_weather", '{"city": ')
    assert all(isinstance(e, ToolCallDelta) for e in events)


def test_two_calls_in_one_delta() -> None:
    _, done = run(
        ch(tool_calls(call(0, "a", "one", '{"x":'), call(1, "b", "two", "{}"))),
        ch(tool_calls(call(0, args="1}"))),
        ch({}, "tool_calls"),
    )
    assert done.tool_calls == [ToolCall("a", "one", '{"x":1}'), ToolCall("b", "two", "{}")]


def test_name_repeated_in_every_fragment_is_not_doubled() -> None:
    _, done = run(
        ch(tool_calls(call(0, "a", "calculator", '{"expr'))),
        ch(tool_calls(call(0, "a", "calculator", '": "1+1"}'))),
        ch({}, "tool_calls"),
    )
    assert done.tool_calls == [ToolCall("a", "calculator", '{"expr": "1+1"}')]


def test_name_split_into_fragments_is_joined() -> None:
    _, done = run(
        ch(tool_calls(call(0, "a", "get_", ""))),
        ch(tool_calls(call(0, name="weather", args="{}"))),
        ch({}, "tool_calls"),
    )
    assert done.tool_calls[0].name == "get_weather"


def test_index_omitted_matches_by_id_then_continues_the_current_call() -> None:
    _, done = run(
        ch(tool_calls(call(None, "a", "one", '{"q":'))),
        ch(tool_calls(call(None, None, None, " 1}"))),
        ch(tool_calls(call(None, "b", "two", "{"))),
        ch(tool_calls(call(None, "", "", "}"))),
        ch({}, "tool_calls"),
    )
    assert done.tool_calls == [ToolCall("a", "one", '{"q": 1}'), ToolCall("b", "two", "{}")]


def test_index_omitted_two_whole_calls_in_one_delta() -> None:
    _, done = run(
        ch(tool_calls(call(None, "a", "one", "{}"), call(None, "b", "two", '{"k": 2}'))), ch({}, "tool_calls")
    )
    assert [c.id for c in done.tool_calls] == ["a", "b"]
    assert done.tool_calls[1].arguments == '{"k": 2}'


def test_index_zero_reused_with_a_new_id_is_a_new_call() -> None:
    _, done = run(
        ch(tool_calls(call(0, "a", "one", "{}"))),
        ch(tool_calls(call(0, "b", "two", "{}"))),
        ch({}, "tool_calls"),
    )
    assert [(c.id, c.name) for c in done.tool_calls] == [("a", "one"), ("b", "two")]


def test_provider_fields_on_a_call_are_kept_and_sent_back() -> None:
    signature = {"google": {"thought_signature": "sig=="}}
    _, done = run(ch(tool_calls(call(0, "a", "f", "{}", extra_content=signature))), ch({}, "tool_calls"))
    assert done.tool_calls[0].extra == {"extra_content": signature}
    assert done.tool_calls[0].to_wire()["extra_content"] == signature


def test_call_without_any_id_gets_one() -> None:
    _, done = run(ch(tool_calls(call(0, None, "f", "{}"))), ch({}, "tool_calls"))
    assert done.tool_calls[0].id == "call_0"


# --- usage ---------------------------------------------------------------------------


def test_usage_on_a_final_chunk_with_details() -> None:
    usage = {
        "prompt_tokens": 10,
        "completion_tokens": 30,
        "total_tokens": 41,  # as the server says, even when it is not the sum
        "completion_tokens_details": {"reasoning_tokens": 12},
        "prompt_tokens_details": {"cached_tokens": 4},
    }
    events, done = run(ch({"content": "x"}, "stop"), ch(None, usage=usage))
    assert done.usage == Usage(10, 30, 41, 12, 4)
    assert done.usage.answer_tokens == 18
    assert events[-1] == UsageUpdate(Usage(10, 30, 41, 12, 4))


def test_cumulative_usage_on_every_chunk_takes_the_latest_and_reports_changes_only() -> None:
    events, done = run(
        ch({"content": "a"}, usage={"prompt_tokens": 5, "completion_tokens": 1, "total_tokens": 6}),
        ch({"content": "b"}, usage={"prompt_tokens": 5, "completion_tokens": 2, "total_tokens": 7}),
        ch({}, usage={"prompt_tokens": 5, "completion_tokens": 2, "total_tokens": 7}),
        ch({}, "stop", usage={"prompt_tokens": 5, "completion_tokens": 3, "total_tokens": 8}),
    )
    assert done.usage == Usage(5, 3, 8)
    assert [e.usage.completion_tokens for e in events if isinstance(e, UsageUpdate)] == [1, 2, 3]


def test_usage_inside_the_choice() -> None:
    chunk = {
        "id": "c",
        "choices": [
            {
                "index": 0,
                "delta": {"content": "x"},
                "finish_reason": "stop",
                "usage": {"prompt_tokens": 2, "completion_tokens": 1, "total_tokens": 3},
            }
        ],
    }
    _, done = run(chunk)
    assert done.usage == Usage(2, 1, 3)


def test_deepseek_cache_hit_tokens() -> None:
    usage = {
        "prompt_tokens": 9,
        "completion_tokens": 1,
        "total_tokens": 10,
        "prompt_cache_hit_tokens": 8,
        "prompt_cache_miss_tokens": 1,
    }
    _, done = run(ch({}, "stop"), ch(None, usage=usage))
    assert done.usage is not None and done.usage.cached_tokens == 8


def test_null_usage_is_ignored() -> None:
    events, done = run(ch({"content": "x"}, "stop", usage=None))
    assert done.usage is None
    assert events == [TextDelta("x")]


# --- citations -----------------------------------------------------------------------


def test_top_level_citations_deduplicated_in_order() -> None:
    events, done = run(
        ch({"content": "a"}, citations=["https://a.example", "https://b.example"]),
        ch({"content": "b"}, citations=["https://a.example", "https://b.example"]),
        ch({}, "stop", citations=["https://a.example", "https://b.example", "https://c.example"]),
    )
    assert [c.url for c in done.citations] == ["https://a.example", "https://b.example", "https://c.example"]
    updates = [e for e in events if isinstance(e, CitationsUpdate)]
    assert len(updates) == 2
    assert updates[-1].citations == tuple(done.citations)


def test_glm_web_search_results() -> None:
    web = [
        {"title": "GLM doc", "link": "https://glm.example/doc", "refer": "ref_1"},
        {"title": "Two", "link": "https://two.example"},
    ]
    _, done = run(ch({"content": "x"}, web_search=web), ch({}, "stop"))
    assert done.citations == [Citation("https://glm.example/doc", "GLM doc"), Citation("https://two.example", "Two")]


def test_url_citation_annotations_in_a_delta() -> None:
    annotation = {
        "type": "url_citation",
        "url_citation": {"url": "https://n.example", "title": "News", "start_index": 0, "end_index": 4},
    }
    _, done = run(ch({"content": "News", "annotations": [annotation]}), ch({}, "stop"))
    assert done.citations == [Citation("https://n.example", "News")]


# --- end of stream and errors -----------------------------------------------------------


def test_stream_cut_before_finish_keeps_partial_and_raises_connection_error() -> None:
    parser = ChatStreamParser("m")
    parser.feed(None, ch({"content": "partial"}))
    with pytest.raises(APIConnectionError) as info:
        parser.finish(saw_done=False)
    assert str(info.value) == "Error: Cannot connect to API server"
    assert info.value.partial is not None and info.value.partial.content == "partial"


def test_stream_closed_after_finish_reason_without_done_is_complete() -> None:
    _, done = run(ch({"content": "ok"}), ch({}, "stop"), saw_done=False)
    assert done.content == "ok"


@pytest.mark.parametrize(
    ("error", "cls", "message"),
    [
        (
            {"code": 429, "message": "Slow down"},
            RateLimitError,
            "API request failed: 429 Slow down (retry in a little while)",
        ),
        (
            {"code": "invalid_api_key", "message": "Key revoked", "type": "authentication_error"},
            AuthenticationError,
            "Error: Invalid or unauthorized API key",
        ),
        (
            {"code": "model_not_found", "message": "no such model"},
            NotFoundError,
            "Error: Model m does not exist or is not supported",
        ),
        (
            {"message": "Upstream overloaded", "type": "server_error", "code": 502},
            APIError,
            "API request failed: 502 Upstream overloaded",
        ),
        ({"message": "Something broke", "type": "server_error"}, APIError, "API request failed: Something broke"),
        (
            {"status": "RESOURCE_EXHAUSTED", "message": "Quota per minute"},
            RateLimitError,
            "API request failed: 429 Quota per minute (retry in a little while)",
        ),
    ],
)
def test_error_inside_the_stream_raises_the_matching_error_with_partial(
    error: dict[str, Any], cls: type[APIError], message: str
) -> None:
    parser = ChatStreamParser("m")
    parser.feed(None, ch({"content": "so far"}))
    with pytest.raises(APIError) as info:
        parser.feed(None, {"error": error})
    assert type(info.value) is cls
    assert str(info.value) == message
    assert info.value.provider_message == error["message"]
    assert info.value.partial is not None and info.value.partial.content == "so far"


def test_error_event_without_error_key() -> None:
    parser = ChatStreamParser("m")
    with pytest.raises(APIError) as info:
        parser.feed("error", {"message": "stream aborted upstream"})
    assert str(info.value) == "API request failed: stream aborted upstream"


def test_error_table_for_http_statuses() -> None:
    assert str(error_for(401, "Incorrect API key provided", model="m")) == "Error: Invalid or unauthorized API key"
    assert str(error_for(403, None, model="m")) == "Error: Invalid or unauthorized API key"
    assert str(error_for(404, "nope", model="gpt-9")) == "Error: Model gpt-9 does not exist or is not supported"
    assert (
        str(error_for(500, None, model="m", reason="Internal Server Error"))
        == "API request failed: 500 Internal Server Error"
    )
    assert str(error_for(529, "Overloaded", model="m")) == "API request failed: 529 Overloaded"
    quota = error_for(429, "You exceeded your current quota", model="m", code="insufficient_quota")
    assert str(quota) == (
        "API request failed: 429 You exceeded your current quota "
        "(quota exhausted: check the plan and billing; retrying will not help)"
    )
    limited = error_for(429, "Rate limit reached", model="m", retry_after=2.0)
    assert isinstance(limited, RateLimitError) and limited.retry_after == 2.0
    assert str(limited) == "API request failed: 429 Rate limit reached (retry after 2 s)"


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        (
            [{"error": {"code": 400, "message": "Bad field", "status": "INVALID_ARGUMENT"}}],
            "API request failed: 400 Bad field",
        ),
        ("upstream said no", "API request failed: 400 upstream said no"),
        ({"detail": "Invalid body"}, "API request failed: 400 Invalid body"),
        ({"error": "plain string error"}, "API request failed: 400 plain string error"),
        ({}, "API request failed: 400 Bad Request"),
    ],
)
def test_error_bodies_of_every_shape(payload: Any, message: str) -> None:
    assert str(error_from_payload(payload, model="m", status=400, reason="Bad Request")) == message


# --- non-streamed ----------------------------------------------------------------------


def test_whole_reply_gives_the_same_completion_as_the_stream() -> None:
    body = {
        "id": "c1",
        "object": "chat.completion",
        "model": "m",
        "choices": [
            {
                "index": 0,
                "message": {
                    "role": "assistant",
                    "content": "Hello",
                    "reasoning_content": "hmm",
                    "tool_calls": [{"id": "a", "type": "function", "function": {"name": "f", "arguments": "{}"}}],
                    "annotations": [
                        {"type": "url_citation", "url_citation": {"url": "https://x.example", "title": "X"}}
                    ],
                },
                "finish_reason": "tool_calls",
            }
        ],
        "usage": {"prompt_tokens": 1, "completion_tokens": 2, "total_tokens": 3},
    }
    events = parse_chat_body(body, "m")
    assert isinstance(events[-1], Finished)
    whole = events[-1].completion
    _, streamed = run(
        ch({"reasoning_content": "hmm"}),
        ch({"content": "Hello", "annotations": body["choices"][0]["message"]["annotations"]}),
        ch(tool_calls(call(0, "a", "f", "{}"))),
        ch({}, "tool_calls"),
        ch(None, usage=body["usage"]),
    )
    assert whole == streamed
    assert [type(e).__name__ for e in events] == [
        "ReasoningDelta",
        "TextDelta",
        "ToolCallDelta",
        "UsageUpdate",
        "CitationsUpdate",
        "Finished",
    ]


def test_whole_reply_with_an_error_body_raises() -> None:
    with pytest.raises(RateLimitError):
        parse_chat_body({"error": {"message": "slow", "type": "rate_limit_error"}}, "m")


# --- feed_sse (the events of one read at once) agrees with feed, chunk by chunk ----------


def sse_events(*texts: str) -> list[tuple[str, str, None]]:
    return [("message", t, None) for t in texts]


def slow_events(texts: list[str]) -> tuple[list[Any], Any]:
    import json

    parser = ChatStreamParser("m")
    events: list[Any] = []
    for text in texts:
        events += parser.feed(None, json.loads(text))
    return events, parser.finish(saw_done=True)


TRICKY_TOKENS = [
    "plain",
    "",
    ' "quoted" ',
    "back\\slash",
    "new\nline",
    '"},"finish_reason":null}]}',
    "é€😀",
    "\u2028",
    "tab\t",
]


def test_feed_sse_equals_feed_on_tricky_chunks() -> None:
    import json

    texts = [json.dumps(ch({"role": "assistant", "content": ""}))]
    texts += [json.dumps(ch({"content": t})) for t in TRICKY_TOKENS * 3]
    texts += [json.dumps(ch({"content": t}), ensure_ascii=False, separators=(",", ":")) for t in TRICKY_TOKENS]
    texts += [json.dumps(ch({"reasoning_content": t})) for t in TRICKY_TOKENS]
    texts += [json.dumps(ch({"content": "x"}, id="other-id"))]  # differs outside the token
    texts += [
        json.dumps(ch({"content": "with usage"}, usage={"prompt_tokens": 1, "completion_tokens": 2, "total_tokens": 3}))
    ]
    texts += [json.dumps(ch({"content": "y", "extra_content": {"google": {"thought": True}}}))]
    texts += [json.dumps(ch({"content": "z"})), json.dumps(ch({}, "stop"))]
    expected_events, expected = slow_events(texts)
    for size in (1, 3, len(texts)):
        parser = ChatStreamParser("m")
        events: list[Any] = []
        for i in range(0, len(texts), size):
            events += parser.feed_sse(sse_events(*texts[i : i + size]))
        assert events == expected_events
        assert parser.finish(saw_done=False) == expected


def test_a_chunk_that_only_looks_like_a_plain_token_is_parsed_in_full() -> None:
    import json

    template = json.dumps(ch({"content": "a"}))
    # Same prefix and suffix, but what sits between them is two JSON strings, not one.
    trick = template.replace('"a"', '"b", "finish_reason": "length", "x": "c"')
    parser = ChatStreamParser("m")
    parser.feed_sse(sse_events(template, template, template))
    events = parser.feed_sse(sse_events(trick))
    assert json.loads(trick)["choices"][0]["delta"]["content"] == "b"
    assert events == [TextDelta("b")]
    assert parser.finish(saw_done=True).content == "aaab"


def test_feed_sse_done_and_malformed() -> None:
    import json

    parser = ChatStreamParser("m")
    events = parser.feed_sse(
        sse_events(
            json.dumps(ch({"content": "a"})),
            "{oops",
            "{oops",
            json.dumps(ch({}, "stop")),
            "[DONE]",
            json.dumps(ch({"content": "late"})),
        )
    )
    assert [type(e).__name__ for e in events] == ["TextDelta", "Notice"]
    assert parser.done
    assert parser.finish(saw_done=parser.done).content == "a"


def test_feed_sse_error_keeps_events_before_it() -> None:
    import json

    parser = ChatStreamParser("m")
    events = parser.feed_sse(
        sse_events(
            json.dumps(ch({"content": "a"})),
            json.dumps({"error": {"message": "bad", "code": 500}}),
            json.dumps(ch({"content": "b"})),
        )
    )
    assert events == [TextDelta("a")]
    assert isinstance(parser.failure, APIError)
    assert str(parser.failure) == "API request failed: 500 bad"
    assert parser.failure.partial is not None and parser.failure.partial.content == "a"


def test_completions_style_text_in_a_chat_stream_is_read() -> None:
    """Some self-hosted servers stream `choices[0].text` instead of a delta."""
    from chatterm.api.stream import ChatStreamParser

    parser = ChatStreamParser("m")
    for chunk in (
        {"choices": [{"index": 0, "text": "Hel"}]},
        {"choices": [{"index": 0, "text": "lo", "finish_reason": "stop"}]},
    ):
        parser.feed(None, chunk)
    completion = parser.finish(False)
    assert (completion.content, completion.finish_reason) == ("Hello", "stop")


def test_a_non_streamed_gemini_reply_with_its_thought_inline_splits_it_off() -> None:
    """Non-streamed, Gemini's thought comes as `<thought>...</thought>` at the start of
    the content, with no `extra_content` flag to tell it by."""
    from chatterm.api.stream import parse_chat_body

    body = {
        "choices": [
            {
                "index": 0,
                "finish_reason": "stop",
                "message": {"role": "assistant", "content": "<thought>2 and 2 make 4.</thought>\n\nThe answer is 4."},
            }
        ]
    }
    completion = parse_chat_body(body, "gemini-3-pro-preview")[-1].completion
    assert (completion.reasoning, completion.content) == ("2 and 2 make 4.", "The answer is 4.")
