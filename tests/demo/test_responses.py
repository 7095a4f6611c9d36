"""`/v1/responses`: events, bodies, reasoning summaries, function calls, files, errors."""

from __future__ import annotations

import base64
import json

import httpx
import pytest
from jsonschema import ValidationError

from tests.demo.demo_support import sse_events, validate

TOOLS = [
    {
        "type": "function",
        "name": "current_time",
        "description": "now",
        "parameters": {"type": "object", "properties": {}},
        "strict": False,
    },
    {
        "type": "function",
        "name": "calculator",
        "description": "math",
        "parameters": {"type": "object", "properties": {"expression": {"type": "string"}}},
        "strict": False,
    },
]


async def _events(client: httpx.AsyncClient, body: dict) -> list[dict]:
    r = await client.post("responses", json={**body, "stream": True})
    assert r.status_code == 200, r.text
    events = []
    for name, data in sse_events(r.text):
        event = json.loads(data)
        assert event["type"] == name
        events.append(event)
    assert [e["sequence_number"] for e in events] == list(range(len(events)))
    return events


def _check_event(event: dict) -> None:
    """Validate against the spec, allowing its documented quirk (no usage before completion)."""
    validate("responses-stream-event", event)


async def test_plain_response_body_validates(client: httpx.AsyncClient) -> None:
    r = await client.post("responses", json={"model": "gpt-5.2", "input": "Summarise HTTP keep-alive"})
    assert r.status_code == 200
    body = r.json()
    validate("responses-response", body)
    assert body["status"] == "completed"
    text = body["output"][0]["content"][0]["text"]
    assert text.startswith("## ") and "> Summarise HTTP keep-alive" in text
    assert body["usage"]["output_tokens"] > 0 and body["usage"]["input_tokens"] > 0


async def test_stream_events_validate_and_end_with_completed(client: httpx.AsyncClient) -> None:
    events = await _events(client, {"model": "gpt-5.1", "input": [{"role": "user", "content": "stream me"}]})
    for event in events:
        _check_event(event)
    types = [e["type"] for e in events]
    assert types[:2] == ["response.created", "response.in_progress"]
    assert types[-1] == "response.completed"
    deltas = "".join(e["delta"] for e in events if e["type"] == "response.output_text.delta")
    done = next(e for e in events if e["type"] == "response.output_text.done")
    assert deltas == done["text"]
    final = events[-1]["response"]
    assert final["output"][0]["content"][0]["text"] == deltas
    assert final["usage"]["total_tokens"] == final["usage"]["input_tokens"] + final["usage"]["output_tokens"]


async def test_reasoning_summary_comes_first_and_is_counted(client: httpx.AsyncClient) -> None:
    body = {"model": "o4-mini", "input": "think first", "reasoning": {"effort": "low", "summary": "auto"}}
    events = await _events(client, body)
    for event in events:
        _check_event(event)
    types = [e["type"] for e in events]
    first_summary = types.index("response.reasoning_summary_text.delta")
    assert first_summary < types.index("response.output_text.delta")
    summary = "".join(e["delta"] for e in events if e["type"] == "response.reasoning_summary_text.delta")
    assert "2 words" in summary
    usage = events[-1]["response"]["usage"]
    assert usage["output_tokens_details"]["reasoning_tokens"] == sum(
        1 for t in types if t == "response.reasoning_summary_text.delta"
    )


async def test_reasoning_without_summary_is_hidden_but_counted(client: httpx.AsyncClient) -> None:
    events = await _events(client, {"model": "o3-mini", "input": "quiet", "reasoning": {"effort": "high"}})
    assert not any(e["type"] == "response.reasoning_summary_text.delta" for e in events)
    assert events[-1]["response"]["usage"]["output_tokens_details"]["reasoning_tokens"] > 0


async def test_function_calls_and_their_outputs(client: httpx.AsyncClient) -> None:
    body = {"model": "gpt-5.2", "input": "what time is it, and 7*6?", "tools": TOOLS}
    events = await _events(client, body)
    for event in events:
        _check_event(event)
    done = [e for e in events if e["type"] == "response.function_call_arguments.done"]
    assert [d["name"] for d in done] == ["current_time", "calculator"]
    deltas = [
        e
        for e in events
        if e["type"] == "response.function_call_arguments.delta" and e["item_id"] == done[1]["item_id"]
    ]
    assert len(deltas) > 1 and "".join(d["delta"] for d in deltas) == done[1]["arguments"]
    items = [i for i in events[-1]["response"]["output"] if i["type"] == "function_call"]
    assert len({i["call_id"] for i in items}) == 2
    follow = {
        "model": "gpt-5.2",
        "tools": TOOLS,
        "input": [
            {"role": "user", "content": "what time is it, and 7*6?"},
            *[
                {"type": "function_call", "call_id": i["call_id"], "name": i["name"], "arguments": i["arguments"]}
                for i in items
            ],
            {"type": "function_call_output", "call_id": items[0]["call_id"], "output": "10:00 UTC"},
            {"type": "function_call_output", "call_id": items[1]["call_id"], "output": "42"},
        ],
    }
    r = await client.post("responses", json=follow)
    validate("responses-response", r.json())
    text = r.json()["output"][0]["content"][0]["text"]
    assert "The tool current_time returned: 10:00 UTC" in text and "The tool calculator returned: 42" in text


async def test_files_are_acknowledged_by_name_and_size(client: httpx.AsyncClient) -> None:
    pdf = b"%PDF-1.4 demo" * 10
    content = [
        {"type": "input_text", "text": "read these"},
        {
            "type": "input_file",
            "filename": "report.pdf",
            "file_data": "data:application/pdf;base64," + base64.b64encode(pdf).decode(),
        },
        {"type": "input_file", "file_url": "https://example.com/docs/spec.pdf"},
    ]
    r = await client.post("responses", json={"model": "gpt-4o", "input": [{"role": "user", "content": content}]})
    text = r.json()["output"][0]["content"][0]["text"]
    assert f"`report.pdf` (application/pdf, {len(pdf):,} bytes)" in text
    assert "`spec.pdf`" in text


async def test_bad_file_data_is_400(client: httpx.AsyncClient) -> None:
    content = [{"type": "input_file", "filename": "x.pdf", "file_data": "data:application/pdf;base64,@@@"}]
    r = await client.post("responses", json={"model": "gpt-4o", "input": [{"role": "user", "content": content}]})
    assert r.status_code == 400
    validate("error-response", r.json())


async def test_max_output_tokens_gives_incomplete(client: httpx.AsyncClient) -> None:
    events = await _events(client, {"model": "gpt-4o", "input": "cut me short please", "max_output_tokens": 16})
    assert events[-1]["type"] == "response.incomplete"
    assert events[-1]["response"]["incomplete_details"] == {"reason": "max_output_tokens"}
    assert sum(1 for e in events if e["type"] == "response.output_text.delta") == 16


async def test_filtered_trigger_gives_incomplete_for_the_content_filter(client: httpx.AsyncClient) -> None:
    events = await _events(client, {"model": "gpt-4o", "input": "say it !filtered"})
    assert events[-1]["type"] == "response.incomplete"
    assert events[-1]["response"]["incomplete_details"] == {"reason": "content_filter"}
    assert sum(1 for e in events if e["type"] == "response.output_text.delta") == 5


async def test_error_trigger_sends_an_error_event(client: httpx.AsyncClient) -> None:
    events = await _events(client, {"model": "gpt-4o", "input": "!error"})
    assert events[-1]["type"] == "error"
    _check_event(events[-1])
    assert not any(e["type"] == "response.completed" for e in events)


async def test_failed_trigger_sends_response_failed(client: httpx.AsyncClient) -> None:
    events = await _events(client, {"model": "gpt-4o", "input": "!failed"})
    assert events[-1]["type"] == "response.failed"
    assert events[-1]["response"]["error"]["code"] == "server_error"
    _check_event(events[-1])


async def test_web_search_tool_gives_url_citations(client: httpx.AsyncClient) -> None:
    r = await client.post(
        "responses", json={"model": "gpt-4o", "input": "search news", "tools": [{"type": "web_search"}]}
    )
    part = r.json()["output"][0]["content"][0]
    assert len(part["annotations"]) == 3
    for i, note in enumerate(part["annotations"], 1):
        assert part["text"][note["start_index"] : note["end_index"]] == f"[{i}]"
    validate("responses-response", r.json())


async def test_json_schema_text_format(client: httpx.AsyncClient) -> None:
    schema = {
        "type": "object",
        "properties": {"city": {"type": "string"}},
        "required": ["city"],
        "additionalProperties": False,
    }
    fmt = {"type": "json_schema", "name": "place", "schema": schema, "strict": True}
    r = await client.post("responses", json={"model": "gpt-5.2", "input": "a city", "text": {"format": fmt}})
    assert json.loads(r.json()["output"][0]["content"][0]["text"]) == {"city": "sample city"}


async def test_status_faults_apply_to_responses_too(client: httpx.AsyncClient) -> None:
    r = await client.post("responses", json={"model": "gpt-4o", "input": "!429", "stream": True})
    assert r.status_code == 429


def test_validation_helper_can_fail() -> None:
    with pytest.raises(ValidationError):
        validate("responses-stream-event", {"type": "response.output_text.delta"})
