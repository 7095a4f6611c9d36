"""How large a model's context window is, and how full the last request left it.

    listed_window(item)           a `/v1/models` entry's window, from whichever field the
                                  server uses, or None
    listed_windows(items)         {model id: window} for a whole model list
    window_for(model, listed)     the server's figure, else the catalogue's, else None
    context_use(usage, window)    `ContextUse` (tokens used, window, percent) or None

Servers say it in many ways: vLLM `max_model_len`, LM Studio `loaded_context_length`
(what is loaded) and `max_context_length`, OpenRouter `top_provider.context_length`
(the provider requests go to) and `context_length`, Groq `context_window`, llama.cpp
`meta.n_ctx_train`. The first usable one, in that order (served limits before model
maxima), wins over the catalogue. A server's list is outside input: a field that is
not a whole number between `MIN_WINDOW` and `MAX_WINDOW` (a string of digits counts)
is ignored, never guessed from, and the next field is tried.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from chatterm.api.pricing import output_tokens
from chatterm.api.types import Usage

MIN_WINDOW = 256
"""Smaller is not a chat model's window (the smallest served models have 512-2,048)."""
MAX_WINDOW = 100_000_000
"""Larger is not a real window (the largest published are 10 million)."""

LISTED_FIELDS: tuple[tuple[str, ...], ...] = (
    ("max_model_len",),
    ("loaded_context_length",),
    ("top_provider", "context_length"),
    ("context_window",),
    ("context_length",),
    ("max_context_length",),
    ("meta", "n_ctx_train"),
)
"""Paths into a model entry, in the order they are trusted."""


@dataclass(frozen=True, slots=True)
class ContextUse:
    """How full the context window was after a request: its prompt plus its reply."""

    used: int
    window: int

    @property
    def percent(self) -> float:
        return 100.0 * self.used / self.window

    def to_dict(self) -> dict[str, int | float]:
        return {"used": self.used, "window": self.window, "percent": round(self.percent, 1)}


def _whole(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 12:
        value = int(value)
    if isinstance(value, int) and MIN_WINDOW <= value <= MAX_WINDOW:
        return value
    return None


def listed_window(item: Any) -> int | None:
    """The context window a model-list entry states, or None."""
    if not isinstance(item, Mapping):
        return None
    for path in LISTED_FIELDS:
        value: Any = item
        for key in path:
            value = value.get(key) if isinstance(value, Mapping) else None
        window = _whole(value)
        if window is not None:
            return window
    return None


def listed_windows(items: Iterable[Any]) -> dict[str, int]:
    """{model id: window} for the entries of a model list that state one."""
    windows: dict[str, int] = {}
    for item in items:
        if not isinstance(item, Mapping):
            continue
        name = next((item[k] for k in ("id", "model", "name") if isinstance(item.get(k), str) and item[k]), None)
        window = listed_window(item)
        if isinstance(name, str) and name and window is not None:
            windows.setdefault(name, window)
    return windows


def window_for(model: str | None, listed: Mapping[str, int] | None = None) -> int | None:
    """The server's window for `model` (it knows what it serves), else the catalogue's."""
    if not model:
        return None
    if listed and model in listed:
        return listed[model]
    from chatterm.api.catalogue import context_window

    return context_window(model)


def context_use(usage: Usage | None, window: int | None) -> ContextUse | None:
    """The last request's prompt plus its completion over the window; None when either
    is unknown. The reply counts as `output_tokens` (reasoning included, once)."""
    if usage is None or not window or usage.prompt_tokens is None or usage.prompt_tokens < 0:
        return None
    return ContextUse(usage.prompt_tokens + (output_tokens(usage) or 0), window)
