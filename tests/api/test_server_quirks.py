"""Shapes third-party OpenAI-compatible servers really send (llama.cpp, vLLM, Ollama,
Azure, LiteLLM, one-api style gateways), each over loopback TCP from a scripted server."""

from __future__ import annotations

import json
from typing import Any

from chatterm.api.types import Finished, TextDelta
from tests.api.conftest import RawServer, Reply, chunk, sse
from tests.api.test_client_errors import make, request  # noqa: F401 - the fixture


def _body(payload: dict[str, Any], ctype: str = "application/json") -> Reply:
    return Reply([json.dumps(payload).encode()], headers={"content-type": ctype}, chunked=False)


COMPLETION = {
    "id": "c1",
    "object": "chat.completion",
    "created": 1,
    "model": "local-model",
    "choices": [{"index": 0, "message": {"role": "assistant", "content": "whole answer"}, "finish_reason": "stop"}],
    "usage": {"prompt_tokens": 3, "completion_tokens": 2, "total_tokens": 5},
}


async def test_a_server_that_ignores_stream_true_and_answers_with_json(raw_server: RawServer, make: Any) -> None:
    raw_server.script(_body(COMPLETION))
    events = await make().run(request(stream=True))
    assert [e.text for e in events if isinstance(e, TextDelta)] == ["whole answer"]
    assert events[-1].completion.content == "whole answer"
    assert events[-1].completion.usage.total_tokens == 5


async def test_a_server_that_always_streams_even_when_asked_not_to(raw_server: RawServer, make: Any) -> None:
    raw_server.script(sse(chunk("str"), chunk("eamed"), chunk(finish="stop")))
    events = await make().run(request(stream=False))
    assert events[-1].completion.content == "streamed"


async def test_sse_sent_with_a_json_or_plain_content_type(raw_server: RawServer, make: Any) -> None:
    for ctype in ("application/json", "text/plain; charset=utf-8", "application/x-ndjson", ""):
        raw_server.script(Reply([sse(chunk("ok"), chunk(finish="stop"))], headers={"content-type": ctype}))
        events = await make().run(request(stream=True))
        assert events[-1].completion.content == "ok", ctype


async def test_data_lines_without_a_space_and_azure_prompt_filter_chunks(raw_server: RawServer, make: Any) -> None:
    azure_first = {
        "id": "",
        "object": "",
        "created": 0,
        "model": "",
        "choices": [],
        "prompt_filter_results": [{"prompt_index": 0, "content_filter_results": {}}],
    }
    body = (
        b"data:"
        + json.dumps(azure_first).encode()
        + b"\n\n"
        + b"data:"
        + json.dumps(chunk("hi")).encode()
        + b"\n\n"
        + b"data:"
        + json.dumps(chunk(finish="stop")).encode()
        + b"\n\n"
        + b"data:[DONE]\n\n"
    )
    raw_server.script(Reply([body]))
    events = await make().run(request(stream=True))
    assert events[-1].completion.content == "hi"


async def test_llama_cpp_timings_and_a_final_usage_chunk_with_no_choices(raw_server: RawServer, make: Any) -> None:
    last = {
        "id": "x",
        "object": "chat.completion.chunk",
        "created": 1,
        "model": "m",
        "choices": [],
        "usage": {"prompt_tokens": 4, "completion_tokens": 1, "total_tokens": 5},
        "timings": {"prompt_n": 4, "predicted_per_second": 50.0},
    }
    raw_server.script(sse(chunk("yo"), chunk(finish="stop"), last))
    events = await make().run(request(stream=True))
    finished = events[-1]
    assert isinstance(finished, Finished)
    assert finished.completion.content == "yo" and finished.completion.usage.prompt_tokens == 4


async def test_ndjson_stream_without_sse_framing(raw_server: RawServer, make: Any) -> None:
    """Some proxies pass a stream on as one JSON object per line, no `data:` prefix."""
    lines = b"".join(json.dumps(c).encode() + b"\n" for c in (chunk("a"), chunk("b"), chunk(finish="stop")))
    raw_server.script(Reply([lines], headers={"content-type": "application/x-ndjson"}))
    events = await make().run(request(stream=True))
    assert events[-1].completion.content == "ab"


async def test_an_empty_200_body_is_an_error_not_a_blank_answer(raw_server: RawServer, make: Any) -> None:
    raw_server.script(Reply([b""], headers={"content-type": "application/json"}, chunked=False))
    error = await make().fail(request(stream=False))
    assert str(error) == "API request failed: 200 the reply was empty"


async def test_model_lists_in_the_shapes_servers_use(raw_server: RawServer, make: Any) -> None:
    shapes = [
        {"object": "list", "data": [{"id": "a", "object": "model"}, {"id": "b"}]},
        {"models": [{"name": "a", "model": "a"}, {"name": "b"}]},  # Ollama's shape
        ["a", "b"],
        {"data": [{"id": "a"}, {"id": "a"}, {"id": "b"}, {"id": None}, 7]},
    ]
    for shape in shapes:
        raw_server.script(_body(shape))
        assert await make().client.list_models() == ["a", "b"], shape


def test_base_urls_as_people_paste_them() -> None:
    from chatterm.api.client import normalize_base_url

    assert normalize_base_url("http://localhost:8000") == "http://localhost:8000/v1"
    assert normalize_base_url("http://localhost:8000/") == "http://localhost:8000/v1"
    assert normalize_base_url("http://192.168.1.20:11434") == "http://192.168.1.20:11434/v1"
    assert normalize_base_url("https://api.perplexity.ai") == "https://api.perplexity.ai"  # served at the root
    assert normalize_base_url("https://api.perplexity.ai/chat/completions") == "https://api.perplexity.ai"
    assert normalize_base_url("https://gw.example.com/v1/") == "https://gw.example.com/v1"
    assert normalize_base_url("https://gw.example.com/v1/chat/completions") == "https://gw.example.com/v1"
    assert normalize_base_url("https://openrouter.ai/api/v1") == "https://openrouter.ai/api/v1"
    assert normalize_base_url("https://x.example/api/v3/responses") == "https://x.example/api/v3"


async def test_a_bare_host_reaches_the_v1_endpoints(raw_server: RawServer) -> None:
    from chatterm.api.client import ChatClient

    raw_server.script(sse(chunk("ok"), chunk(finish="stop")))
    host = raw_server.base_url.removesuffix("/v1")
    client = ChatClient(host, "sk-test", max_retries=0)
    try:
        completion = await client.complete(request(stream=True))
    finally:
        await client.aclose()
    assert completion.content == "ok"
    assert raw_server.requests[0].path.endswith("/v1/chat/completions")


async def test_a_server_refusing_stream_options_gets_the_request_without_it(raw_server: RawServer, make: Any) -> None:
    from chatterm.api.types import Notice
    from tests.api.test_client_errors import json_error

    refusal = json_error(400, "Bad Request", "Unrecognized request argument supplied: stream_options")
    raw_server.script(refusal, sse(chunk("ok"), chunk(finish="stop")), sse(chunk("again"), chunk(finish="stop")))
    client = make()
    events = await client.run(request(stream=True))
    assert events[0] == Notice(
        "gpt-4o: the server does not take `stream_options`; sent without it", kind="field_refused"
    )
    assert events[-1].completion.content == "ok"
    first, second = (r.body for r in raw_server.requests)
    assert "stream_options" in first and "stream_options" not in second and second["stream"] is True
    events = await client.run(request(stream=True))  # remembered: no failed try first
    assert events[-1].completion.content == "again" and not any(isinstance(e, Notice) for e in events)
    assert "stream_options" not in raw_server.requests[2].body
    # this server refused the usage request: the requests to it go without, by design
    raw_server.expected_problems.append("without stream_options")


async def test_an_unknown_reasoning_model_refusing_max_tokens_gets_max_completion_tokens(
    raw_server: RawServer, make: Any
) -> None:
    from tests.api.test_client_errors import json_error

    refusal = json_error(
        400,
        "Bad Request",
        "Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead.",
        code="unsupported_parameter",
    )
    temperature = json_error(
        400,
        "Bad Request",
        "Unsupported value: 'temperature' does not support 0.2 with "
        "this model. Only the default (1) value is supported.",
        code="unsupported_value",
    )
    raw_server.script(refusal, temperature, sse(chunk("fine"), chunk(finish="stop")))
    events = await make().run(request(model="my-reasoner", stream=True, max_tokens=300, temperature=0.2))
    assert events[-1].completion.content == "fine"
    last = raw_server.requests[-1].body
    assert last["max_completion_tokens"] == 300 and "max_tokens" not in last and "temperature" not in last


async def test_a_400_about_a_value_or_a_required_field_is_not_a_refused_field(raw_server: RawServer, make: Any) -> None:
    from tests.api.test_client_errors import json_error

    raw_server.script(
        json_error(400, "Bad Request", "messages: field required"),
        json_error(400, "Bad Request", "Invalid value for temperature"),
    )
    error = await make().fail(request(stream=True, temperature=0.5))
    assert "field required" in str(error) and len(raw_server.requests) == 1
    error = await make().fail(request(stream=True, temperature=0.5))
    assert "Invalid value for temperature" in str(error) and len(raw_server.requests) == 2


async def test_an_output_cap_refused_under_both_names_is_left_out(raw_server: RawServer, make: Any) -> None:
    from tests.api.test_client_errors import json_error

    raw_server.script(
        json_error(400, "Bad Request", "Unsupported parameter: 'max_tokens'. Use 'max_completion_tokens' instead."),
        json_error(
            400, "Bad Request", "Unrecognized request argument supplied: max_completion_tokens. Use max_tokens."
        ),
        sse(chunk("ok"), chunk(finish="stop")),
    )
    client = make()
    events = await client.run(request(model="odd-server-model", stream=True, max_tokens=100))
    assert events[-1].completion.content == "ok"
    last = raw_server.requests[-1].body
    assert "max_tokens" not in last and "max_completion_tokens" not in last
    raw_server.script(sse(chunk("again"), chunk(finish="stop")))  # the next request: one try
    events = await client.run(request(model="odd-server-model", stream=True, max_tokens=100))
    assert events[-1].completion.content == "again" and len(raw_server.requests) == 4
    assert (
        "max_tokens" not in raw_server.requests[-1].body and "max_completion_tokens" not in raw_server.requests[-1].body
    )
