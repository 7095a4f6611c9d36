"""What the demo model answers: a `Plan`, decided once, then encoded per endpoint.

The planner reads a `Dialogue` and applies, in this order:
  1. request checks and status faults (`!429`, `!quota`, `!500`, `!502html`, `!flaky`,
     `!searchfail`, Grok-4 `search_parameters`, Claude budget vs max_tokens) -> GatewayError
  2. thinking per family (which field carries the reasoning, or hidden reasoning tokens)
  3. search per family (citations and where they go)
  4. tool calls (trailing tool results -> final answer; else triggers / natural words)
  5. the content: structured output, `!tokens=N`, or the Markdown answer; then max_tokens
The encoders in `chat_wire.py` and `responses_wire.py` only turn the plan into bytes.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any, Literal

from chatterm.demo import schema_fill
from chatterm.demo.catalogue import ModelInfo
from chatterm.demo.dialogue import Dialogue
from chatterm.demo.errors import PROXY_502_HTML, GatewayError, bad_request
from chatterm.demo.image_models import ImagePlan, plan_image
from chatterm.demo.text import (
    answer_markdown,
    bench_tokens,
    media_markdown,
    reasoning_text,
    tokenize,
    tool_results_markdown,
)
from chatterm.demo.toolplan import PlannedCall, chain_calls, plan_calls

ReasoningField = Literal["reasoning_content", "reasoning", "gemini", "summary", "hidden", "none"]
Fault = Literal["stall", "drop", "malformed", "error", "failed"]
STREAM_FAULTS: tuple[Fault, ...] = ("stall", "drop", "malformed", "error", "failed")

MAX_BENCH_TOKENS = 500_000
"""`!tokens=N` is capped here (each token is ~190 bytes on the wire)."""


@dataclass(slots=True)
class Citation:
    title: str
    url: str
    snippet: str


@dataclass(slots=True)
class Plan:
    model: str
    reasoning_field: ReasoningField = "none"
    reasoning: list[str] = field(default_factory=list)
    """Reasoning tokens shown to the client (empty when hidden or off)."""
    reasoning_tokens: int = 0
    """Counted in usage whether shown or not."""
    content: list[str] = field(default_factory=list)
    tool_calls: list[PlannedCall] = field(default_factory=list)
    finish_reason: str = "stop"
    citations: list[Citation] = field(default_factory=list)
    citation_style: str | None = None
    """"citations" (top-level urls), "web_search" (GLM), "annotations" (OpenAI), or None."""
    fault: Fault | None = None
    rate: float | None = None
    """Tokens per second for `!rate=R`."""
    prompt_tokens: int = 0
    cached_tokens: int = 0
    image: ImagePlan | None = None
    """An image model's picture (`image_models.py`); the Markdown style is in `content`."""

    @property
    def text(self) -> str:
        return "".join(self.content)

    @property
    def completion_tokens(self) -> int:
        calls = sum(len(tokenize(c.arguments)) + 1 for c in self.tool_calls)
        return len(self.content) + self.reasoning_tokens + calls

    def annotations(self) -> list[dict[str, Any]]:
        """url_citation spans for the `[n]` markers still present in the (possibly cut) text."""
        if self.citation_style != "annotations":
            return []
        text = self.text
        found: list[dict[str, Any]] = []
        for i, cite in enumerate(self.citations, 1):
            start = text.find(f"[{i}]")
            if start >= 0:
                found.append(
                    {"url": cite.url, "title": cite.title, "start_index": start, "end_index": start + len(f"[{i}]")}
                )
        return found


class GatewayState:
    """Per-server memory for the first-attempt faults (`!flaky`, `!searchfail`)."""

    def __init__(self) -> None:
        self.seen: set[str] = set()

    def first_time(self, key: str) -> bool:
        if key in self.seen:
            return False
        self.seen.add(key)
        return True


FILTERED_AFTER = 5
"""`!filtered`: the content filter stops the reply after this many tokens."""


def _status_faults(d: Dialogue, triggers: dict[str, str], state: GatewayState) -> None:
    if "429long" in triggers:
        raise GatewayError(
            429,
            "Rate limit reached for requests. Try again in 120s.",
            "requests",
            "rate_limit_exceeded",
            headers=[("Retry-After", "120")],
        )
    if "429" in triggers:
        raise GatewayError(
            429,
            "Rate limit reached for requests. Try again in 1s.",
            "requests",
            "rate_limit_exceeded",
            headers=[("Retry-After", "1"), ("retry-after-ms", "1000")],
        )
    if "quota" in triggers:
        raise GatewayError(
            429,
            "You exceeded your current quota, please check your plan and billing details.",
            "insufficient_quota",
            "insufficient_quota",
        )
    if "500" in triggers:
        raise GatewayError(
            500, "The server had an error while processing your request.", "server_error", "internal_error"
        )
    if "502html" in triggers:
        raise GatewayError(502, "Bad Gateway", "server_error", html=PROXY_502_HTML)
    if "flaky" in triggers and state.first_time("flaky\0" + d.prompt):
        raise GatewayError(
            500, "Flaky upstream: the first attempt failed, a retry will succeed.", "server_error", "flaky_upstream"
        )


def _thinking(d: Dialogue, model: ModelInfo, endpoint: str) -> ReasoningField:
    body = d.body
    if endpoint == "responses":
        reasoning = body.get("reasoning")
        if isinstance(reasoning, dict) and reasoning.get("summary") in ("auto", "concise", "detailed"):
            return "summary"
        if isinstance(reasoning, dict) or model.base.startswith(("o1", "o3", "o4")):
            return "hidden"
        return "none"
    thinking = body.get("thinking")
    enabled = isinstance(thinking, dict) and thinking.get("type") == "enabled"
    params = body.get("parameters")
    if not isinstance(params, dict):
        params = {}
    match model.family:
        case "deepseek":
            return "reasoning_content" if enabled or model.base == "deepseek-r1" else "none"
        case "doubao":
            return "reasoning_content" if enabled else "none"
        case "glm" | "kimi":
            return "reasoning" if enabled else "none"
        case "claude":
            if not enabled:
                return "none"
            budget = thinking.get("budget_tokens") if isinstance(thinking, dict) else None
            limit = body.get("max_tokens")
            if isinstance(budget, int) and isinstance(limit, int) and limit <= budget:
                raise bad_request(
                    f"max_tokens ({limit}) must be greater than thinking.budget_tokens ({budget})",
                    "max_tokens",
                )
            return "reasoning_content"
        case "qwen":
            return "reasoning_content" if params.get("enable_thinking") is True else "none"
        case "gemini":
            return "gemini" if model.gemini_thinking else "none"
        case "grok":
            return "hidden" if model.base.endswith("-reasoning") else "none"
        case _:
            return "hidden" if model.base.startswith(("o1", "o3", "o4")) else "none"


def _search(d: Dialogue, model: ModelInfo, endpoint: str) -> str | None:
    """Which citation shape this request asks for, or None when search is off."""
    body = d.body
    if endpoint == "responses":
        return "annotations" if d.tool_types & {"web_search", "web_search_preview"} else None
    params = body.get("parameters")
    if not isinstance(params, dict):
        params = {}
    match model.family:
        case "qwen":
            return "citations" if params.get("enable_search") is True else None
        case "grok":
            sp = body.get("search_parameters")
            if sp is None:
                return None
            if model.base.startswith("grok-4"):
                raise bad_request(
                    "search_parameters is no longer supported", "search_parameters", "unsupported_parameter"
                )
            if isinstance(sp, dict) and (sp.get("mode") == "off" or sp.get("return_citations") is False):
                return None
            return "citations"
        case "glm":
            return "web_search" if "web_search" in d.tool_types else None
        case "openai":
            return "annotations" if "web_search_options" in body else None
        case _:
            return None


def _citations(prompt: str) -> list[Citation]:
    words = re.findall(r"[A-Za-z0-9]+", prompt.lower())
    words = [w for w in words if len(w) > 2][:4] or ["demo"]
    slug = "-".join(words)
    topic = " ".join(words)
    return [
        Citation(
            f"{topic.title()}: an overview", f"https://example.com/search/{slug}/overview", f"An overview of {topic}."
        ),
        Citation(f"Notes on {topic}", f"https://example.org/notes/{slug}", f"Notes and examples about {topic}."),
        Citation(f"{topic.title()} explained", f"https://docs.example.net/{slug}", f"A longer explanation of {topic}."),
    ]


def _structured(d: Dialogue, endpoint: str, triggers: dict[str, str]) -> str | None:
    body = d.body
    fmt: Any = body.get("response_format")
    if endpoint == "responses":
        text = body.get("text")
        fmt = text.get("format") if isinstance(text, dict) else None
    if not isinstance(fmt, dict) or fmt.get("type") not in ("json_schema", "json_object"):
        return None
    bad = "badjson" in triggers
    value: Any
    if fmt["type"] == "json_object":
        asked = _schema_in_system(body)
        if asked is not None:  # JSON mode with a schema in the system message: obey it
            value = schema_fill.violation(asked) if bad else schema_fill.instance(asked)
            return json.dumps(value, indent=2, ensure_ascii=False)
        value = (
            ["not", "an", "object"]
            if bad
            else {
                "prompt": d.prompt[:200],
                "words": len(d.prompt.split()),
                "answer": "A JSON object from the demo gateway.",
            }
        )
        return json.dumps(value, indent=2, ensure_ascii=False)
    spec = fmt.get("json_schema", fmt) if endpoint == "chat" else fmt
    schema = spec.get("schema") if isinstance(spec, dict) else None
    if not isinstance(schema, dict):
        raise bad_request("response_format.json_schema.schema must be an object", "response_format")
    value = schema_fill.violation(schema) if bad else schema_fill.instance(schema)
    return json.dumps(value, indent=2, ensure_ascii=False)


_SCHEMA_SAID = "JSON Schema:"


def _schema_in_system(body: dict[str, Any]) -> dict[str, Any] | None:
    """A JSON Schema written into a system message after "JSON Schema:" (how a client
    asks for structured output from a server that refuses `json_schema`), if any."""
    messages = body.get("messages")
    texts: list[Any] = []
    if isinstance(messages, list):
        texts = [m.get("content") for m in messages if isinstance(m, dict) and m.get("role") == "system"]
    if isinstance(body.get("instructions"), str):
        texts.append(body["instructions"])
    for text in texts:
        if isinstance(text, str) and _SCHEMA_SAID in text:
            try:
                schema, _ = json.JSONDecoder().raw_decode(text.split(_SCHEMA_SAID, 1)[1].lstrip())
            except ValueError:
                continue
            if isinstance(schema, dict):
                return schema
    return None


def build_plan(d: Dialogue, model: ModelInfo, endpoint: str, state: GatewayState) -> Plan:
    """Decide the whole reply; raises GatewayError for faults and invalid requests."""
    triggers = d.triggers
    _status_faults(d, triggers, state)
    reasoning_field = _thinking(d, model, endpoint)
    search = _search(d, model, endpoint)
    if search and "searchfail" in triggers and state.first_time("searchfail\0" + d.prompt):
        raise GatewayError(504, "search service timeout", "server_error", "search_timeout")

    plan = Plan(model=model.name, prompt_tokens=d.prompt_tokens, cached_tokens=d.cached_tokens)
    plan.fault = next((f for f in STREAM_FAULTS if f in triggers), None)
    if "rate" in triggers:
        try:
            plan.rate = max(0.1, float(triggers["rate"]))
        except ValueError:
            plan.rate = None

    if reasoning_field != "none":
        thought = tokenize(reasoning_text(d.prompt))
        plan.reasoning_field = reasoning_field
        plan.reasoning_tokens = len(thought)
        if reasoning_field != "hidden":
            plan.reasoning = thought

    if d.results:
        plan.tool_calls = chain_calls(d, triggers, model)
        if not plan.tool_calls:
            plan.content = tokenize(tool_results_markdown([(r.name, r.output) for r in d.results]))
    else:
        plan.tool_calls = plan_calls(d, triggers, model)
    if plan.tool_calls:
        plan.finish_reason = "tool_calls"
        return plan

    if search:
        plan.citations = _citations(d.prompt)
        plan.citation_style = search
    plan.image = plan_image(model.base, d.prompt, triggers)
    if plan.image is not None and not plan.content:
        plan.content = tokenize(f"Here is the image you asked for ({len(d.prompt.split())} words of prompt).\n\n")
        if plan.image.style == "markdown":
            plan.content += plan.image.markdown_pieces()
    if not plan.content:
        structured = _structured(d, endpoint, triggers)
        if structured is not None:
            plan.content = tokenize(structured)
        elif d.media:
            plan.content = tokenize(media_markdown(d.prompt, d.media))
        elif "tokens" in triggers and triggers["tokens"].isdigit():
            plan.content = bench_tokens(min(int(triggers["tokens"]), MAX_BENCH_TOKENS))
        else:
            cites = [(c.title, c.url) for c in plan.citations]
            text = answer_markdown(d.prompt, model=model.name, messages=d.message_count, files=d.files, citations=cites)
            plan.content = tokenize(text)

    limit = d.body.get("max_output_tokens" if endpoint == "responses" else "max_completion_tokens")
    if limit is None and endpoint == "chat":
        limit = d.body.get("max_tokens")
    if isinstance(limit, int) and not isinstance(limit, bool) and 0 < limit < len(plan.content):
        plan.content = plan.content[:limit]
        plan.finish_reason = "length"
    if "filtered" in triggers and not plan.tool_calls:
        plan.content = plan.content[:FILTERED_AFTER]
        plan.finish_reason = "content_filter"
    return plan
