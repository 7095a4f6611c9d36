"""ChatClient against the embedded demo gateway over loopback TCP: replies, families'
shapes, and every documented fault trigger, with the gateway table's messages verbatim.

Every chat request body the gateway received is validated against the OpenAI request
schema at the end of each test (GLM's `web_search` tool excepted: the gateway documents it,
the OpenAI schema does not know it).
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from chatterm.api import ChatClient, ChatRequest, RetryPolicy
from chatterm.api.errors import (
    APIConnectionError,
    APIError,
    AuthenticationError,
    DeadlineError,
    NotFoundError,
    RateLimitError,
    RequestValidationError,
)
from chatterm.api.types import (
    CitationsUpdate,
    Completion,
    Finished,
    Notice,
    ReasoningDelta,
    TextDelta,
    ToolCallDelta,
    UsageUpdate,
)
from chatterm.demo import BAD_API_KEY, DEMO_API_KEY, DemoGateway

from .conftest import validate_chat_request

TOOLS = [
    {
        "type": "function",
        "function": {
            "name": "current_time",
            "description": "The current time",
            "parameters": {"type": "object", "properties": {"timezone": {"type": "string"}}},
        },
    },
    {
        "type": "function",
        "function": {
            "name": "calculator",
            "description": "Evaluate arithmetic",
            "parameters": {
                "type": "object",
                "properties": {"expression": {"type": "string"}},
                "required": ["expression"],
            },
        },
    },
]


class Demo:
    def __init__(self, gateway: DemoGateway, client: ChatClient, waits: list[float]) -> None:
        self.gateway = gateway
        self.client = client
        self.waits = waits

    async def run(self, prompt: str, **kw: Any) -> list[Any]:
        return [e async for e in self.client.stream(ask(prompt, **kw))]

    async def fail(self, prompt: str, **kw: Any) -> APIError:
        with pytest.raises(APIError) as info:
            await self.run(prompt, **kw)
        return info.value

    def chat_posts(self) -> list[Any]:
        return [r for r in self.gateway.requests if r.path.endswith("/chat/completions")]


def ask(prompt: str, **kw: Any) -> ChatRequest:
    return ChatRequest(kw.pop("model", "gpt-4o"), [{"role": "user", "content": prompt}], **kw)


def done(events: list[Any]) -> Completion:
    assert isinstance(events[-1], Finished)
    return events[-1].completion


def texts(events: list[Any]) -> list[str]:
    return [e.text for e in events if isinstance(e, TextDelta)]


async def open_demo(**client_kw: Any) -> tuple[DemoGateway, Demo]:
    gateway = DemoGateway()
    base_url = await gateway.start()
    waits: list[float] = []
    client = ChatClient(base_url, client_kw.pop("key", DEMO_API_KEY), **client_kw)

    async def record(seconds: float) -> None:
        waits.append(seconds)

    client.sleep = record
    return gateway, Demo(gateway, client, waits)


@pytest.fixture
async def demo() -> Any:
    gateway, d = await open_demo(retry=RetryPolicy(max_retries=2, base_delay=0.001), read_timeout=5)
    yield d
    await d.client.aclose()
    await gateway.stop()
    for received in d.chat_posts():
        tools = received.body.get("tools") or []
        if not any(t.get("type") == "web_search" for t in tools):
            validate_chat_request(received.body)


# --- replies --------------------------------------------------------------------------


async def test_streamed_reply(demo: Demo) -> None:
    events = await demo.run("Tell me about tables")
    completion = done(events)
    assert completion.finish_reason == "stop"
    assert completion.content.startswith("#")
    assert "Tell me about tables" in completion.content
    assert "".join(texts(events)) == completion.content
    assert completion.usage is not None
    assert completion.usage.completion_tokens == len(texts(events))
    assert completion.usage.total_tokens == completion.usage.prompt_tokens + completion.usage.completion_tokens
    assert any(isinstance(e, UsageUpdate) for e in events)
    sent = demo.chat_posts()[0].body
    assert sent["stream_options"] == {"include_usage": True}


async def test_streamed_and_whole_replies_agree(demo: Demo) -> None:
    streamed = done(await demo.run("same prompt"))
    whole = await demo.client.complete(ask("same prompt", stream=False))
    assert whole.content == streamed.content
    assert whole.finish_reason == streamed.finish_reason
    assert whole.usage == streamed.usage


async def test_max_tokens_cuts_with_length(demo: Demo) -> None:
    completion = done(await demo.run("long answer please", max_tokens=5))
    assert completion.finish_reason == "length"
    assert completion.usage is not None and completion.usage.completion_tokens == 5


async def test_twenty_thousand_tokens(demo: Demo) -> None:
    events = await demo.run("!tokens=20000")
    assert len(texts(events)) == 20000
    assert done(events).usage.completion_tokens == 20000  # type: ignore[union-attr]


async def test_list_models(demo: Demo) -> None:
    models = await demo.client.list_models()
    assert {"gpt-4o", "grok-4", "deepseek-r1", "glm-5"} <= set(models)


async def test_out_of_range_values_are_refused_before_sending(demo: Demo) -> None:
    with pytest.raises(RequestValidationError) as info:
        await demo.run("hi", temperature=2.5)
    assert str(info.value) == "temperature must be between 0 and 2 (got 2.5)"
    with pytest.raises(RequestValidationError) as info:
        await demo.run("hi", top_p=1.5)
    assert str(info.value) == "top_p must be between 0 and 1 (got 1.5)"
    with pytest.raises(RequestValidationError) as info:
        await demo.run("hi", temperature=-0.1)
    assert str(info.value) == "temperature must be between 0 and 2 (got -0.1)"
    assert demo.gateway.requests == []


# --- tools -----------------------------------------------------------------------------


async def test_parallel_tool_calls_then_the_answer(demo: Demo) -> None:
    events = await demo.run("!parallel", tools=TOOLS)
    first = done(events)
    assert first.finish_reason == "tool_calls"
    assert [c.name for c in first.tool_calls] == ["current_time", "calculator"]
    assert len({c.id for c in first.tool_calls}) == 2
    assert first.tool_calls[1].parsed_arguments() == {"expression": "6*7"}
    assert first.content == ""
    assert {e.index for e in events if isinstance(e, ToolCallDelta)} == {0, 1}

    messages: list[dict[str, Any]] = [
        {"role": "user", "content": "!parallel"},
        {"role": "assistant", "content": None, "tool_calls": [c.to_wire() for c in first.tool_calls]},
    ]
    for call, result in zip(first.tool_calls, ["12:00 UTC", "42"], strict=True):
        messages.append({"role": "tool", "tool_call_id": call.id, "content": result})
    final = await demo.client.complete(ChatRequest("gpt-4o", messages, tools=TOOLS))
    assert final.finish_reason == "stop"
    assert "42" in final.content and "12:00 UTC" in final.content


async def test_gemini_tool_call_keeps_its_thought_signature(demo: Demo) -> None:
    completion = done(await demo.run("calculate 2+3*4", model="gemini-3-pro-preview", tools=TOOLS))
    call = completion.tool_calls[0]
    assert call.name == "calculator"
    assert call.parsed_arguments() == {"expression": "2+3*4"}
    signature = call.extra["extra_content"]["google"]["thought_signature"]
    assert signature
    # The follow-up carries the call back as the client rebuilt it: the signature included.
    messages: list[dict[str, Any]] = [
        {"role": "user", "content": "calculate 2+3*4"},
        {"role": "assistant", "content": None, "tool_calls": [c.to_wire() for c in completion.tool_calls]},
        {"role": "tool", "tool_call_id": call.id, "content": "14"},
    ]
    final = await demo.client.complete(ChatRequest("gemini-3-pro-preview", messages, tools=TOOLS))
    assert "14" in final.content
    sent = demo.chat_posts()[-1].body["messages"][1]["tool_calls"][0]
    assert sent["extra_content"] == {"google": {"thought_signature": signature}}
    assert sent["id"] == call.id and sent["function"]["name"] == "calculator"


# --- families: reasoning and citations ------------------------------------------------------


@pytest.mark.parametrize("model", ["deepseek-v3", "glm-4.7", "gemini-3-pro-preview"])
async def test_reasoning_arrives_first_in_each_family_shape(demo: Demo, model: str) -> None:
    events = await demo.run("why is the sky blue", model=model, thinking=True)
    kinds = [type(e) for e in events if isinstance(e, (ReasoningDelta, TextDelta))]
    assert kinds[0] is ReasoningDelta
    assert kinds.index(TextDelta) > 0 and ReasoningDelta not in kinds[kinds.index(TextDelta) :]
    completion = done(events)
    assert completion.reasoning and "<thought>" not in completion.reasoning
    assert "<thought>" not in completion.content
    assert completion.usage is not None and completion.usage.reasoning_tokens


async def test_grok_reasoning_tokens_are_hidden_but_counted(demo: Demo) -> None:
    completion = done(await demo.run("plan a trip", model="grok-4-fast-reasoning"))
    assert completion.reasoning is None
    usage = completion.usage
    assert usage is not None and usage.reasoning_tokens
    assert usage.answer_tokens == usage.completion_tokens - usage.reasoning_tokens  # type: ignore[operator]


@pytest.mark.parametrize("model", ["qwen3-coder-plus", "grok-3", "glm-4.7", "gpt-4o-search-preview"])
async def test_citations_from_each_family_shape(demo: Demo, model: str) -> None:
    events = await demo.run("latest news on rust", model=model, search=True)
    completion = done(events)
    assert len(completion.citations) == 3
    assert all(c.url.startswith("http") for c in completion.citations)
    updates = [e for e in events if isinstance(e, CitationsUpdate)]
    assert updates and updates[-1].citations == tuple(completion.citations)


async def test_grok_4_search_no_longer_supported_answers_without_search(demo: Demo) -> None:
    events = await demo.run("latest news", model="grok-4", search=True)
    assert events[0] == Notice(
        "grok-4: web search is not supported here (search_parameters is no longer supported); answering without search",
        kind="search_refused",
    )
    assert done(events).content
    first, second = (r.body for r in demo.chat_posts())
    assert "search_parameters" in first and "search_parameters" not in second


async def test_search_failure_is_retried_once_with_search(demo: Demo) -> None:
    events = await demo.run("!searchfail weather", model="qwen3-coder-plus", search=True)
    notices = [e for e in events if isinstance(e, Notice)]
    assert [n.kind for n in notices] == ["retry"]  # told, but not that search was dropped
    assert notices[0].text.startswith("the server answered 5") and notices[0].text.endswith("(1 of 2)")
    assert len(done(events).citations) == 3
    assert len(demo.chat_posts()) == 2


# --- auth and names ---------------------------------------------------------------------


async def test_bad_key() -> None:
    gateway, d = await open_demo(key=BAD_API_KEY)
    try:
        error = await d.fail("hi")
        assert type(error) is AuthenticationError
        assert str(error) == "Error: Invalid or unauthorized API key"
        assert error.provider_message == "Incorrect API key provided."
        assert BAD_API_KEY not in repr(d.client)
        with pytest.raises(AuthenticationError):
            await d.client.list_models()
    finally:
        await d.client.aclose()
        await gateway.stop()


async def test_missing_key() -> None:
    gateway, d = await open_demo(key=None)
    try:
        error = await d.fail("hi")
        assert type(error) is AuthenticationError
        assert error.provider_message == "You didn't provide an API key. Send it as 'Authorization: Bearer <key>'."
    finally:
        await d.client.aclose()
        await gateway.stop()


async def test_unknown_model(demo: Demo) -> None:
    error = await demo.fail("hi", model="nope-1")
    assert type(error) is NotFoundError
    assert str(error) == "Error: Model nope-1 does not exist or is not supported"
    assert error.provider_message == "The model `nope-1` does not exist"


# --- fault triggers ----------------------------------------------------------------------


async def test_drop_keeps_partial_and_is_not_retried(demo: Demo) -> None:
    seen: list[Any] = []
    with pytest.raises(APIConnectionError) as info:
        async for event in demo.client.stream(ask("!drop now")):
            seen.append(event)
    assert str(info.value) == "Error: Cannot connect to API server"
    assert len(texts(seen)) == 5
    assert info.value.partial_content == "".join(texts(seen))
    assert len(demo.chat_posts()) == 1


async def test_stall_times_out_with_partial() -> None:
    gateway, d = await open_demo(read_timeout=0.3)
    try:
        error = await d.fail("!stall please")
        assert type(error) is DeadlineError
        assert str(error) == "Error: the server sent no reply data for 0.3 s (timeouts.idle)"
        assert error.partial is not None and error.partial.content
        assert len(d.chat_posts()) == 1
    finally:
        await d.client.aclose()
        await gateway.stop()


async def test_stall_without_stream_fails_at_the_first_byte_deadline_and_is_not_sent_again() -> None:
    """The server took the request: sending it again could run (and bill) it twice."""
    gateway, d = await open_demo(read_timeout=0.2, retry=RetryPolicy(max_retries=1, base_delay=0.001))
    try:
        error = await d.fail("!stall", stream=False)
        assert type(error) is DeadlineError
        assert str(error) == "Error: the server accepted the request but sent nothing for 0.2 s (timeouts.first_byte)"
        assert len(d.chat_posts()) == 1
    finally:
        await d.client.aclose()
        await gateway.stop()


async def test_429_waits_as_told_then_fails_saying_when(demo: Demo) -> None:
    error = await demo.fail("!429")
    assert type(error) is RateLimitError
    assert str(error) == "API request failed: 429 Rate limit reached for requests. Try again in 1s."
    assert error.retry_after == 1.0
    assert demo.waits == [1.0, 1.0]
    assert len(demo.chat_posts()) == 3


async def test_429_with_a_long_wait_fails_at_once(demo: Demo) -> None:
    error = await demo.fail("!429long")
    assert str(error) == "API request failed: 429 Rate limit reached for requests. Try again in 120s."
    assert demo.waits == []


async def test_quota_is_not_retried(demo: Demo) -> None:
    error = await demo.fail("!quota")
    assert type(error) is RateLimitError
    assert str(error) == (
        "API request failed: 429 You exceeded your current quota, please check your plan and billing details. "
        "(quota exhausted: check the plan and billing; retrying will not help)"
    )
    assert len(demo.chat_posts()) == 1


async def test_500_is_retried_then_fails(demo: Demo) -> None:
    error = await demo.fail("!500")
    assert type(error) is APIError
    assert str(error) == "API request failed: 500 The server had an error while processing your request."
    assert error.status == 500
    assert len(demo.chat_posts()) == 3


async def test_502_html_page(demo: Demo) -> None:
    error = await demo.fail("!502html")
    assert str(error) == "API request failed: 502 Bad Gateway"
    assert "<" not in str(error)


async def test_flaky_succeeds_on_retry(demo: Demo) -> None:
    events = await demo.run("!flaky hello")
    assert done(events).content
    assert len(demo.chat_posts()) == 2
    assert len(demo.waits) == 1


async def test_malformed_chunk_is_skipped_and_told(demo: Demo) -> None:
    events = await demo.run("!malformed text")
    notices = [e for e in events if isinstance(e, Notice)]
    assert len(notices) == 1 and notices[0].kind == "malformed"
    assert notices[0].text.startswith("The server sent a malformed stream chunk (")
    completion = done(events)
    assert completion.finish_reason == "stop"
    assert completion.usage is not None and completion.usage.completion_tokens == len(texts(events))


async def test_malformed_whole_body(demo: Demo) -> None:
    error = await demo.fail("!malformed", stream=False)
    assert str(error).startswith("API request failed: 200 the reply is not valid JSON: {")


async def test_error_inside_the_stream(demo: Demo) -> None:
    error = await demo.fail("!error now")
    assert type(error) is APIError
    assert str(error) == "API request failed: The model stream failed mid-reply (demo !error)."
    assert error.provider_message == "The model stream failed mid-reply (demo !error)."
    assert error.partial is not None and error.partial.content
    assert len(demo.chat_posts()) == 1


async def test_error_body_without_stream(demo: Demo) -> None:
    error = await demo.fail("!error", stream=False)
    assert str(error) == "API request failed: The model failed mid-reply (demo !error)."


async def test_one_pooled_connection_serves_every_request(demo: Demo) -> None:
    connects: list[str] = []

    async def trace(name: str, info: dict[str, Any]) -> None:
        if name == "connection.connect_tcp.complete":
            connects.append(name)

    async def add_trace(request: httpx.Request) -> None:
        request.extensions["trace"] = trace

    async with httpx.AsyncClient(event_hooks={"request": [add_trace]}) as http:
        client = ChatClient(demo.client.base_url, DEMO_API_KEY, http=http)
        for prompt in ("one", "two", "!tokens=3000", "!malformed"):
            await client.complete(ask(prompt))
        await client.complete(ask("whole", stream=False))
        assert await client.list_models()
        await client.aclose()  # does not close a pool it was given
        assert not http.is_closed
    assert len(connects) == 1


# --- Responses API through the client ------------------------------------------------------


async def test_responses_endpoint_streamed_and_whole(demo: Demo) -> None:
    streamed = done(await demo.run("hello there", model="o3-mini", thinking=True))
    assert [r.path for r in demo.gateway.requests] == ["/v1/responses"]
    assert streamed.content and streamed.usage is not None
    whole = await demo.client.complete(ask("hello there", model="o3-mini", thinking=True, stream=False))
    assert whole.content == streamed.content


async def test_responses_error_event_keeps_partial(demo: Demo) -> None:
    error = await demo.fail("!error", model="gpt-4o", endpoint="responses")
    assert error.partial is not None and error.partial.content
    assert len(demo.gateway.requests) == 1
