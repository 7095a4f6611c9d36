"""The spec watch (`demo_support.SpecWatch`, autouse in tests/demo and tests/api) really
checks: one tour over every kind of chunk the demo streams, all of them validated, and
the watch itself catches what does not fit."""

from __future__ import annotations

import json
from typing import Any

import httpx

from tests.demo.demo_support import SpecWatch, check_chat_request, sse_events, user

TOOLS = [
    {"type": "function", "function": {"name": "current_time", "parameters": {"type": "object", "properties": {}}}},
    {
        "type": "function",
        "function": {
            "name": "calculator",
            "parameters": {"type": "object", "properties": {"expression": {"type": "string"}}},
        },
    },
]

TOUR: list[tuple[str, dict[str, Any]]] = [
    ("plain text and usage", {"model": "gpt-4o", "messages": user("hello there")}),
    ("cut by max_tokens", {"model": "gpt-4o", "messages": user("count these words"), "max_tokens": 3}),
    ("reasoning_content", {"model": "deepseek-v3", "messages": user("why"), "thinking": {"type": "enabled"}}),
    ("reasoning", {"model": "glm-5", "messages": user("why"), "thinking": {"type": "enabled"}}),
    ("Gemini thought parts", {"model": "gemini-3-pro-preview-thinking", "messages": user("why")}),
    ("Grok hidden reasoning", {"model": "grok-4-fast-reasoning", "messages": user("why")}),
    (
        "top-level citations",
        {"model": "grok-3", "messages": user("news"), "search_parameters": {"mode": "auto", "return_citations": True}},
    ),
    (
        "GLM web_search results",
        {"model": "glm-5", "messages": user("news"), "tools": [{"type": "web_search", "web_search": {"enable": True}}]},
    ),
    (
        "url_citation annotations",
        {"model": "gpt-4o-search-preview", "messages": user("news"), "web_search_options": {}},
    ),
    ("parallel tool calls", {"model": "gpt-4o", "messages": user("!parallel"), "tools": TOOLS}),
    (
        "Gemini call with thought_signature",
        {"model": "gemini-3-pro-preview", "messages": user("what time is it"), "tools": TOOLS},
    ),
    ("structured output", {"model": "gpt-4o", "messages": user("a city"), "response_format": {"type": "json_object"}}),
    ("error inside the stream", {"model": "gpt-4o", "messages": user("!error")}),
    ("malformed chunk", {"model": "gpt-4o", "messages": user("!malformed")}),
]


async def test_every_kind_of_chunk_the_demo_streams_fits_the_chunk_schema(
    client: httpx.AsyncClient, spec_watch: SpecWatch
) -> None:
    kinds: set[str] = set()
    for name, body in TOUR:
        r = await client.post(
            "chat/completions", json={**body, "stream": True, "stream_options": {"include_usage": True}}
        )
        assert r.status_code == 200, (name, r.text)
        for _, data in sse_events(r.text):
            if data == "[DONE]":
                continue
            try:
                part = json.loads(data)
            except ValueError:
                kinds.add("malformed")  # `!malformed` is not JSON on purpose; not a chunk
                continue
            if part.get("error"):
                kinds.add("error")
                continue
            if not part["choices"]:
                kinds.add("usage")
                continue
            delta = part["choices"][0]["delta"]
            kinds.update(
                k
                for k in ("reasoning_content", "reasoning", "content", "tool_calls", "annotations", "extra_content")
                if delta.get(k)
            )
            kinds.update(k for k in ("citations", "web_search") if part.get(k))
    # The tour reached every shape the chat stream has ...
    assert kinds == {
        "usage",
        "reasoning_content",
        "reasoning",
        "content",
        "tool_calls",
        "annotations",
        "extra_content",
        "citations",
        "web_search",
        "error",
        "malformed",
    }
    # ... and the watch saw (and validated) the frames: the autouse fixture asserts no problems.
    assert spec_watch.checked["frames"] > 100
    assert spec_watch.problems == []


def test_the_watch_flags_a_chunk_that_does_not_fit() -> None:
    watch = SpecWatch(requests=False)
    good = {
        "id": "c",
        "object": "chat.completion.chunk",
        "created": 1,
        "model": "m",
        "choices": [{"index": 0, "delta": {"content": "x"}, "finish_reason": None}],
    }
    watch.frame("chat-completion-chunk", f"data: {json.dumps(good)}\n\ndata: [DONE]\n\n".encode(), "chunk")
    assert watch.problems == []
    bad = {**good, "object": "chat.completion"}
    watch.frame("chat-completion-chunk", f"data: {json.dumps(bad)}\n\n".encode(), "chunk")
    assert len(watch.problems) == 1 and "chat.completion.chunk" in watch.problems[0]


def test_the_watch_flags_a_request_out_of_spec_or_without_usage() -> None:
    problems: list[str] = []
    base = {"model": "gpt-4o", "messages": user("hi")}
    check_chat_request({**base, "stream": True, "stream_options": {"include_usage": True}}, problems)
    check_chat_request({**base, "stream": False}, problems)
    check_chat_request(
        {**base, "tools": [{"type": "web_search", "web_search": {"enable": True}}], "stream": False}, problems
    )
    assert problems == []
    check_chat_request({**base, "stream": True}, problems)
    assert problems == ["streamed chat request without stream_options.include_usage: None"]
    check_chat_request({**base, "temperature": 3}, problems)
    assert len(problems) == 2 and "temperature" in problems[1]
    watch = SpecWatch(requests=True)
    watch.request("/v1/responses", {"model": "o4-mini", "input": 42})
    assert len(watch.problems) == 1
