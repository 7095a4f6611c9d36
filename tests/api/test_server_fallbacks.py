"""Servers that lack a route or refuse a format: the client falls back, says so once,
and remembers it. Against the demo gateway with its switches (`without_responses`,
`refuse_json_schema`) and a scripted server giving the answers real servers give."""

from __future__ import annotations

import json
from typing import Any

import pytest

from chatterm.api import ChatClient, ChatRequest
from chatterm.api.errors import NotFoundError
from chatterm.api.structured import response_format_for_schema, validate_reply
from chatterm.api.types import Finished, Notice
from chatterm.demo import DEMO_API_KEY, DemoGateway
from tests.api.conftest import RawServer, Reply, chunk, sse
from tests.api.test_client_errors import json_error, make, raw_reply  # noqa: F401 - the fixture

PERSON = {
    "type": "object",
    "properties": {"name": {"type": "string"}, "age": {"type": "integer", "minimum": 0}},
    "required": ["name", "age"],
    "additionalProperties": False,
}
LLAMA_CPP_PYTHON_500 = (
    "[{'type': 'literal_error', 'loc': ('body', 'response_format', 'type'), 'msg': \"Input should be "
    "'text' or 'json_object'\", 'input': 'json_schema', 'ctx': {'expected': \"'text' or 'json_object'\"}}]"
)


def ask(model: str = "gpt-5.2", **kw: Any) -> ChatRequest:
    return ChatRequest(model, [{"role": "user", "content": kw.pop("prompt", "hello there")}], **kw)


async def events_of(client: ChatClient, req: ChatRequest) -> list[Any]:
    return [event async for event in client.stream(req)]


def notices(events: list[Any], kind: str) -> list[str]:
    return [e.text for e in events if isinstance(e, Notice) and e.kind == kind]


# --- no /v1/responses -----------------------------------------------------------------------


async def test_a_gateway_without_responses_is_asked_through_chat_once_and_remembered() -> None:
    async with (
        DemoGateway(without_responses=True) as gateway,
        ChatClient(gateway.base_url, DEMO_API_KEY, max_retries=2) as client,
    ):
        first = await events_of(client, ask(thinking=True, thinking_level="high", max_tokens=300))
        second = await events_of(client, ask(prompt="and again"))
    told = notices(first, "route_fallback")
    assert len(told) == 1 and f"has no {gateway.base_url}/responses (404" in told[0] and "/chat/completions" in told[0]
    assert "does not exist" not in told[0]
    assert first[-1].completion.content and second[-1].completion.content
    assert not notices(second, "route_fallback")
    paths = [r.path for r in gateway.requests]
    assert paths == ["/v1/responses", "/v1/chat/completions", "/v1/chat/completions"]
    sent = gateway.requests[1].body
    # the same request in chat's words: the family's reasoning and output-cap fields
    assert sent["reasoning_effort"] == "high" and sent["max_completion_tokens"] == 300
    assert "reasoning" not in sent and "max_output_tokens" not in sent


NO_ROUTE = {
    "llama-cpp-python": raw_reply(404, "Not Found", b'{"detail":"Not Found"}', "application/json"),
    "html page": raw_reply(
        404,
        "Not Found",
        b"<html><head><title>404 \x1b[31mNot Found</title></head><body>nginx</body></html>",
        "text/html",
    ),
    "openai-style, no model": json_error(404, "Not Found", "Invalid URL (POST /v1/responses)"),
    "empty 404": raw_reply(404, "Not Found", b"", "text/plain"),
    "405": raw_reply(405, "Method Not Allowed", b'{"detail":"Method Not Allowed"}', "application/json"),
    "501": raw_reply(501, "Not Implemented", b"Not Implemented", "text/plain"),
}


@pytest.mark.parametrize("answer", NO_ROUTE.values(), ids=NO_ROUTE.keys())
async def test_what_real_servers_answer_for_a_missing_route_sends_the_request_through_chat(
    raw_server: RawServer, make: Any, answer: Reply
) -> None:
    raw_server.script(answer, sse(chunk("fine"), chunk(finish="stop")))
    client = make(max_retries=2)
    events = await client.run(ask("o3-mini"))
    told = notices(events, "route_fallback")
    assert len(told) == 1 and "\x1b" not in told[0]
    assert events[-1].completion.content == "fine"
    assert [r.path for r in raw_server.requests] == ["/v1/responses", "/v1/chat/completions"]
    assert client.waits == []  # a fix, not a retry


async def test_a_404_that_names_the_model_is_still_a_missing_model(raw_server: RawServer, make: Any) -> None:
    raw_server.script(json_error(404, "Not Found", "The model `o3-mini` does not exist", code="model_not_found"))
    error = await make().fail(ask("o3-mini"))
    assert isinstance(error, NotFoundError) and "o3-mini" in str(error)
    assert len(raw_server.requests) == 1


async def test_a_forced_responses_endpoint_is_not_moved(raw_server: RawServer, make: Any) -> None:
    raw_server.script(raw_reply(404, "Not Found", b'{"detail":"Not Found"}', "application/json"))
    error = await make().fail(ask("o3-mini", endpoint="responses"))
    assert error.status == 404
    assert len(raw_server.requests) == 1


# --- json_schema refused ----------------------------------------------------------------------


async def test_a_server_refusing_json_schema_gets_json_mode_with_the_schema_in_a_system_message() -> None:
    fmt = response_format_for_schema(PERSON)
    waits: list[float] = []

    async def record(seconds: float) -> None:
        waits.append(seconds)

    async with (
        DemoGateway(refuse_json_schema=True) as gateway,
        ChatClient(gateway.base_url, DEMO_API_KEY, max_retries=2) as client,
    ):
        client.sleep = record
        first = await events_of(client, ask("gpt-4o", response_format=fmt))
        second = await events_of(client, ask("gpt-4o", response_format=fmt, prompt="another"))
    told = notices(first, "format_refused")
    assert len(told) == 1 and "`json_schema`" in told[0] and "system message" in told[0]
    assert not notices(second, "format_refused") and waits == []  # no retries spent on it
    bodies = [r.body for r in gateway.requests]
    assert len(bodies) == 3
    assert bodies[0]["response_format"]["type"] == "json_schema"
    for body in bodies[1:]:
        assert body["response_format"] == {"type": "json_object"}
        system = body["messages"][0]
        assert system["role"] == "system" and json.dumps(PERSON) in system["content"]
    # the reply is checked here against the user's schema (the format the chat asked for)
    outcome = validate_reply(first[-1].completion.content, PERSON)
    assert outcome.ok, outcome.message


async def test_a_server_refusing_json_mode_too_gets_the_schema_only_in_the_prompt(
    raw_server: RawServer, make: Any
) -> None:
    raw_server.script(
        json_error(500, "Internal Server Error", LLAMA_CPP_PYTHON_500, type="internal_server_error"),
        json_error(400, "Bad Request", "response_format.type: unsupported value 'json_object'"),
        sse(chunk('{"name": "Ada", "age": 36}'), chunk(finish="stop")),
    )
    client = make(max_retries=2)
    messages = [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "who?"}]
    events = await client.run(ChatRequest("gpt-4o", messages, response_format=response_format_for_schema(PERSON)))
    assert len(notices(events, "format_refused")) == 2 and client.waits == []
    last = raw_server.requests[-1].body
    assert "response_format" not in last
    assert last["messages"][0]["content"].startswith("Be brief.\n\n")  # one system message, first
    assert json.dumps(PERSON) in last["messages"][0]["content"]
    assert isinstance(events[-1], Finished)


async def test_a_validation_500_naming_an_optional_field_drops_it_instead_of_retrying(
    raw_server: RawServer, make: Any
) -> None:
    said = "[{'type': 'extra_forbidden', 'loc': ('body', 'stream_options'), 'msg': 'Extra inputs are not permitted'}]"
    raw_server.script(
        json_error(500, "Internal Server Error", said, type="internal_server_error"),
        sse(chunk("ok"), chunk(finish="stop")),
    )
    client = make(max_retries=2)
    events = await client.run(ask("gpt-4o"))
    assert notices(events, "field_refused") and client.waits == []
    assert "stream_options" not in raw_server.requests[1].body
    raw_server.expected_problems.append("without stream_options")


async def test_a_schema_the_server_finds_invalid_is_told_not_worked_around(raw_server: RawServer, make: Any) -> None:
    """OpenAI takes json_schema but refuses a schema strict mode cannot use: the user must
    hear that, not get JSON mode instead."""
    said = "Invalid schema for response_format 'p': 'additionalProperties' is required to be supplied and to be false."
    raw_server.script(json_error(400, "Bad Request", said, code="invalid_json_schema"))
    error = await make(max_retries=2).fail(ask("gpt-4o", response_format=response_format_for_schema(PERSON)))
    assert "Invalid schema" in str(error) and len(raw_server.requests) == 1
