"""Per-family thinking, search and structured output, as the gateway page describes them."""

from __future__ import annotations

import json

import httpx
import pytest
from jsonschema import Draft202012Validator

from tests.demo.demo_support import chunks, content_of, user, validate

ON = {"thinking": {"type": "enabled"}}


async def _stream(client: httpx.AsyncClient, body: dict) -> list[dict]:
    r = await client.post("chat/completions", json={**body, "stream": True, "stream_options": {"include_usage": True}})
    assert r.status_code == 200, r.text
    parts = chunks(r.text)
    for chunk in parts:
        validate("chat-completion-chunk", chunk)
    return parts


def _kinds(parts: list[dict]) -> list[str]:
    """The order of delta kinds, collapsed: e.g. ["reasoning_content", "content"]."""
    seen: list[str] = []
    for c in parts:
        if not c["choices"]:
            continue
        delta = c["choices"][0]["delta"]
        for key in ("reasoning_content", "reasoning", "content"):
            if delta.get(key):
                kind = "thought" if delta.get("extra_content", {}).get("google", {}).get("thought") else key
                if not seen or seen[-1] != kind:
                    seen.append(kind)
    return seen


@pytest.mark.parametrize(
    ("model", "extra", "field"),
    [
        ("deepseek-v3", ON, "reasoning_content"),
        ("deepseek-r1", {}, "reasoning_content"),
        ("doubao-seed-1-8-251228", ON, "reasoning_content"),
        ("glm-5", ON, "reasoning"),
        ("kimi-k2.5", ON, "reasoning"),
        (
            "claude-sonnet-4-5-20250929",
            {"thinking": {"type": "enabled", "budget_tokens": 1024}, "max_tokens": 4096},
            "reasoning_content",
        ),
        ("qwen3-coder-plus", {"parameters": {"enable_thinking": True}}, "reasoning_content"),
    ],
)
async def test_thinking_streams_reasoning_first_in_the_family_field(
    client: httpx.AsyncClient, model: str, extra: dict, field: str
) -> None:
    parts = await _stream(client, {"model": model, "messages": user("think about this"), **extra})
    assert _kinds(parts) == [field, "content"]
    reasoning = "".join(c["choices"][0]["delta"].get(field, "") for c in parts if c["choices"])
    assert "4 words" not in reasoning and "3 words" in reasoning
    assert parts[-1]["usage"]["completion_tokens_details"]["reasoning_tokens"] > 0
    plain = await client.post("chat/completions", json={"model": model, "messages": user("think about this"), **extra})
    assert plain.json()["choices"][0]["message"][field] == reasoning


@pytest.mark.parametrize(
    ("model", "extra"),
    [
        ("deepseek-v3", {}),
        ("glm-5", {"thinking": {"type": "disabled"}}),
        ("claude-opus-4-6", {}),
        ("qwen3-coder-plus", {"enable_thinking": True}),  # top level: Qwen ignores it
        ("gemini-3-pro-preview-nothinking", {}),
    ],
)
async def test_thinking_off_gives_content_only(client: httpx.AsyncClient, model: str, extra: dict) -> None:
    parts = await _stream(client, {"model": model, "messages": user("no thinking"), **extra})
    assert _kinds(parts) == ["content"]
    assert "completion_tokens_details" not in parts[-1]["usage"]


async def test_claude_max_tokens_must_exceed_the_budget(client: httpx.AsyncClient) -> None:
    body = {
        "model": "claude-opus-4-6",
        "messages": user("x"),
        "thinking": {"type": "enabled", "budget_tokens": 2048},
        "max_tokens": 1024,
    }
    r = await client.post("chat/completions", json=body)
    assert r.status_code == 400
    assert r.json()["error"]["param"] == "max_tokens"


async def test_gemini_thinking_variant_sends_flagged_thought_parts(client: httpx.AsyncClient) -> None:
    parts = await _stream(client, {"model": "gemini-3-flash-preview-thinking-high", "messages": user("gemini thinks")})
    assert _kinds(parts) == ["thought", "content"]
    thought = "".join(
        c["choices"][0]["delta"]["content"]
        for c in parts
        if c["choices"] and c["choices"][0]["delta"].get("extra_content")
    )
    assert thought.startswith("<thought>") and thought.endswith("</thought>")
    assert content_of(parts).startswith("## ")
    plain = await client.post(
        "chat/completions", json={"model": "gemini-3-flash-preview-thinking-high", "messages": user("gemini thinks")}
    )
    assert plain.json()["choices"][0]["message"]["content"].startswith(thought)


async def test_grok_reasoning_model_counts_hidden_reasoning_tokens(client: httpx.AsyncClient) -> None:
    parts = await _stream(client, {"model": "grok-4-fast-reasoning", "messages": user("reason quietly")})
    assert _kinds(parts) == ["content"]
    usage = parts[-1]["usage"]
    reasoning = usage["completion_tokens_details"]["reasoning_tokens"]
    answer_tokens = sum(1 for c in parts if c["choices"] and c["choices"][0]["delta"].get("content"))
    assert reasoning > 0
    assert usage["completion_tokens"] - reasoning == answer_tokens


async def test_qwen_search_gives_top_level_citations(client: httpx.AsyncClient) -> None:
    body = {"model": "qwen3-omni-flash", "messages": user("latest rust release"), "parameters": {"enable_search": True}}
    parts = await _stream(client, body)
    urls = [u for c in parts for u in c.get("citations", [])]
    assert len(urls) == 3 and all(u.startswith("https://") for u in urls)
    text = content_of(parts)
    assert "[1]" in text and "[3]" in text and urls[0] not in text  # the URLs travel in `citations`
    plain = await client.post("chat/completions", json=body)
    assert plain.json()["citations"] == urls


async def test_grok3_search_parameters_give_citations(client: httpx.AsyncClient) -> None:
    body = {
        "model": "grok-3",
        "messages": user("news today"),
        "search_parameters": {"mode": "auto", "return_citations": True},
    }
    r = await client.post("chat/completions", json=body)
    assert len(r.json()["citations"]) == 3


async def test_grok4_search_parameters_are_refused(client: httpx.AsyncClient) -> None:
    body = {"model": "grok-4", "messages": user("news"), "search_parameters": {"mode": "on"}}
    r = await client.post("chat/completions", json=body)
    assert r.status_code == 400
    validate("error-response", r.json())
    assert r.json()["error"]["message"] == "search_parameters is no longer supported"
    retry = await client.post("chat/completions", json={"model": "grok-4", "messages": user("news")})
    assert retry.status_code == 200


async def test_glm_web_search_tool_gives_web_search_results(client: httpx.AsyncClient) -> None:
    body = {
        "model": "glm-4.7",
        "messages": user("search this"),
        "tools": [{"type": "web_search", "web_search": {"enable": True}}],
    }
    parts = await _stream(client, body)
    results = [r for c in parts for r in c.get("web_search", [])]
    assert len(results) == 3
    assert set(results[0]) >= {"title", "link", "content"}
    assert "[2]" in content_of(parts)


async def test_openai_web_search_options_give_url_citation_annotations(client: httpx.AsyncClient) -> None:
    body = {"model": "gpt-4o-search-preview", "messages": user("who won"), "web_search_options": {}}
    r = await client.post("chat/completions", json=body)
    validate("chat-completion-response", r.json())
    message = r.json()["choices"][0]["message"]
    notes = message["annotations"]
    assert len(notes) == 3
    for i, note in enumerate(notes, 1):
        span = note["url_citation"]
        assert message["content"][span["start_index"] : span["end_index"]] == f"[{i}]"
    parts = await _stream(client, body)
    streamed = [a for c in parts if c["choices"] for a in c["choices"][0]["delta"].get("annotations", [])]
    assert streamed == notes


async def test_searchfail_fails_once_then_succeeds(client: httpx.AsyncClient) -> None:
    body = {"model": "qwen3-coder-plus", "messages": user("!searchfail find it"), "parameters": {"enable_search": True}}
    first = await client.post("chat/completions", json=body)
    assert first.status_code == 504
    assert first.json()["error"]["message"] == "search service timeout"
    second = await client.post("chat/completions", json=body)
    assert second.status_code == 200 and second.json()["citations"]


async def test_searchfail_without_search_is_ignored(client: httpx.AsyncClient) -> None:
    r = await client.post("chat/completions", json={"model": "qwen3-coder-plus", "messages": user("!searchfail")})
    assert r.status_code == 200


SCHEMA = {
    "type": "object",
    "properties": {
        "title": {"type": "string"},
        "year": {"type": "integer", "minimum": 1900},
        "tags": {"type": "array", "items": {"type": "string"}},
        "rating": {"type": "number", "maximum": 1},
        "kind": {"enum": ["book", "film"]},
        "author": {"$ref": "#/$defs/person"},
    },
    "required": ["title", "year", "tags", "rating", "kind", "author"],
    "additionalProperties": False,
    "$defs": {"person": {"type": "object", "properties": {"name": {"type": "string"}}, "required": ["name"]}},
}


async def test_json_schema_reply_fits_the_schema_and_badjson_does_not(client: httpx.AsyncClient) -> None:
    fmt = {"type": "json_schema", "json_schema": {"name": "item", "schema": SCHEMA, "strict": True}}
    r = await client.post(
        "chat/completions", json={"model": "gpt-4.1", "messages": user("a book"), "response_format": fmt}
    )
    value = json.loads(r.json()["choices"][0]["message"]["content"])
    Draft202012Validator(SCHEMA).validate(value)
    assert len(value["tags"]) == 1
    parts = await _stream(client, {"model": "gpt-4.1", "messages": user("a book"), "response_format": fmt})
    assert json.loads(content_of(parts)) == value
    bad = await client.post(
        "chat/completions", json={"model": "gpt-4.1", "messages": user("!badjson"), "response_format": fmt}
    )
    broken = json.loads(bad.json()["choices"][0]["message"]["content"])
    assert not Draft202012Validator(SCHEMA).is_valid(broken)


async def test_json_object_reply_is_an_object(client: httpx.AsyncClient) -> None:
    r = await client.post(
        "chat/completions", json={"model": "gpt-4o", "messages": user("hi"), "response_format": {"type": "json_object"}}
    )
    assert isinstance(json.loads(r.json()["choices"][0]["message"]["content"]), dict)
