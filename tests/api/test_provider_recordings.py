"""Recorded wire traffic from real providers, replayed byte for byte through `ChatClient`.

Each file in `recordings/` is what one provider sends for one scenario (SSE bytes exactly
as sent, or a JSON body); `recordings/README.md` says where each shape comes from. The
scripted loopback server serves a file twice: whole, and cut into 7-byte pieces (so reads
split inside JSON, UTF-8 characters and `data:` lines). Each case checks what a user
would: the answer, the reasoning, the tool calls, token counts, cited sources and the
finish reason, or, for an error, its class, message and the partial reply kept.
"""

from __future__ import annotations

import http
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from chatterm.api import ChatRequest
from chatterm.api.errors import APIError, NotFoundError, RateLimitError
from chatterm.api.types import Finished, ReasoningDelta, TextDelta, ToolCallDelta
from tests.api.conftest import RawServer, Reply, chunk, pieces_of, sse
from tests.api.test_client_errors import make, request  # noqa: F401 - the fixture

RECORDINGS = Path(__file__).parent / "recordings"


@dataclass(frozen=True)
class Usage:
    prompt: int | None = None
    completion: int | None = None
    total: int | None = None
    reasoning: int | None = None
    cached: int | None = None


@dataclass(frozen=True)
class Call:
    id: str
    name: str
    arguments: dict[str, Any]
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Case:
    file: str
    model: str = "gpt-4o"
    endpoint: str = "auto"
    stream: bool | None = None
    """What the request asks for; by default a stream for `.sse` files, a body for `.json`."""
    status: int = 200
    content: str = ""
    reasoning: str | None = None
    calls: tuple[Call, ...] = ()
    usage: Usage | None = None
    citations: tuple[tuple[str, str | None], ...] = ()
    finish: str | None = "stop"
    error: type[APIError] | None = None
    message: str | None = None
    partial: str = ""


WEATHER = "get_weather"

CASES: list[Case] = [
    # --- OpenAI chat completions --------------------------------------------------------
    Case("openai_chat_stream_usage.sse", "gpt-4o-mini", content="Hello! How can I help?", usage=Usage(19, 8, 27, 0, 0)),
    Case(
        "openai_chat_stream_tool_calls.sse",
        "gpt-4.1",
        finish="tool_calls",
        calls=(
            Call("call_FthC9qRpsL5kBpwwyw6c7j4k", WEATHER, {"location": "Paris, France"}),
            Call("call_RzfkBpJgzeR0S242qfvjadNe", WEATHER, {"location": "Bogotá, Colombia"}),
        ),
        usage=Usage(84, 51, 135, 0, 0),
    ),
    Case("openai_chat_stream_refusal.sse", content="I'm sorry, I can't assist with that request."),
    Case("openai_chat_stream_logprobs.sse", "gpt-4o-mini", content="Paris."),
    Case(
        "openai_chat_stream_search_annotations.sse",
        "gpt-4o-search-preview",
        content="A lunar eclipse is visible on 7 September ([timeanddate.com]"
        "(https://www.timeanddate.com/eclipse/lunar/2025-september-7?utm_source=openai)).",
        citations=(
            (
                "https://www.timeanddate.com/eclipse/lunar/2025-september-7?utm_source=openai",
                "Total Lunar Eclipse on 7 September 2025",
            ),
        ),
        usage=Usage(9, 40, 49, 0, 0),
    ),
    Case(
        "openai_chat_stream_midstream_error.sse",
        error=APIError,
        partial="The first step",
        message="API request failed: The server had an error while processing your request. Sorry about that!",
    ),
    Case(
        "openai_chat_body_tool_calls.json",
        "gpt-4.1",
        finish="tool_calls",
        calls=(Call("call_12345xyz", WEATHER, {"location": "Paris, France", "unit": "celsius"}),),
        usage=Usage(82, 18, 100, 0, 64),
    ),
    Case(
        "openai_chat_body_refusal.json",
        content="I'm sorry, I cannot assist with that request.",
        usage=Usage(81, 11, 92, 0, 0),
    ),
    Case(
        "openai_error_429_quota.json",
        status=429,
        error=RateLimitError,
        message="API request failed: 429 You exceeded your current quota, please check your plan and "
        "billing details. For more information on this error, read the docs: "
        "https://platform.openai.com/docs/guides/error-codes/api-errors. "
        "(quota exhausted: check the plan and billing; retrying will not help)",
    ),
    # --- OpenAI Responses API -------------------------------------------------------------
    Case(
        "openai_responses_stream_reasoning.sse",
        "o4-mini",
        "responses",
        content="No: 1001 = 7 × 11 × 13.",
        reasoning="**Checking divisibility**\n\nI try small primes: 1001 = 7 × 143.\n\n143 = 11 × 13.",
        usage=Usage(14, 332, 346, 320, 0),
    ),
    Case(
        "openai_responses_stream_function_call.sse",
        "gpt-4.1",
        "responses",
        finish="tool_calls",
        calls=(Call("call_Ac1MtQzTn5aWq0nOw9Tfx1Cd", WEATHER, {"location": "Paris, France"}),),
        usage=Usage(291, 23, 314, 0, 256),
    ),
    Case(
        "openai_responses_stream_web_search.sse",
        "gpt-4.1",
        "responses",
        content="A new coral nursery opened off Florida "
        "([apnews.com](https://apnews.com/article/coral-reef-nursery?utm_source=openai)).",
        citations=(
            ("https://apnews.com/article/coral-reef-nursery?utm_source=openai", "Coral nursery opens off Florida"),
        ),
        usage=Usage(328, 356, 684, 0, 0),
    ),
    Case(
        "openai_responses_stream_error.sse",
        "gpt-4.1",
        "responses",
        error=APIError,
        partial="Once upon",
        message="API request failed: The server had an error while processing your request. Sorry about that!",
    ),
    Case(
        "openai_responses_stream_incomplete.sse",
        "gpt-4.1-mini",
        "responses",
        finish="length",
        content="The history of Rome begins in 753 BC, when",
        usage=Usage(12, 16, 28, 0, 0),
    ),
    Case(
        "openai_responses_body.json",
        "gpt-4o",
        "responses",
        content="The image depicts a scenic landscape with a wooden boardwalk or pathway leading through "
        "lush, green grass under a blue sky with some clouds.",
        usage=Usage(328, 52, 380, 0, 0),
    ),
    # --- Azure OpenAI -----------------------------------------------------------------------
    Case(
        "azure_chat_stream_filters.sse",
        content="Azure OpenAI streams in buffered chunks.",
        usage=Usage(16, 7, 23, 0, 0),
    ),
    Case("azure_chat_stream_content_filter.sse", content="The battle scene opens with", finish="content_filter"),
    Case(
        "azure_error_400_content_filter.json",
        status=400,
        error=APIError,
        message="API request failed: 400 The response was filtered due to the prompt triggering Azure "
        "OpenAI's content management policy. Please modify your prompt and retry. To learn more "
        "about our content filtering policies please read our documentation: "
        "https://go.microsoft.com/fwlink/?linkid=2198766",
    ),
    # --- Anthropic's OpenAI-compatible endpoint ------------------------------------------
    Case(
        "anthropic_compat_stream.sse",
        "claude-sonnet-4-5-20250929",
        content="Hello! I'm Claude, an AI assistant made by Anthropic.",
        usage=Usage(13, 19, 32, None, 0),
    ),
    Case(
        "anthropic_compat_body_tool_call.json",
        "claude-sonnet-4-5-20250929",
        finish="tool_calls",
        content="I'll check the current weather in San Francisco for you.",
        calls=(Call("toolu_01A09q90qw90lq917835lq9", WEATHER, {"location": "San Francisco, CA"}),),
        usage=Usage(472, 62, 534, None, 0),
    ),
    Case(
        "anthropic_error_529_overloaded.json",
        "claude-sonnet-4-5-20250929",
        status=529,
        error=APIError,
        message="API request failed: 529 Overloaded",
    ),
    # --- DeepSeek -----------------------------------------------------------------------------
    Case(
        "deepseek_reasoner_stream.sse",
        "deepseek-reasoner",
        content="9.8 is greater.",
        reasoning="Compare 9.11 and 9.8: 0.80 > 0.11.",
        usage=Usage(18, 250, 268, 240, 0),
    ),
    Case(
        "deepseek_chat_body_cache_hit.json",
        "deepseek-chat",
        content="Paris is the capital of France.",
        usage=Usage(1056, 8, 1064, None, 1024),
    ),
    Case(
        "deepseek_error_402_balance.json",
        "deepseek-chat",
        status=402,
        error=APIError,
        message="API request failed: 402 Insufficient Balance",
    ),
    # --- Gemini's OpenAI-compatible endpoint --------------------------------------------------
    Case(
        "gemini_compat_stream_thoughts.sse",
        "gemini-2.5-flash",
        content='There are **3** r\'s in "strawberry".',
        reasoning="**Counting the letters**\n\nI spell it out: s-t-r-a-w-b-e-r-r-y. There are three r's.",
        usage=Usage(9, 12, 342),
    ),
    Case(
        "gemini_compat_stream_tool_calls_signature.sse",
        "gemini-3-pro-preview",
        finish="tool_calls",
        calls=(
            Call(
                "function-call-16734802569203817453",
                WEATHER,
                {"location": "Paris"},
                {"extra_content": {"google": {"thought_signature": "CtwFAVSoXO5tQ0yNd0e3Dk5f4K1x"}}},
            ),
            Call("function-call-16734802569203817454", WEATHER, {"location": "London"}),
        ),
        usage=Usage(71, 34, 226),
    ),
    Case(
        "gemini_error_429_exhausted.json",
        "gemini-2.5-flash",
        status=429,
        error=RateLimitError,
        message="API request failed: 429 Resource has been exhausted (e.g. check quota). (retry in a little while)",
    ),
    # --- xAI Grok --------------------------------------------------------------------------------
    Case(
        "xai_grok_stream_reasoning_citations.sse",
        "grok-3-mini",
        content="Starship flew on 13 October.",
        reasoning="The user asks for the launch date.",
        citations=(
            ("https://x.com/SpaceX/status/1845152255387693434", None),
            ("https://www.spacex.com/launches/mission/?missionId=starship-flight-5", None),
        ),
        usage=Usage(26, 12, 38, 6, 6),
    ),
    Case(
        "xai_grok_body_reasoning.json",
        "grok-4-fast-reasoning",
        content="101 multiplied by 3 is 303.",
        reasoning="Let me calculate 101 multiplied by 3:\n101 * 3 = 303.",
        usage=Usage(14, 10, 310, 286, 6),
    ),
    # --- Qwen (DashScope compatible-mode) -----------------------------------------------------
    Case(
        "qwen_dashscope_stream_reasoning.sse",
        "qwen-plus",
        content="我是通义千问。",
        reasoning="用户问我是谁。",
        usage=Usage(10, 39, 49, 31, 0),
    ),
    Case(
        "qwen_dashscope_stream_tool_call.sse",
        "qwen-plus",
        finish="tool_calls",
        calls=(Call("call_8f08d2b0fc0c4d8fab7123", "get_current_weather", {"location": "杭州"}),),
        usage=Usage(264, 21, 285, None, 0),
    ),
    Case(
        "qwen_dashscope_stream_inspection_error.sse",
        "qwen-max",
        error=APIError,
        partial="关于这个话题，",
        message="API request failed: Output data may contain inappropriate content.",
    ),
    # --- GLM (Zhipu) ----------------------------------------------------------------------------
    Case(
        "glm_stream_web_search_reasoning.sse",
        "glm-4.5",
        content="大会于7月26日在上海开幕[ref_1]。",
        reasoning="用户想知道大会开幕时间。",
        citations=(
            ("https://www.news.cn/tech/20250726/abc123.html", "2025年世界人工智能大会在上海开幕"),
            ("https://www.chinadaily.com.cn/a/202507/26/WS6884.html", "WAIC 2025 opens in Shanghai"),
        ),
        usage=Usage(1520, 61, 1581, None, 0),
    ),
    Case(
        "glm_body_tool_call.json",
        "glm-4.5",
        finish="tool_calls",
        reasoning="用户想查询北京的天气，我调用天气工具。",
        calls=(Call("call_-8342126658764435472", WEATHER, {"city": "北京"}),),
        usage=Usage(187, 42, 229, None, 43),
    ),
    Case(
        "glm_error_1113_balance.json",
        "glm-4.5",
        status=429,
        error=RateLimitError,
        message="API request failed: 429 余额不足或无可用资源包,请充值。 (quota exhausted: check the plan and billing; retrying will not help)",
    ),
    # --- Kimi (Moonshot) ---------------------------------------------------------------------------
    Case(
        "kimi_stream_usage_in_choice.sse",
        "kimi-k2-0905-preview",
        content="你好，我是 Kimi。",
        usage=Usage(19, 13, 32, None, 16),
    ),
    Case(
        "kimi_thinking_stream_tool_call.sse",
        "kimi-k2-thinking",
        finish="tool_calls",
        reasoning="I need the weather in Beijing first.",
        calls=(Call("functions.get_weather:0", WEATHER, {"city": "Beijing"}),),
        usage=Usage(96, 40, 136, None, 0),
    ),
    # --- Doubao (Volcengine Ark) -------------------------------------------------------------------
    Case(
        "doubao_ark_stream_reasoning.sse",
        "doubao-seed-1-6-250615",
        content="1 公里等于 1000 米。",
        reasoning="先确认单位换算。",
        usage=Usage(22, 64, 86, 52, 0),
    ),
    Case(
        "doubao_ark_error_404_model.json",
        "doubao-pro-9k",
        status=404,
        error=NotFoundError,
        message="Error: Model doubao-pro-9k does not exist or is not supported",
    ),
    # --- OpenRouter -----------------------------------------------------------------------------------
    Case(
        "openrouter_stream_reasoning_usage.sse",
        "anthropic/claude-sonnet-4.5",
        content="Five minutes: each worker makes one widget in five minutes.",
        reasoning="Five workers make five widgets in five minutes.",
        usage=Usage(42, 180, 222, 120, 0),
    ),
    Case(
        "openrouter_stream_midstream_error.sse",
        "openai/gpt-4o",
        error=APIError,
        partial="Here is the start of the answer",
        message="API request failed: Provider disconnected",
    ),
    Case(
        "openrouter_body_leading_whitespace.json",
        "google/gemini-2.5-pro",
        content="The answer is 42.",
        reasoning="The question is a reference; the canonical answer is 42.",
        usage=Usage(12, 140, 152, 128, 0),
    ),
    Case(
        "openrouter_error_402_credits.json",
        "openai/gpt-4o",
        status=402,
        error=APIError,
        message="API request failed: 402 This request requires more credits, or fewer max_tokens. You "
        "requested up to 16384 tokens, but can only afford 1205. To increase, visit "
        "https://openrouter.ai/settings/credits and upgrade to a paid account",
    ),
    # --- Groq ---------------------------------------------------------------------------------------------
    Case(
        "groq_stream_x_groq_usage.sse",
        "llama-3.3-70b-versatile",
        content="Fast inference matters.",
        usage=Usage(40, 5, 45),
    ),
    Case(
        "groq_stream_reasoning_field.sse",
        "openai/gpt-oss-20b",
        content="4",
        reasoning="We need to add 2 and 2.",
        usage=Usage(78, 22, 100, 15),
    ),
    # --- Mistral ------------------------------------------------------------------------------------------
    Case(
        "mistral_stream_tool_call.sse",
        "mistral-small-latest",
        finish="tool_calls",
        calls=(Call("D681PevKs", "retrieve_payment_status", {"transaction_id": "T1001"}),),
        usage=Usage(167, 29, 196),
    ),
    Case(
        "mistral_magistral_stream_thinking.sse",
        "magistral-medium-2509",
        content="2 + 2 = **4**",
        reasoning="Okay, the user asks for 2 + 2, which is 4.",
        usage=Usage(12, 46, 58),
    ),
    # --- Together, Fireworks --------------------------------------------------------------------------
    Case(
        "together_stream_think_tags.sse",
        "deepseek-ai/DeepSeek-R1",
        content="3 × 7 = **21**",
        reasoning="Okay, 3 times 7 is 21.\n",
        usage=Usage(12, 31, 43, None, 0),
    ),
    Case(
        "fireworks_stream_tool_call.sse",
        "accounts/fireworks/models/kimi-k2-instruct-0905",
        finish="tool_calls",
        calls=(Call("call_dvPb1qD0wMnJXdrFtEBxyGVz", "get_stock_price", {"ticker": "NVDA"}),),
        usage=Usage(215, 23, 238, None, 192),
    ),
    # --- Perplexity -----------------------------------------------------------------------------------
    Case(
        "perplexity_stream_search_results.sse",
        "sonar",
        content="Malaria is spread by Anopheles mosquitoes[1][2].",
        citations=(
            ("https://www.who.int/news-room/fact-sheets/detail/malaria", "Malaria - World Health Organization (WHO)"),
            ("https://en.wikipedia.org/wiki/Malaria", "Malaria - Wikipedia"),
        ),
        usage=Usage(7, 14, 21),
    ),
    Case(
        "perplexity_sonar_reasoning_body.json",
        "sonar-reasoning-pro",
        content="The Moon is on average about **384,400 km** from Earth[1].",
        reasoning="The user wants the mean Earth-Moon distance. NASA's fact sheet gives 384,400 km.\n",
        citations=(("https://nssdc.gsfc.nasa.gov/planetary/factsheet/moonfact.html", "Moon Fact Sheet - NASA"),),
        usage=Usage(9, 160, 169, 120),
    ),
    # --- Self-hosted servers ------------------------------------------------------------------------
    Case(
        "ollama_stream_reasoning.sse",
        "qwen3:8b",
        content="Sunlight scatters off air molecules.",
        reasoning="Okay, the sky looks blue because of Rayleigh scattering.",
        usage=Usage(14, 71, 85),
    ),
    Case(
        "ollama_stream_tool_call.sse",
        "llama3.1:8b",
        finish="tool_calls",
        calls=(Call("call_x8mkw1z0", "current_time", {"timezone": "Europe/Paris"}),),
        usage=Usage(168, 22, 190),
    ),
    Case(
        "ollama_stream_midstream_error.sse",
        "llama3.2:3b",
        error=APIError,
        partial="Let me",
        message="API request failed: model runner has unexpectedly stopped, this may be due to resource "
        "limitations or an internal error, check ollama server logs for details",
    ),
    Case(
        "ollama_error_404_model.json",
        "llama9:70b",
        status=404,
        error=NotFoundError,
        message="Error: Model llama9:70b does not exist or is not supported",
    ),
    Case(
        "vllm_stream_reasoning_tool_call.sse",
        "Qwen/Qwen3-8B",
        finish="tool_calls",
        reasoning="The user wants Tokyo's weather; call the tool.",
        calls=(Call("chatcmpl-tool-4a6d8e0f2b4c4e6a8c0e2a4c6e8a0c2e", WEATHER, {"city": "Tokyo"}),),
        usage=Usage(180, 51, 231),
    ),
    Case(
        "vllm_error_400_context.json",
        "Qwen/Qwen3-8B",
        status=400,
        error=APIError,
        message="API request failed: 400 This model's maximum context length is 4096 tokens. However, you "
        "requested 5120 tokens (1024 in the messages, 4096 in the completion). Please reduce the "
        "length of the messages or completion.",
    ),
    Case(
        "llamacpp_stream_timings.sse",
        "local",
        content="Hello there!",
        reasoning="Simple greeting.",
        usage=Usage(11, 9, 20),
    ),
    Case(
        "llamacpp_error_400_context.json",
        "local",
        status=400,
        error=APIError,
        message="API request failed: 400 the request exceeds the available context size, try increasing it",
    ),
    Case(
        "lmstudio_stream_reasoning.sse",
        "qwen/qwen3-4b",
        content="Yes.",
        reasoning="Short answer is enough.",
        usage=Usage(15, 24, 39),
    ),
    Case(
        "lmstudio_error_200_string.json",
        "qwen/qwen3-4b",
        error=APIError,
        message="API request failed: Unexpected endpoint or method. (POST /v1/chat/completions)",
    ),
    Case(
        "litellm_proxy_stream.sse",
        "claude-sonnet-4-5-20250929",
        content="2 + 2 = 4",
        reasoning="Two plus two is four.",
        usage=Usage(44, 57, 101, 38, 0),
    ),
    Case(
        "litellm_proxy_stream_midstream_429.sse",
        error=RateLimitError,
        partial="Partial",
        message="API request failed: 429 litellm.RateLimitError: RateLimitError: OpenAIException - Rate limit "
        "reached for gpt-4o in organization org-abc on tokens per min (TPM): Limit 30000, Used 30000, "
        "Requested 812. (retry in a little while)",
    ),
]


def test_every_recording_has_a_case_and_a_source() -> None:
    files = {p.name for p in RECORDINGS.iterdir() if p.suffix in (".sse", ".json")}
    assert files == {case.file for case in CASES}
    readme = (RECORDINGS / "README.md").read_text(encoding="utf-8")
    assert [name for name in sorted(files) if name not in readme] == []


def _reply(case: Case, split: bool) -> Reply:
    raw = (RECORDINGS / case.file).read_bytes()
    if case.file.endswith(".sse"):
        return Reply(pieces_of(raw, 7) if split else [raw])
    try:
        reason = http.HTTPStatus(case.status).phrase
    except ValueError:
        reason = "Overloaded"
    headers = {"content-type": "application/json"}
    if case.status >= 400 or not split:
        return Reply([raw], status=case.status, reason=reason, headers=headers, chunked=False)
    return Reply(pieces_of(raw, 7), status=case.status, reason=reason, headers=headers)


@pytest.mark.parametrize("split", [False, True], ids=["whole", "split"])
@pytest.mark.parametrize("case", CASES, ids=[c.file.rsplit(".", 1)[0] for c in CASES])
async def test_recording(raw_server: RawServer, make: Any, case: Case, split: bool) -> None:
    raw_server.script(_reply(case, split))
    stream = case.stream if case.stream is not None else case.file.endswith(".sse")
    request = ChatRequest(case.model, [{"role": "user", "content": "hi"}], stream=stream, endpoint=case.endpoint)  # type: ignore[arg-type]
    client = make(max_retries=0)
    if case.error is not None:
        error = await client.fail(request)
        assert type(error) is case.error, repr(error)
        assert str(error) == case.message
        assert error.partial_content == case.partial
        if case.partial:
            assert error.partial is not None and error.partial.finish_reason is None
        return
    events = await client.run(request)
    finished = events[-1]
    assert isinstance(finished, Finished), events[-3:]
    assert [e for e in events[:-1] if isinstance(e, Finished)] == []
    done = finished.completion
    assert done.content == case.content
    assert done.reasoning == case.reasoning
    # What streamed on screen is what the finished reply holds.
    assert "".join(e.text for e in events if isinstance(e, TextDelta)) == case.content
    assert "".join(e.text for e in events if isinstance(e, ReasoningDelta)) == (case.reasoning or "")
    assert done.finish_reason == case.finish
    got_calls = [(c.id, c.name, c.parsed_arguments(), c.extra) for c in done.tool_calls]
    assert got_calls == [(c.id, c.name, c.arguments, c.extra) for c in case.calls]
    if case.calls:
        assert {e.index for e in events if isinstance(e, ToolCallDelta)} == set(range(len(case.calls)))
    got_usage = None
    if done.usage is not None:
        u = done.usage
        got_usage = Usage(u.prompt_tokens, u.completion_tokens, u.total_tokens, u.reasoning_tokens, u.cached_tokens)
    assert got_usage == case.usage
    assert [(c.url, c.title) for c in done.citations] == list(case.citations)


def test_recordings_are_valid_json_per_event() -> None:
    """The recordings themselves: every `data:` payload (but `[DONE]`) and every body is JSON."""
    for path in sorted(RECORDINGS.iterdir()):
        text = path.read_text(encoding="utf-8")
        if path.suffix == ".json":
            json.loads(text)
        elif path.suffix == ".sse":
            for line in text.splitlines():
                if line.startswith("data:") and line[5:].strip() != "[DONE]":
                    json.loads(line[5:])


# --- `<think>` blocks in content, cut where a tokenizer may cut them ----------------------


async def _reply_of(raw_server: RawServer, make: Any, *chunks: dict[str, Any]) -> tuple[list[Any], Any]:
    raw_server.script(sse(*chunks))
    events = await make(max_retries=0).run(request(stream=True))
    assert isinstance(events[-1], Finished)
    return events, events[-1].completion


async def test_think_tags_split_across_chunks(raw_server: RawServer, make: Any) -> None:
    events, done = await _reply_of(
        raw_server,
        make,
        chunk("\n<th"),
        chunk("ink>\n"),
        chunk("Six"),
        chunk(" by seven.</th"),
        chunk("ink>\n\n"),
        chunk("42"),
        chunk(" it is."),
        chunk(finish="stop"),
    )
    assert (done.reasoning, done.content) == ("Six by seven.", "42 it is.")
    assert "".join(e.text for e in events if isinstance(e, ReasoningDelta)) == "Six by seven."
    assert "".join(e.text for e in events if isinstance(e, TextDelta)) == "42 it is."


async def test_an_answer_that_starts_with_a_tag_is_an_answer(raw_server: RawServer, make: Any) -> None:
    _, done = await _reply_of(raw_server, make, chunk("<"), chunk("b>bold</b> and <think> later"), chunk(finish="stop"))
    assert (done.reasoning, done.content) == (None, "<b>bold</b> and <think> later")


async def test_a_think_block_cut_off_by_the_token_limit_stays_reasoning(raw_server: RawServer, make: Any) -> None:
    _, done = await _reply_of(raw_server, make, chunk("<think>"), chunk("Still working</"), chunk(finish="length"))
    assert (done.reasoning, done.content, done.finish_reason) == ("Still working</", "", "length")


async def test_an_empty_think_block_leaves_only_the_answer(raw_server: RawServer, make: Any) -> None:
    _, done = await _reply_of(raw_server, make, chunk("<think>\n\n</think>\n\n"), chunk("Hi."), chunk(finish="stop"))
    assert (done.reasoning, done.content) == (None, "Hi.")
