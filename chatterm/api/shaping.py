"""Request shaping: a `ChatRequest` -> the exact body and path for the model's family.

`prepare(req)` is the only entry point. It validates the request, looks the model up
in `api/catalogue.py`, picks the protocol, and builds the body:

    endpoint   "chat" / "responses" force the protocol; "auto" sends the family's
               endpoint (OpenAI reasoning models -> /v1/responses), a request with
               PDFs, text files or file URLs to /v1/responses, one with audio to
               /v1/chat/completions; images go either way (`files.endpoints_for`).
    media      a model the catalogue knows takes no images (or audio) is refused
               before sending; an unknown one gets them with a one-time notice.
    chat       model, messages, temperature/top_p/max_tokens when set, stream,
               stream_options {"include_usage": true} when streaming, tools,
               tool_choice, response_format, then the family's thinking/search fields,
               then `extra_body` (merged last; for Qwen, extended keys in it move
               into `parameters`).
    responses  model, instructions (leading system messages), input items, stream,
               max_output_tokens, temperature/top_p, reasoning, tools (Responses
               function tools, + {"type": "web_search"} for OpenAI families when
               searching), tool_choice, text.format, then `extra_body`.

Anything the family refuses is dropped, never failed on, and one `Notice` says so.
The body never holds the API key (the client adds the header).

Spec notes (checked against shared/spec in tests/api/test_families.py): every chat
body validates against chat-completion-request.schema.json except GLM's web-search
tool, `{"type": "web_search", ...}`, which the OpenAI `tools` union does not know;
the gateway documents it, so it is sent anyway. Provider fields (`thinking`,
`parameters`, `search_parameters`) are extra properties and validate.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from chatterm.api.catalogue import DEFAULT_FAMILY, Family, family_for, takes_audio, takes_images
from chatterm.api.errors import RequestValidationError
from chatterm.api.files import check_files, encode_files, endpoints_for
from chatterm.api.request import ChatRequest
from chatterm.api.responses_shape import (
    responses_format,
    responses_tool,
    responses_tool_choice,
    to_responses_input,
)
from chatterm.api.types import Notice

CHAT_PATH = "/chat/completions"
RESPONSES_PATH = "/responses"

DEFAULT_CLAUDE_BUDGET = 2048
"""Thinking budget for Claude when the request sets none."""
CLAUDE_MIN_BUDGET = 1024
"""Anthropic refuses budgets below this."""
CLAUDE_ANSWER_ROOM = 1024
"""Tokens left for the answer when max_tokens has to be raised above the budget."""
DEFAULT_EFFORT = "medium"
REASONING_EFFORTS = ("minimal", "low", "medium", "high")

QWEN_PARAMETER_KEYS = frozenset(
    {
        "enable_thinking",
        "thinking_budget",
        "enable_search",
        "search_options",
        "asr_options",
        "temperature",
        "top_p",
        "top_k",
        "repetition_penalty",
        "presence_penalty",
        "seed",
        "enable_code_interpreter",
        "translation_options",
    }
)
"""Qwen extended options: the gateway wants them inside `parameters`, never top level."""

GROK_SEARCH_KEYS = ("sources", "max_search_results", "from_date", "to_date")
OPENAI_SEARCH_KEYS = ("user_location", "search_context_size")
GLM_SEARCH_KEYS = (
    "search_engine",
    "search_recency_filter",
    "count",
    "search_domain_filter",
    "content_size",
    "search_prompt",
    "result_sequence",
)
"""`search_options` is one config table for every family; each family takes only the
keys it knows (Qwen, whose options the table was made for, takes all but these)."""
_FOREIGN_TO_QWEN = frozenset({"mode", "return_citations", *GROK_SEARCH_KEYS, *OPENAI_SEARCH_KEYS, *GLM_SEARCH_KEYS})

_GEMINI_SUFFIX = re.compile(r"-(?:nothinking|thinking(?:-(?:low|high|medium|\d+))?)$")


@dataclass
class PreparedRequest:
    protocol: Literal["chat", "responses"]
    path: str
    """"/chat/completions" or "/responses", appended to a base_url ending in /v1."""
    body: dict[str, Any]
    """The exact JSON body, including "stream"."""
    notices: list[Notice] = field(default_factory=list)
    """Things to tell the user once (a dropped parameter, search not available)."""


def prepare(req: ChatRequest) -> PreparedRequest:
    """Validate `req` and shape it for its model family.

    Raises RequestValidationError for bad values and for files that cannot be sent
    (missing, too large, unsupported type, or files on a forced chat endpoint).
    """
    req.validate()
    req = _json_mode_said(req)
    family = family_for(req.model)
    notices: list[Notice] = []
    kinds = _attachment_kinds(req, notices)
    protocol = _protocol(req, family, kinds)
    model = _model_name(req, family, notices)
    if protocol == "chat":
        body = _chat_body(req, family, model, notices)
        return PreparedRequest("chat", CHAT_PATH, body, notices)
    body = _responses_body(req, family, model, notices)
    return PreparedRequest("responses", RESPONSES_PATH, body, notices)


JSON_MODE_HINT = "Reply with a JSON object."


def _json_mode_said(req: ChatRequest) -> ChatRequest:
    """JSON mode (`json_object`) with no message that says "JSON": OpenAI refuses such
    a request ("'messages' must contain the word 'json'"), so a one-line system message
    says it. A chat that mentions JSON anywhere is sent as it is."""
    fmt = req.response_format
    if not (isinstance(fmt, dict) and fmt.get("type") == "json_object"):
        return req
    if any("json" in str(message.get("content") or "").lower() for message in req.messages):
        return req
    return replace(req, messages=[{"role": "system", "content": JSON_MODE_HINT}, *req.messages])


def preflight(req: ChatRequest) -> None:
    """`prepare`'s refusals without building the body (files are checked, not read):
    the engine calls it before it saves a prompt, so a refused request leaves no
    failed chat behind."""
    req.validate()
    kinds = _attachment_kinds(req, [])
    _protocol(req, family_for(req.model), kinds)  # files the endpoint cannot carry


def search_unsupported(message: str) -> bool:
    """True when a gateway error says the family's search field is no longer
    supported (Grok live search); the caller retries once without search."""
    text = message.lower()
    return any(
        phrase in text
        for phrase in ("no longer supported", "not supported", "does not support", "deprecated", "unsupported")
    ) and any(word in text for word in ("search", "live search", "search_parameters"))


# --- protocol and model name --------------------------------------------------------


def _attachment_kinds(req: ChatRequest, notices: list[Notice]) -> set[str]:
    """What is attached (files checked by stat and first bytes), refusing images or
    audio the model is known not to take; an unknown model gets a notice."""
    if not req.files:
        return set()
    kinds: set[str] = {c.kind for c in check_files(list(req.files), max_side=req.image_max_side)}
    model = req.model.strip()
    if kinds & {"image", "url-image"}:
        vision = takes_images(model)
        if vision is False:
            raise RequestValidationError(
                f"{model} does not take images; pick a vision model (gpt-4o, claude, gemini, qwen-vl...) "
                "or remove the image"
            )
        if vision is None:
            notices.append(
                Notice(f"chatterm does not know whether {model} takes images; sent them anyway", "vision_unknown")
            )
    if "audio" in kinds:
        audio = takes_audio(model)
        if audio is False:
            raise RequestValidationError(
                f"{model} does not take audio; pick a model that does (qwen3-omni-flash, a Qwen ASR model) "
                "or remove the audio"
            )
        if audio is None:
            notices.append(
                Notice(f"chatterm does not know whether {model} takes audio; sent it anyway", "audio_unknown")
            )
    return kinds


def _protocol(req: ChatRequest, family: Family, kinds: set[str]) -> Literal["chat", "responses"]:
    carriers = endpoints_for(kinds) if kinds else ("chat", "responses")
    if not carriers:
        raise RequestValidationError(
            "files: audio goes only to /v1/chat/completions and PDFs or text files only to "
            "/v1/responses; send them in separate messages"
        )
    if req.endpoint == "chat":
        if "chat" not in carriers:
            raise RequestValidationError(
                "files: the gateway takes PDFs and text files only on /v1/responses, and the endpoint is set "
                "to chat (set it to responses or auto; images and audio can go to chat)"
            )
        return "chat"
    if req.endpoint == "responses":
        if "responses" not in carriers:
            raise RequestValidationError(
                "files: audio goes only to /v1/chat/completions, and the endpoint is set to responses "
                "(set it to chat or auto)"
            )
        return "responses"
    if req.endpoint != "auto":
        raise RequestValidationError(f"endpoint must be chat, responses or auto (got {req.endpoint!r})")
    if len(carriers) == 1:
        return "chat" if carriers == ("chat",) else "responses"
    return family.endpoint


def _model_name(req: ChatRequest, family: Family, notices: list[Notice]) -> str:
    model = req.model.strip()
    if family.thinking != "gemini_variant":
        return model
    base = _GEMINI_SUFFIX.sub("", model)
    typed = model[len(base) :]
    if not req.thinking:
        variant = "-nothinking"
    elif req.thinking_budget is not None:
        variant = "-nothinking" if req.thinking_budget == 0 else f"-thinking-{req.thinking_budget}"
    elif req.thinking_level in ("low", "high"):
        variant = f"-thinking-{req.thinking_level}"
    elif typed.startswith("-thinking") and req.thinking_level is None:
        # The toggle is on and the user already chose a thinking variant: keep it.
        variant = "-thinking" if typed == "-thinking-medium" else typed
    else:
        variant = "-thinking"
    if typed and typed != variant:
        notices.append(
            Notice(
                f"{model}: Thinking is {'on' if req.thinking else 'off'}, so chatterm sent {base}{variant}",
                kind="model_variant",
            )
        )
    return base + variant


# --- chat completions ---------------------------------------------------------------


def _chat_body(req: ChatRequest, family: Family, model: str, notices: list[Notice]) -> dict[str, Any]:
    body: dict[str, Any] = {"model": model, "messages": _with_attachments(req, notices)}
    sampling = _sampling(req, family, notices)
    qwen = family.thinking == "qwen_parameters" or family.search == "qwen_parameters"
    parameters: dict[str, Any] = {}
    if qwen:
        parameters.update(sampling)
    else:
        body.update(sampling)
    max_tokens = _max_tokens(req, family, notices)
    if max_tokens is not None:
        body[family.max_tokens_field] = max_tokens
    body["stream"] = req.stream
    if req.stream:
        body["stream_options"] = {"include_usage": True}
    tools = [dict(t) for t in req.tools] if req.tools else []
    if tools:
        body["tools"] = tools
    if req.tool_choice is not None:
        body["tool_choice"] = req.tool_choice
    if req.response_format is not None:
        body["response_format"] = req.response_format

    # Thinking.
    style = family.thinking
    if style == "type_enabled":
        if req.thinking:
            body["thinking"] = {"type": "enabled"}
        elif family.thinking_off == "disabled":
            body["thinking"] = {"type": "disabled"}
    elif style == "claude_budget" and req.thinking:
        body["thinking"] = {"type": "enabled", "budget_tokens": _claude_budget(req, notices)}
    elif style == "qwen_parameters" and req.thinking:
        parameters["enable_thinking"] = True
        if req.thinking_budget:
            parameters["thinking_budget"] = req.thinking_budget
    elif style == "reasoning_effort" and req.thinking:
        body["reasoning_effort"] = _effort(req)
    elif style == "none" and req.thinking:
        notices.append(_no_thinking(req, family))

    # Search.
    if req.search:
        _chat_search(req, family, body, tools, parameters, notices)

    if qwen and req.asr_options:
        parameters["asr_options"] = dict(req.asr_options)
    extra = dict(req.extra_body)
    if qwen:
        for key in [k for k in extra if k in QWEN_PARAMETER_KEYS]:
            parameters[key] = extra.pop(key)
        nested = extra.pop("parameters", None)
        if isinstance(nested, dict):
            parameters.update(nested)
        if parameters:
            body["parameters"] = parameters
    body.update(extra)
    return body


def _with_attachments(req: ChatRequest, notices: list[Notice]) -> list[dict[str, Any]]:
    """The messages, the attachments' parts joined to the last user message before its
    text, as on /v1/responses (chat completions takes a list of parts as content)."""
    messages = [dict(m) for m in req.messages]
    if not req.files:
        return messages
    encoded = encode_files(req.files, "chat", max_side=req.image_max_side)
    notices.extend(Notice(text, "image_unscaled") for text in encoded.notices)
    last_user = max((i for i, m in enumerate(messages) if m.get("role") == "user"), default=-1)
    if last_user < 0:
        messages.append({"role": "user", "content": encoded.parts})
        return messages
    content = messages[last_user].get("content")
    text = [{"type": "text", "text": str(content)}] if content else []
    parts = list(content) if isinstance(content, list) else text
    messages[last_user]["content"] = encoded.parts + parts
    return messages


def _chat_search(
    req: ChatRequest,
    family: Family,
    body: dict[str, Any],
    tools: list[dict[str, Any]],
    parameters: dict[str, Any],
    notices: list[Notice],
) -> None:
    options = dict(req.search_options or {})
    style = family.search
    if style == "qwen_parameters":
        parameters["enable_search"] = True
        qwen_options = {k: v for k, v in options.items() if k not in _FOREIGN_TO_QWEN}
        if qwen_options:
            parameters["search_options"] = qwen_options
    elif style == "grok_search_parameters":
        mode = options.get("mode") if options.get("mode") in ("auto", "on") else "auto"
        search: dict[str, Any] = {"mode": mode, "return_citations": True}
        search.update({k: options[k] for k in GROK_SEARCH_KEYS if k in options})
        body["search_parameters"] = search
    elif style == "glm_web_search_tool":
        web_search: dict[str, Any] = {"enable": True, "search_result": True}
        web_search.update({k: options[k] for k in GLM_SEARCH_KEYS if k in options})
        tools.append({"type": "web_search", "web_search": web_search})
        body["tools"] = tools
    elif style == "openai_web_search_options":
        body["web_search_options"] = {k: options[k] for k in OPENAI_SEARCH_KEYS if k in options}
    elif style == "claude_tool":
        notices.append(
            Notice(
                f"{req.model} has no search switch; it searches through a tool call "
                "when it decides to (see the gateway's tool calling)",
                "search_via_tool",
            )
        )
    elif family.name == DEFAULT_FAMILY.name:
        notices.append(
            Notice(
                f"chatterm does not know how {req.model} searches; sent without search",
                "search_unsupported",
            )
        )
    else:
        notices.append(Notice(f"{req.model} has no web search; sent without it", "search_unsupported"))


# --- shared pieces -------------------------------------------------------------------


def _no_thinking(req: ChatRequest, family: Family) -> Notice:
    if family.name == DEFAULT_FAMILY.name:
        text = f"chatterm does not know how {req.model} thinks; sent without thinking"
    else:
        text = f"{req.model} has no thinking mode; sent without it"
    return Notice(text, "thinking_unsupported")


def _sampling(
    req: ChatRequest, family: Family, notices: list[Notice], *, thinking_active: bool = True
) -> dict[str, Any]:
    refused = set(family.rejects)
    if req.thinking and thinking_active:
        refused |= family.rejects_when_thinking
    kept: dict[str, Any] = {}
    dropped: list[str] = []
    for name in ("temperature", "top_p"):
        value = getattr(req, name)
        if value is None:
            continue
        if name in refused:
            dropped.append(name)
        else:
            kept[name] = value
    if dropped:
        why = " while thinking" if not (set(dropped) & family.rejects) else ""
        notices.append(
            Notice(
                f"{req.model} does not take {' or '.join(dropped)}{why}; dropped "
                f"{'it' if len(dropped) == 1 else 'them'}",
                "dropped_param",
            )
        )
    return kept


def _max_tokens(req: ChatRequest, family: Family, notices: list[Notice]) -> int | None:
    if family.thinking != "claude_budget" or not req.thinking:
        return req.max_tokens
    budget = max(req.thinking_budget or DEFAULT_CLAUDE_BUDGET, CLAUDE_MIN_BUDGET)
    if req.max_tokens is None:
        return budget + CLAUDE_ANSWER_ROOM
    if req.max_tokens <= budget:
        raised = budget + CLAUDE_ANSWER_ROOM
        notices.append(
            Notice(
                f"max_tokens {req.max_tokens} is not above the thinking budget {budget}; raised it to {raised}",
                "max_tokens_raised",
            )
        )
        return raised
    return req.max_tokens


def _claude_budget(req: ChatRequest, notices: list[Notice]) -> int:
    budget = req.thinking_budget or DEFAULT_CLAUDE_BUDGET
    if budget < CLAUDE_MIN_BUDGET:
        notices.append(
            Notice(
                f"thinking budget {budget} is below Claude's minimum; used {CLAUDE_MIN_BUDGET}",
                "budget_raised",
            )
        )
        budget = CLAUDE_MIN_BUDGET
    return budget


def _effort(req: ChatRequest) -> str:
    level = (req.thinking_level or DEFAULT_EFFORT).lower()
    return level if level in REASONING_EFFORTS else DEFAULT_EFFORT


# --- Responses API -------------------------------------------------------------------


def _responses_body(req: ChatRequest, family: Family, model: str, notices: list[Notice]) -> dict[str, Any]:
    file_parts: list[dict[str, Any]] = []
    if req.files:
        encoded = encode_files(req.files, "responses", max_side=req.image_max_side)
        file_parts = encoded.parts
        notices.extend(Notice(text, "image_unscaled") for text in encoded.notices)
    instructions, items = to_responses_input(req.messages, file_parts)
    body: dict[str, Any] = {"model": model}
    if instructions:
        body["instructions"] = instructions
    body["input"] = items
    body["stream"] = req.stream
    if req.max_tokens is not None:
        body["max_output_tokens"] = req.max_tokens
    # Claude's thinking is not carried here, so its while-thinking refusals do not apply.
    body.update(_sampling(req, family, notices, thinking_active=family.thinking != "claude_budget"))
    if req.thinking:
        style = family.thinking
        if style == "reasoning_effort":
            body["reasoning"] = {"effort": _effort(req), "summary": "auto"}
        elif style == "none":
            notices.append(_no_thinking(req, family))
        elif style not in ("always_on", "gemini_variant"):
            notices.append(
                Notice(
                    f"{req.model}: the Thinking toggle is not carried over /v1/responses "
                    "for this family; the chat endpoint carries it (when no files are attached)",
                    "thinking_unsupported",
                )
            )
    tools = [responses_tool(t) for t in req.tools or []]
    if req.search:
        if family.responses_search:
            tools.append({"type": "web_search"})
        else:
            notices.append(
                Notice(
                    f"{req.model}: web search is not available through /v1/responses; sent without it",
                    "search_unsupported",
                )
            )
    if tools:
        body["tools"] = tools
    if req.tool_choice is not None:
        body["tool_choice"] = responses_tool_choice(req.tool_choice)
    if req.response_format is not None:
        body["text"] = {"format": responses_format(req.response_format)}
    body.update(req.extra_body)
    return body
