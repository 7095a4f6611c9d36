"""Tool calls: natural and explicit triggers, fragments, parallel, chain, results -> answer."""

from __future__ import annotations

import json
from typing import Any

import httpx

from tests.demo.demo_support import chunks, user, validate


def fn(name: str, properties: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "type": "function",
        "function": {
            "name": name,
            "description": name,
            "parameters": {"type": "object", "properties": properties or {}},
        },
    }


TOOLS = [fn("current_time", {"timezone": {"type": "string"}}), fn("calculator", {"expression": {"type": "string"}})]


async def _stream(client: httpx.AsyncClient, body: dict) -> list[dict]:
    r = await client.post("chat/completions", json={**body, "stream": True})
    parts = chunks(r.text)
    for chunk in parts:
        validate("chat-completion-chunk", chunk)
    return parts


def _fragments(parts: list[dict]) -> list[dict]:
    return [tc for c in parts if c["choices"] for tc in c["choices"][0]["delta"].get("tool_calls", [])]


def _assemble(frags: list[dict]) -> dict[int, dict[str, str]]:
    calls: dict[int, dict[str, str]] = {}
    for f in frags:
        call = calls.setdefault(f["index"], {"id": "", "name": "", "arguments": ""})
        call["id"] += f.get("id") or ""
        call["name"] += (f.get("function") or {}).get("name") or ""
        call["arguments"] += (f.get("function") or {}).get("arguments") or ""
    return calls


async def _plain(client: httpx.AsyncClient, body: dict) -> dict:
    r = await client.post("chat/completions", json=body)
    assert r.status_code == 200, r.text
    validate("chat-completion-response", r.json())
    return r.json()["choices"][0]


async def test_asking_the_time_calls_current_time_in_fragments(client: httpx.AsyncClient) -> None:
    body = {"model": "gpt-4o", "messages": user("What time is it in London?"), "tools": TOOLS}
    parts = await _stream(client, body)
    frags = _fragments(parts)
    assert len(frags) >= 3
    first, rest = frags[0], frags[1:]
    assert first["id"] and first["type"] == "function" and first["function"]["name"] == "current_time"
    assert all(set(f) == {"index", "function"} and set(f["function"]) == {"arguments"} for f in rest)
    assert parts[-1]["choices"][0]["finish_reason"] == "tool_calls"
    call = _assemble(frags)[0]
    assert json.loads(call["arguments"]) == {"timezone": "Europe/London"}  # the city asked about
    choice = await _plain(client, body)
    assert choice["finish_reason"] == "tool_calls"
    assert choice["message"]["tool_calls"][0]["function"]["arguments"] == call["arguments"]
    assert choice["message"]["tool_calls"][0]["id"] == call["id"]


async def test_current_time_without_a_timezone_param_gets_empty_arguments(client: httpx.AsyncClient) -> None:
    choice = await _plain(
        client, {"model": "gpt-4o", "messages": user("what is the date"), "tools": [fn("current_time")]}
    )
    assert json.loads(choice["message"]["tool_calls"][0]["function"]["arguments"]) == {}


async def test_arithmetic_calls_the_calculator(client: httpx.AsyncClient) -> None:
    choice = await _plain(client, {"model": "deepseek-v3", "messages": user("calculate 2+3*4 please"), "tools": TOOLS})
    calls = choice["message"]["tool_calls"]
    assert [c["function"]["name"] for c in calls] == ["calculator"]
    assert json.loads(calls[0]["function"]["arguments"]) == {"expression": "2+3*4"}


async def test_only_offered_tools_are_called(client: httpx.AsyncClient) -> None:
    choice = await _plain(client, {"model": "gpt-4o", "messages": user("what time is it? 2+2"), "tools": [TOOLS[1]]})
    assert [c["function"]["name"] for c in choice["message"]["tool_calls"]] == ["calculator"]
    choice = await _plain(client, {"model": "gpt-4o", "messages": user("what time is it?")})
    assert choice["finish_reason"] == "stop" and "tool_calls" not in choice["message"]
    choice = await _plain(
        client, {"model": "gpt-4o", "messages": user("what time is it?"), "tools": TOOLS, "tool_choice": "none"}
    )
    assert choice["finish_reason"] == "stop"


async def test_parallel_trigger_interleaves_two_calls(client: httpx.AsyncClient) -> None:
    body = {"model": "gpt-4o", "messages": user("!parallel"), "tools": TOOLS}
    frags = _fragments(await _stream(client, body))
    order = [f["index"] for f in frags]
    assert order[:4] == [0, 1, 0, 1]
    calls = _assemble(frags)
    assert [calls[0]["name"], calls[1]["name"]] == ["current_time", "calculator"]
    assert calls[0]["id"] != calls[1]["id"]
    for call in calls.values():
        json.loads(call["arguments"])


async def test_tool_results_lead_to_an_answer_quoting_each(client: httpx.AsyncClient) -> None:
    first = await _plain(client, {"model": "gpt-4o", "messages": user("!parallel"), "tools": TOOLS})
    calls = first["message"]["tool_calls"]
    messages = [
        *user("!parallel"),
        {"role": "assistant", "content": None, "tool_calls": calls},
        {"role": "tool", "tool_call_id": calls[0]["id"], "content": "2026-11-29T10:00:00+00:00"},
        {"role": "tool", "tool_call_id": calls[1]["id"], "content": "42"},
    ]
    parts = await _stream(client, {"model": "gpt-4o", "messages": messages, "tools": TOOLS})
    text = "".join(c["choices"][0]["delta"].get("content") or "" for c in parts if c["choices"])
    assert "The tool current_time returned: 2026-11-29T10:00:00+00:00" in text
    assert "The tool calculator returned: 42" in text
    assert parts[-1]["choices"][0]["finish_reason"] == "stop"


async def test_chain_calls_the_calculator_again_with_the_result(client: httpx.AsyncClient) -> None:
    messages = user("!chain")
    first = await _plain(client, {"model": "gpt-4o", "messages": messages, "tools": TOOLS})
    call1 = first["message"]["tool_calls"][0]
    messages += [
        {"role": "assistant", "content": None, "tool_calls": [call1]},
        {"role": "tool", "tool_call_id": call1["id"], "content": "42"},
    ]
    second = await _plain(client, {"model": "gpt-4o", "messages": messages, "tools": TOOLS})
    call2 = second["message"]["tool_calls"][0]
    assert call2["function"]["name"] == "calculator" and call2["id"] != call1["id"]
    assert json.loads(call2["function"]["arguments"]) == {"expression": "42 + 1"}
    messages += [
        {"role": "assistant", "content": None, "tool_calls": [call2]},
        {"role": "tool", "tool_call_id": call2["id"], "content": "43"},
    ]
    third = await _plain(client, {"model": "gpt-4o", "messages": messages, "tools": TOOLS})
    assert third["finish_reason"] == "stop"
    assert "The tool calculator returned: 43" in third["message"]["content"]


async def test_unknown_tool_and_bad_args_triggers(client: httpx.AsyncClient) -> None:
    unknown = await _plain(client, {"model": "gpt-4o", "messages": user("!unknown-tool"), "tools": TOOLS})
    assert unknown["message"]["tool_calls"][0]["function"]["name"] == "no_such_tool"
    bad = await _plain(client, {"model": "gpt-4o", "messages": user("!bad-args"), "tools": TOOLS})
    args = bad["message"]["tool_calls"][0]["function"]["arguments"]
    try:
        json.loads(args)
    except ValueError:
        pass
    else:
        raise AssertionError(f"arguments should not be valid JSON: {args!r}")


async def test_forced_tool_choice_calls_that_tool_with_schema_arguments(client: httpx.AsyncClient) -> None:
    weather = fn("weather", {"city": {"type": "string"}, "days": {"type": "integer", "minimum": 1}})
    body = {
        "model": "gpt-4o",
        "messages": user("hello"),
        "tools": [weather],
        "tool_choice": {"type": "function", "function": {"name": "weather"}},
    }
    choice = await _plain(client, body)
    assert json.loads(choice["message"]["tool_calls"][0]["function"]["arguments"]) == {"city": "sample city", "days": 1}


async def test_gemini_tool_calls_carry_a_thought_signature(client: httpx.AsyncClient) -> None:
    choice = await _plain(
        client, {"model": "gemini-3-pro-preview", "messages": user("what time is it"), "tools": TOOLS}
    )
    assert choice["message"]["tool_calls"][0]["extra_content"]["google"]["thought_signature"]


async def test_claude_searches_through_an_offered_search_tool(client: httpx.AsyncClient) -> None:
    search = fn("web_search", {"query": {"type": "string"}})
    body = {"model": "claude-sonnet-4-5-20250929", "messages": user("search the latest rust news"), "tools": [search]}
    choice = await _plain(client, body)
    call = choice["message"]["tool_calls"][0]
    assert call["function"]["name"] == "web_search"
    assert json.loads(call["function"]["arguments"]) == {"query": "search the latest rust news"}


async def test_dates_and_model_names_are_not_arithmetic(client: httpx.AsyncClient) -> None:
    prompt = "Is 2026-11-29 a good date to try claude-sonnet-4-5-20250929?"
    choice = await _plain(client, {"model": "gpt-4o", "messages": user(prompt), "tools": TOOLS})
    assert [c["function"]["name"] for c in choice["message"]["tool_calls"]] == ["current_time"]


async def test_server_keeps_serving_after_a_client_hangs_up_mid_stream(client: httpx.AsyncClient) -> None:
    async with client.stream(
        "POST", "chat/completions", json={"model": "gpt-4o", "stream": True, "messages": user("!tokens=50000")}
    ) as r:
        async for _ in r.aiter_bytes():
            break
    choice = await _plain(client, {"model": "gpt-4o", "messages": user("still there?")})
    assert choice["finish_reason"] == "stop"


async def test_asking_the_time_without_a_known_city_asks_for_utc(client: httpx.AsyncClient) -> None:
    body = {"model": "gpt-4o", "messages": user("What time is it?"), "tools": TOOLS, "stream": False}
    choice = await _plain(client, body)
    assert json.loads(choice["message"]["tool_calls"][0]["function"]["arguments"]) == {"timezone": "UTC"}


async def test_call_trigger_calls_the_named_tool_with_the_given_arguments(client: httpx.AsyncClient) -> None:
    tools = [*TOOLS, fn("time__get_current_time", {"timezone": {"type": "string"}})]
    prompt = 'please !call time__get_current_time {"timezone": "Asia/Tokyo"} and tell me'
    body = await _plain(client, {"model": "gpt-4o", "messages": user(prompt), "tools": tools})
    [call] = body["message"]["tool_calls"]
    assert call["function"]["name"] == "time__get_current_time"
    assert json.loads(call["function"]["arguments"]) == {"timezone": "Asia/Tokyo"}
    bare = await _plain(client, {"model": "gpt-4o", "messages": user("!call calculator"), "tools": tools})
    [call] = bare["message"]["tool_calls"]
    assert (call["function"]["name"], call["function"]["arguments"]) == ("calculator", "{}")
