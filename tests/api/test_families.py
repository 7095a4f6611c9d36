"""Per-family request shaping: the exact body each Thinking / Search setting sends.

Bodies are checked against the OpenAI request schemas in tests/spec (provider fields
are extra properties there); the one known clash, GLM's web_search tool, is asserted
as a clash so a spec or shaping change shows up here.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jsonschema
import pytest

from chatterm.api.catalogue import DEFAULT_FAMILY, FAMILIES, family_for, known_models
from chatterm.api.errors import RequestValidationError
from chatterm.api.request import ChatRequest
from chatterm.api.shaping import JSON_MODE_HINT, PreparedRequest, prepare, search_unsupported
from chatterm.api.types import FileInput, Finished, Notice
from tests.spec import validator

from .conftest import DemoPair

MESSAGES = [{"role": "user", "content": "What is new?"}]
BASE = {
    "messages": MESSAGES,
    "stream": True,
    "stream_options": {"include_usage": True},
}


def _validator(name: str) -> jsonschema.Draft202012Validator:
    return validator(name)


@pytest.fixture(scope="module")
def chat_spec() -> jsonschema.Draft202012Validator:
    return _validator("chat-completion-request.schema.json")


@pytest.fixture(scope="module")
def responses_spec() -> jsonschema.Draft202012Validator:
    return _validator("responses-create-request.schema.json")


def shape(model: str, **kwargs: Any) -> PreparedRequest:
    return prepare(ChatRequest(model=model, messages=list(MESSAGES), **kwargs))


def chat(model: str, **fields: Any) -> dict[str, Any]:
    """The expected chat body: model, then the plain fields, then `fields`."""
    return {"model": model, **BASE, **fields}


# --- catalogue ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("model", "family"),
    [
        ("o1", "openai-reasoning"),
        ("o3", "openai-reasoning"),
        ("o3-mini", "openai-reasoning"),
        ("o4-mini", "openai-reasoning"),
        ("gpt-5.2", "openai-gpt5"),
        ("gpt-5.1", "openai-gpt5"),
        ("gpt-5-chat", "openai"),
        ("gpt-4o", "openai"),
        ("gpt-4o-mini", "openai"),
        ("gpt-4.1", "openai"),
        ("gpt-3.5-turbo", "openai"),
        ("gpt-4o-search-preview", "openai-search"),
        ("claude-opus-4-6", "claude"),
        ("claude-sonnet-4-5-20250929", "claude"),
        ("claude-haiku-4-5-20251001", "claude"),
        ("deepseek-v3-1-250821", "deepseek"),
        ("deepseek-v3", "deepseek"),
        ("deepseek-r1", "deepseek-reasoner"),
        ("grok-4", "grok-reasoning"),
        ("grok-4-fast-reasoning", "grok-reasoning"),
        ("grok-4-fast-non-reasoning", "grok"),
        ("grok-3", "grok"),
        ("grok-3-fast", "grok"),
        ("gemini-3-pro-preview", "gemini"),
        ("gemini-3-flash-preview", "gemini"),
        ("nano-banana-pro", "gemini"),
        ("nano-banana-pro-thinking-low", "gemini"),
        ("glm-5", "glm"),
        ("glm-4.7", "glm"),
        ("doubao-seed-1-8-251228", "doubao"),
        ("qwen3-coder-plus", "qwen"),
        ("qwen3-omni-flash", "qwen"),
        ("kimi-k2.5", "kimi"),
        ("Claude-Opus-4-6", "claude"),
        ("openai/o3-mini", "openai-reasoning"),
        ("gpt-5.1-chat-latest", "openai"),
        ("my-local-llama", "default"),
    ],
)
def test_every_model_the_gateway_page_names_has_its_family(model: str, family: str) -> None:
    assert family_for(model).name == family


def test_known_models_are_grouped_for_the_picker_and_map_back_to_their_group() -> None:
    groups = known_models()
    assert list(groups) == ["OpenAI", "Claude", "DeepSeek", "Grok", "Gemini", "Qwen", "GLM", "Kimi", "Doubao"]
    assert "o3-mini" in groups["OpenAI"] and "nano-banana-pro" in groups["Gemini"]
    for group, models in groups.items():
        for model in models:
            assert family_for(model).group == group, model
    assert family_for("unknown-model") is DEFAULT_FAMILY
    assert not DEFAULT_FAMILY.can_think and not DEFAULT_FAMILY.can_search
    assert family_for("claude-opus-4-6").can_search and family_for("grok-4").can_think


def test_family_names_are_unique() -> None:
    names = [f.name for f in FAMILIES]
    assert len(names) == len(set(names))


# --- plain chat ----------------------------------------------------------------------


def test_unknown_model_gets_a_plain_chat_body_with_extra_body_merged_last(chat_spec: Any) -> None:
    tools = [{"type": "function", "function": {"name": "now", "parameters": {"type": "object", "properties": {}}}}]
    prepared = shape(
        "my-local-llama",
        temperature=0.2,
        top_p=0.9,
        max_tokens=100,
        tools=tools,
        tool_choice="auto",
        response_format={"type": "json_object"},
        extra_body={"seed": 7, "temperature": 0.3},
    )
    assert prepared.protocol == "chat" and prepared.path == "/chat/completions"
    assert prepared.body == {
        "model": "my-local-llama",
        "messages": [{"role": "system", "content": JSON_MODE_HINT}, *MESSAGES],  # JSON mode says JSON
        "temperature": 0.3,
        "top_p": 0.9,
        "max_tokens": 100,
        "stream": True,
        "stream_options": {"include_usage": True},
        "tools": tools,
        "tool_choice": "auto",
        "response_format": {"type": "json_object"},
        "seed": 7,
    }
    assert prepared.notices == []
    chat_spec.validate(prepared.body)


def test_non_streamed_chat_body_says_stream_false_without_stream_options() -> None:
    assert shape("gpt-4o", stream=False).body == {"model": "gpt-4o", "messages": MESSAGES, "stream": False}


def test_prepare_validates_the_request_first() -> None:
    with pytest.raises(RequestValidationError, match="temperature must be between 0 and 2"):
        shape("gpt-4o", temperature=3.0)


def test_thinking_and_search_on_a_model_without_them_send_nothing_and_say_so() -> None:
    prepared = shape("gpt-4o", thinking=True, search=True)
    assert prepared.body == chat("gpt-4o")
    kinds = [n.kind for n in prepared.notices]
    assert kinds == ["thinking_unsupported", "search_unsupported"]
    assert "gpt-4o" in prepared.notices[0].text


# --- DeepSeek / GLM / Doubao / Kimi: thinking.type ------------------------------------


@pytest.mark.parametrize(
    ("model", "off"),
    [
        ("deepseek-v3-1-250821", None),  # off by default: left out
        ("glm-5", {"type": "disabled"}),  # these think by default: off says so
        ("doubao-seed-1-8-251228", {"type": "disabled"}),
        ("kimi-k2.5", {"type": "disabled"}),
    ],
)
def test_thinking_type_families(model: str, off: dict[str, str] | None, chat_spec: Any) -> None:
    on = shape(model, thinking=True)
    assert on.body == chat(model, thinking={"type": "enabled"})
    assert on.notices == []
    chat_spec.validate(on.body)
    expected_off = chat(model) if off is None else chat(model, thinking=off)
    assert shape(model).body == expected_off


def test_deepseek_r1_reasons_by_itself_and_gets_no_field() -> None:
    assert shape("deepseek-r1", thinking=True).body == chat("deepseek-r1")
    assert shape("deepseek-r1", thinking=True).notices == []


# --- Claude ---------------------------------------------------------------------------


def test_claude_thinking_uses_a_default_budget_and_room_for_the_answer(chat_spec: Any) -> None:
    prepared = shape("claude-opus-4-6", thinking=True)
    assert prepared.body == chat(
        "claude-opus-4-6", max_tokens=3072, thinking={"type": "enabled", "budget_tokens": 2048}
    )
    assert prepared.notices == []
    chat_spec.validate(prepared.body)


def test_claude_max_tokens_below_the_budget_is_raised_with_a_notice() -> None:
    prepared = shape("claude-sonnet-4-5-20250929", thinking=True, thinking_budget=4000, max_tokens=1000)
    assert prepared.body["thinking"] == {"type": "enabled", "budget_tokens": 4000}
    assert prepared.body["max_tokens"] == 5024
    assert [n.kind for n in prepared.notices] == ["max_tokens_raised"]
    assert "1000" in prepared.notices[0].text and "5024" in prepared.notices[0].text


def test_claude_max_tokens_equal_to_the_budget_is_raised_too() -> None:
    prepared = shape("claude-opus-4-6", thinking=True, thinking_budget=2048, max_tokens=2048)
    assert (
        prepared.body["max_tokens"] == 3072 and prepared.body["max_tokens"] > prepared.body["thinking"]["budget_tokens"]
    )
    assert [n.kind for n in prepared.notices] == ["max_tokens_raised"]


def test_claude_max_tokens_above_the_budget_is_kept() -> None:
    prepared = shape("claude-opus-4-6", thinking=True, thinking_budget=2048, max_tokens=8000)
    assert prepared.body["max_tokens"] == 8000 and prepared.notices == []


def test_claude_thinking_drops_temperature_once_but_off_keeps_it() -> None:
    on = shape("claude-opus-4-6", thinking=True, temperature=0.7, top_p=0.5)
    assert "temperature" not in on.body and "top_p" not in on.body
    assert [n.kind for n in on.notices] == ["dropped_param"]
    assert "temperature or top_p" in on.notices[0].text
    off = shape("claude-opus-4-6", temperature=0.7, max_tokens=50)
    assert off.body == chat("claude-opus-4-6", temperature=0.7, max_tokens=50)


def test_claude_search_has_no_parameter_only_a_notice() -> None:
    prepared = shape("claude-opus-4-6", search=True)
    assert prepared.body == chat("claude-opus-4-6")
    assert [n.kind for n in prepared.notices] == ["search_via_tool"]
    assert "tool call" in prepared.notices[0].text


# --- Qwen ---------------------------------------------------------------------------


def test_qwen_puts_every_extended_parameter_inside_parameters(chat_spec: Any) -> None:
    prepared = shape(
        "qwen3-omni-flash",
        thinking=True,
        search=True,
        search_options={"forced_search": True},
        temperature=0.4,
        top_p=0.8,
        max_tokens=200,
        extra_body={"asr_options": {"enable_lid": True}, "enable_thinking": True},
    )
    assert prepared.body == chat(
        "qwen3-omni-flash",
        max_tokens=200,
        parameters={
            "temperature": 0.4,
            "top_p": 0.8,
            "enable_thinking": True,
            "enable_search": True,
            "search_options": {"forced_search": True},
            "asr_options": {"enable_lid": True},
        },
    )
    for key in ("temperature", "top_p", "enable_thinking", "enable_search", "search_options", "asr_options"):
        assert key not in prepared.body
    chat_spec.validate(prepared.body)


def test_qwen_off_sends_no_parameters() -> None:
    assert shape("qwen3-coder-plus").body == chat("qwen3-coder-plus")
    assert shape("qwen3-coder-plus", search=True).body == chat("qwen3-coder-plus", parameters={"enable_search": True})


# --- Gemini -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("model", "kwargs", "sent"),
    [
        ("gemini-3-pro-preview", {"thinking": True}, "gemini-3-pro-preview-thinking"),
        ("gemini-3-pro-preview", {}, "gemini-3-pro-preview-nothinking"),
        ("gemini-3-pro-preview", {"thinking": True, "thinking_budget": 1024}, "gemini-3-pro-preview-thinking-1024"),
        ("gemini-3-flash-preview", {"thinking": True, "thinking_level": "low"}, "gemini-3-flash-preview-thinking-low"),
        (
            "gemini-3-flash-preview",
            {"thinking": True, "thinking_level": "high"},
            "gemini-3-flash-preview-thinking-high",
        ),
        ("nano-banana-pro", {"thinking": True, "thinking_level": "medium"}, "nano-banana-pro-thinking"),
        ("nano-banana-pro-thinking-high", {"thinking": True}, "nano-banana-pro-thinking-high"),
        ("nano-banana-pro-thinking-512", {"thinking": True, "thinking_level": "low"}, "nano-banana-pro-thinking-low"),
        ("gemini-3-pro-preview-nothinking", {"thinking": True}, "gemini-3-pro-preview-thinking"),
    ],
)
def test_gemini_thinking_picks_the_model_name_variant(model: str, kwargs: dict[str, Any], sent: str) -> None:
    prepared = shape(model, **kwargs)
    assert prepared.body == chat(sent)


def test_gemini_variant_typed_by_the_user_and_overridden_by_the_toggle_is_told() -> None:
    prepared = shape("gemini-3-pro-preview-thinking-high")
    assert prepared.body["model"] == "gemini-3-pro-preview-nothinking"
    assert [n.kind for n in prepared.notices] == ["model_variant"]
    assert "gemini-3-pro-preview-nothinking" in prepared.notices[0].text


# --- OpenAI reasoning and search ----------------------------------------------------


def test_o_series_auto_goes_to_responses_with_reasoning_and_drops_sampling(responses_spec: Any) -> None:
    prepared = shape("o3-mini", thinking=True, thinking_level="high", temperature=0.5, top_p=0.9, max_tokens=500)
    assert prepared.protocol == "responses" and prepared.path == "/responses"
    assert prepared.body == {
        "model": "o3-mini",
        "input": [{"role": "user", "content": [{"type": "input_text", "text": "What is new?"}]}],
        "stream": True,
        "max_output_tokens": 500,
        "reasoning": {"effort": "high", "summary": "auto"},
    }
    assert [n.text for n in prepared.notices] == ["o3-mini does not take temperature or top_p; dropped them"]
    responses_spec.validate(prepared.body)


def test_o_series_thinking_off_sends_no_reasoning_block() -> None:
    prepared = shape("o4-mini")
    assert prepared.protocol == "responses" and "reasoning" not in prepared.body


def test_o_series_forced_to_chat_uses_max_completion_tokens_and_reasoning_effort(chat_spec: Any) -> None:
    prepared = shape("o4-mini", endpoint="chat", thinking=True, max_tokens=300, temperature=1.0)
    assert prepared.body == chat("o4-mini", max_completion_tokens=300, reasoning_effort="medium")
    assert [n.kind for n in prepared.notices] == ["dropped_param"]
    chat_spec.validate(prepared.body)


def test_gpt5_is_a_reasoning_model_but_gpt5_chat_is_not() -> None:
    assert shape("gpt-5.2", thinking=True).body["reasoning"] == {"effort": "medium", "summary": "auto"}
    assert shape("gpt-5-chat").protocol == "chat"


def test_openai_search_models_get_web_search_options(chat_spec: Any) -> None:
    prepared = shape("gpt-4o-search-preview", search=True, search_options={"search_context_size": "low", "x": 1})
    assert prepared.body == chat("gpt-4o-search-preview", web_search_options={"search_context_size": "low"})
    chat_spec.validate(prepared.body)
    assert shape("gpt-4o-mini-search-preview", search=True).body["web_search_options"] == {}


# --- Grok ---------------------------------------------------------------------------


def test_grok_search_parameters(chat_spec: Any) -> None:
    on = shape("grok-3", search=True)
    assert on.body == chat("grok-3", search_parameters={"mode": "auto", "return_citations": True})
    chat_spec.validate(on.body)
    forced = shape("grok-4-fast-reasoning", search=True, search_options={"mode": "on", "max_search_results": 5})
    assert forced.body["search_parameters"] == {"mode": "on", "return_citations": True, "max_search_results": 5}
    assert shape("grok-3").body == chat("grok-3")


def test_grok_reasoning_models_think_by_themselves() -> None:
    assert shape("grok-4", thinking=True).body == chat("grok-4")
    assert shape("grok-4", thinking=True).notices == []


def test_search_no_longer_supported_errors_are_recognised() -> None:
    assert search_unsupported("Live search is no longer supported, please use the agent tools")
    assert search_unsupported("search_parameters: deprecated")
    assert not search_unsupported("Incorrect API key provided")
    assert not search_unsupported("model not supported")


# --- GLM search -----------------------------------------------------------------------


def test_glm_search_appends_its_web_search_tool_after_function_tools(chat_spec: Any) -> None:
    tool = {"type": "function", "function": {"name": "now", "parameters": {"type": "object", "properties": {}}}}
    prepared = shape("glm-5", search=True, thinking=True, tools=[tool])
    web = {"type": "web_search", "web_search": {"enable": True, "search_result": True}}
    assert prepared.body == chat("glm-5", tools=[tool, web], thinking={"type": "enabled"})
    errors = list(chat_spec.iter_errors(prepared.body))
    # The gateway documents this tool; OpenAI's spec does not know it. That is the one clash.
    assert [list(e.absolute_path) for e in errors] == [["tools", 1]]
    assert shape("glm-5", search=True).body["tools"] == [web]


def test_one_search_options_table_gives_each_family_only_its_own_keys() -> None:
    options = {"forced_search": True, "mode": "on", "search_engine": "search_pro", "search_context_size": "high"}
    assert shape("qwen3-omni-flash", search=True, search_options=options).body["parameters"] == {
        "enable_search": True,
        "search_options": {"forced_search": True},
    }
    assert shape("glm-5", search=True, search_options=options).body["tools"] == [
        {"type": "web_search", "web_search": {"enable": True, "search_result": True, "search_engine": "search_pro"}}
    ]
    assert shape("grok-3", search=True, search_options=options).body["search_parameters"] == {
        "mode": "on",
        "return_citations": True,
    }
    assert shape("gpt-4o-search-preview", search=True, search_options=options).body["web_search_options"] == {
        "search_context_size": "high"
    }


# --- endpoints and Responses bodies ---------------------------------------------------


def test_auto_sends_requests_with_files_to_responses(tmp_path: Path, responses_spec: Any) -> None:
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(b"%PDF-1.4 tiny")
    prepared = shape("gpt-4o", files=[FileInput(str(pdf))])
    assert prepared.protocol == "responses"
    content = prepared.body["input"][0]["content"]
    assert content[0]["type"] == "input_file" and content[0]["filename"] == "report.pdf"
    assert content[-1] == {"type": "input_text", "text": "What is new?"}
    responses_spec.validate(prepared.body)


REASONING_MODELS = {"o1", "o3", "o3-mini", "o4-mini", "openai/o3-mini", "gpt-5.1", "gpt-5.2"}


@pytest.mark.parametrize(
    "model", sorted({m for f in FAMILIES for m in f.known} | REASONING_MODELS | {"my-local-llama"})
)
def test_auto_sends_reasoning_models_and_any_files_to_responses_the_rest_to_chat(model: str, tmp_path: Path) -> None:
    expected = "/responses" if model in REASONING_MODELS else "/chat/completions"
    assert shape(model).path == expected
    assert shape(model, endpoint="chat").path == "/chat/completions"
    assert shape(model, endpoint="responses").path == "/responses"
    pdf = tmp_path / "a.pdf"
    pdf.write_bytes(b"%PDF-1.4")
    assert shape(model, files=[FileInput(str(pdf))]).path == "/responses"


def test_forced_chat_with_files_is_refused_before_sending(tmp_path: Path) -> None:
    pdf = tmp_path / "a.pdf"
    pdf.write_bytes(b"%PDF-1.4")
    with pytest.raises(RequestValidationError, match="only on /v1/responses"):
        shape("gpt-4o", endpoint="chat", files=[FileInput(str(pdf))])


def test_forced_responses_converts_a_whole_tool_conversation(responses_spec: Any) -> None:
    messages = [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "Time?"},
        {
            "role": "assistant",
            "tool_calls": [
                {"id": "call_1", "type": "function", "function": {"name": "current_time", "arguments": "{}"}}
            ],
        },
        {"role": "tool", "tool_call_id": "call_1", "content": "12:00"},
        {"role": "assistant", "content": "It is noon."},
        {
            "role": "user",
            "content": [
                {"type": "text", "text": "And this?"},
                {"type": "image_url", "image_url": {"url": "https://x.test/a.png"}},
            ],
        },
    ]
    tools = [
        {
            "type": "function",
            "function": {
                "name": "current_time",
                "description": "Now.",
                "parameters": {"type": "object", "properties": {}},
            },
        }
    ]
    schema = {
        "type": "object",
        "properties": {"a": {"type": "string"}},
        "required": ["a"],
        "additionalProperties": False,
    }
    req = ChatRequest(
        model="gpt-4.1",
        messages=messages,
        endpoint="responses",
        stream=False,
        tools=tools,
        tool_choice={"type": "function", "function": {"name": "current_time"}},
        response_format={"type": "json_schema", "json_schema": {"name": "answer", "schema": schema, "strict": True}},
        temperature=0.5,
    )
    prepared = prepare(req)
    assert prepared.body == {
        "model": "gpt-4.1",
        "instructions": "Be brief.",
        "input": [
            {"role": "user", "content": [{"type": "input_text", "text": "Time?"}]},
            {"type": "function_call", "call_id": "call_1", "name": "current_time", "arguments": "{}"},
            {"type": "function_call_output", "call_id": "call_1", "output": "12:00"},
            {"role": "assistant", "content": "It is noon."},
            {
                "role": "user",
                "content": [
                    {"type": "input_text", "text": "And this?"},
                    {"type": "input_image", "image_url": "https://x.test/a.png", "detail": "auto"},
                ],
            },
        ],
        "stream": False,
        "temperature": 0.5,
        "tools": [
            {
                "type": "function",
                "name": "current_time",
                "description": "Now.",
                "parameters": {"type": "object", "properties": {}},
                "strict": False,
            }
        ],
        "tool_choice": {"type": "function", "name": "current_time"},
        "text": {"format": {"type": "json_schema", "name": "answer", "schema": schema, "strict": True}},
    }
    responses_spec.validate(prepared.body)


def test_responses_json_object_format_and_openai_web_search_tool(responses_spec: Any) -> None:
    prepared = shape("gpt-4o", endpoint="responses", search=True, response_format={"type": "json_object"})
    assert prepared.body["text"] == {"format": {"type": "json_object"}}
    assert prepared.body["tools"] == [{"type": "web_search"}]
    assert prepared.notices == []
    responses_spec.validate(prepared.body)


def test_search_over_responses_for_a_non_openai_family_is_told_not_invented(responses_spec: Any) -> None:
    prepared = shape("claude-opus-4-6", endpoint="responses", search=True)
    assert "tools" not in prepared.body
    assert [n.kind for n in prepared.notices] == ["search_unsupported"]
    responses_spec.validate(prepared.body)


@pytest.mark.parametrize(
    "model",
    [
        "gpt-4o",
        "claude-opus-4-6",
        "deepseek-v3",
        "gemini-3-pro-preview",
        "qwen3-coder-plus",
        "glm-5",
        "kimi-k2.5",
        "doubao-seed-1-8-251228",
        "grok-4",
        "o3",
        "my-local-llama",
    ],
)
def test_every_family_on_responses_validates(model: str, responses_spec: Any) -> None:
    prepared = shape(model, endpoint="responses", thinking=True, temperature=0.5, max_tokens=64)
    responses_spec.validate(prepared.body)
    assert prepared.body["max_output_tokens"] == 64


@pytest.mark.parametrize("thinking", [False, True])
@pytest.mark.parametrize("search", [False, True])
@pytest.mark.parametrize("family", [f for f in FAMILIES if f.search != "glm_web_search_tool"], ids=lambda f: f.name)
def test_every_chat_body_validates_against_the_spec(family: Any, thinking: bool, search: bool, chat_spec: Any) -> None:
    model = family.known[0] if family.known else "grok-2"
    prepared = shape(model, endpoint="chat", thinking=thinking, search=search, temperature=0.5)
    chat_spec.validate(prepared.body)


# --- end to end over loopback TCP: the demo gateway reads these fields -----------------


@pytest.mark.parametrize(
    "model",
    [
        "deepseek-v3",
        "glm-5",
        "doubao-seed-1-8-251228",
        "kimi-k2.5",
        "claude-opus-4-6",
        "qwen3-omni-flash",
        "gemini-3-pro-preview",
        "o4-mini",
        "gpt-5.1",
    ],
)
async def test_thinking_toggle_brings_reasoning_back_and_off_does_not(model: str, demo: DemoPair) -> None:
    gateway, client = demo
    messages = [{"role": "user", "content": "Why is the sky blue?"}]
    on = ChatRequest(model, messages, thinking=True)
    reply = await client.complete(on)
    assert reply.reasoning, model
    assert gateway.requests[-1].body == prepare(on).body
    off = await client.complete(ChatRequest(model, messages))
    assert not off.reasoning, model


@pytest.mark.parametrize("model", ["qwen3-omni-flash", "glm-5", "grok-3", "gpt-4o-search-preview", "gpt-5.2"])
async def test_search_toggle_brings_citations_back(model: str, demo: DemoPair) -> None:
    gateway, client = demo
    req = ChatRequest(model, [{"role": "user", "content": "news about tea"}], search=True, stream=False)
    reply = await client.complete(req)
    assert reply.citations and reply.citations[0].url.startswith("https://"), model
    assert gateway.requests[-1].body == prepare(req).body
    plain = await client.complete(ChatRequest(model, [{"role": "user", "content": "news about tea"}]))
    assert plain.citations == []


async def test_grok_4_search_refused_by_the_gateway_is_retried_without_search(demo: DemoPair) -> None:
    gateway, client = demo
    events = [e async for e in client.stream(ChatRequest("grok-4", MESSAGES, search=True))]
    notices = [e for e in events if isinstance(e, Notice)]
    assert any("no longer supported" in n.text for n in notices)
    assert [r.body.get("search_parameters") for r in gateway.requests] == [
        {"mode": "auto", "return_citations": True},
        None,
    ]
    assert isinstance(events[-1], Finished) and events[-1].completion.content


async def test_claude_max_tokens_too_small_for_the_budget_is_raised_so_the_gateway_accepts_it(demo: DemoPair) -> None:
    gateway, client = demo
    events = [e async for e in client.stream(ChatRequest("claude-opus-4-6", MESSAGES, thinking=True, max_tokens=100))]
    assert [e.kind for e in events if isinstance(e, Notice)] == ["max_tokens_raised"]
    assert isinstance(events[-1], Finished) and events[-1].completion.reasoning
    sent = gateway.requests[-1].body
    assert sent["max_tokens"] > sent["thinking"]["budget_tokens"]  # the demo answers 400 otherwise


def test_json_mode_says_json_when_no_message_does() -> None:
    """OpenAI refuses `json_object` unless a message contains the word JSON."""
    plain = ChatRequest(
        "gpt-4o", [{"role": "user", "content": "list three fruits"}], response_format={"type": "json_object"}
    )
    body = prepare(plain).body
    assert body["messages"][0] == {"role": "system", "content": JSON_MODE_HINT}
    assert body["messages"][1] == {"role": "user", "content": "list three fruits"}
    said = ChatRequest(
        "gpt-4o", [{"role": "user", "content": "three fruits as JSON"}], response_format={"type": "json_object"}
    )
    assert prepare(said).body["messages"] == [{"role": "user", "content": "three fruits as JSON"}]
    responses = ChatRequest(
        "o4-mini", [{"role": "user", "content": "list three fruits"}], response_format={"type": "json_object"}
    )
    assert prepare(responses).body.get("instructions") == JSON_MODE_HINT
