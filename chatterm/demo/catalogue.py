"""The demo gateway's model list and the family each model name belongs to.

`MODELS` holds every model id the gateway page (`shared/gateway-api.txt`) names, plus
two OpenAI search models. Gemini models also answer to the page's variant suffixes
(`-thinking`, `-nothinking`, `-thinking-<budget>`, `-thinking-low`, `-thinking-high`),
which `resolve()` accepts without listing them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

Family = Literal["openai", "claude", "deepseek", "grok", "gemini", "glm", "doubao", "qwen", "kimi"]

MODELS: tuple[tuple[str, str], ...] = (
    ("o4-mini", "openai"),
    ("o3-mini", "openai"),
    ("gpt-5.2", "openai"),
    ("gpt-5.1", "openai"),
    ("gpt-5-chat", "openai"),
    ("gpt-4.1", "openai"),
    ("gpt-4o", "openai"),
    ("gpt-4o-mini", "openai"),
    ("gpt-3.5-turbo", "openai"),
    ("gpt-4o-search-preview", "openai"),
    ("gpt-4o-mini-search-preview", "openai"),
    ("claude-opus-4-6", "anthropic"),
    ("claude-sonnet-4-5-20250929", "anthropic"),
    ("claude-haiku-4-5-20251001", "anthropic"),
    ("deepseek-v3-1-250821", "deepseek"),
    ("deepseek-v3", "deepseek"),
    ("deepseek-r1", "deepseek"),
    ("grok-4", "xai"),
    ("grok-4-fast-reasoning", "xai"),
    ("grok-3", "xai"),
    ("grok-3-fast", "xai"),
    ("gemini-3-pro-preview", "google"),
    ("gemini-3-flash-preview", "google"),
    ("nano-banana-pro", "google"),
    ("gemini-2.5-flash-image", "google"),
    ("glm-5", "zhipu"),
    ("glm-4.7", "zhipu"),
    ("doubao-seed-1-8-251228", "bytedance"),
    ("qwen3-coder-plus", "alibaba"),
    ("qwen3-omni-flash", "alibaba"),
    ("kimi-k2.5", "moonshot"),
)
"""(model id, owned_by) in the order `/v1/models` lists them."""

MODEL_CREATED = 1_735_689_600
"""A fixed `created` stamp (2025-01-01) so `/v1/models` is byte-for-byte deterministic."""

_GEMINI_VARIANT = re.compile(r"^(?P<base>.+?)-(?P<suffix>nothinking|thinking(?:-(?:low|high|\d+))?)$")

_PREFIXES: tuple[tuple[str, Family], ...] = (
    ("claude-", "claude"),
    ("deepseek-", "deepseek"),
    ("grok-", "grok"),
    ("gemini-", "gemini"),
    ("nano-banana", "gemini"),
    ("glm-", "glm"),
    ("doubao-", "doubao"),
    ("qwen", "qwen"),
    ("kimi-", "kimi"),
    ("gpt-", "openai"),
    ("o1", "openai"),
    ("o3", "openai"),
    ("o4", "openai"),
)


@dataclass(frozen=True, slots=True)
class ModelInfo:
    name: str
    """The name as the client sent it (variant suffix included)."""
    base: str
    family: Family
    gemini_thinking: bool = False
    """True for a Gemini `-thinking*` variant: the reply carries thought parts."""


def family_of(name: str) -> Family:
    for prefix, family in _PREFIXES:
        if name.startswith(prefix):
            return family
    return "openai"


def resolve(name: str) -> ModelInfo | None:
    """The model the gateway serves under `name`, or None (-> 404 model_not_found)."""
    known = {model for model, _ in MODELS}
    if name in known:
        return ModelInfo(name, name, family_of(name))
    match = _GEMINI_VARIANT.match(name)
    if match and match["base"] in known and family_of(match["base"]) == "gemini":
        thinking = match["suffix"] != "nothinking"
        return ModelInfo(name, match["base"], "gemini", gemini_thinking=thinking)
    return None


def models_payload() -> dict[str, object]:
    """The body of `GET /v1/models` (OpenAI's ListModelsResponse shape)."""
    return {
        "object": "list",
        "data": [
            {"id": model, "object": "model", "created": MODEL_CREATED, "owned_by": owner} for model, owner in MODELS
        ],
    }
