"""`ChatRequest`: what the engine asks for, before any family shaping.

The engine fills one of these; `api/shaping.py` turns it into the exact body and path
for the model's family (chat completions or `/v1/responses`), and the client sends it.
Ranges are checked here, before anything goes on the wire.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from chatterm.api.errors import RequestValidationError
from chatterm.api.types import Endpoint, FileInput

DEFAULT_IMAGE_MAX_SIDE = 2048
"""Pixels: models look at about this much of an image (config `images.max_side`)."""


@dataclass(slots=True)
class ChatRequest:
    model: str
    messages: list[dict[str, Any]]
    """Messages in the gateway's wire format (role/content/tool_calls/tool_call_id)."""
    temperature: float | None = None
    top_p: float | None = None
    max_tokens: int | None = None
    stream: bool = True
    tools: list[dict[str, Any]] | None = None
    tool_choice: str | dict[str, Any] | None = None
    response_format: dict[str, Any] | None = None
    thinking: bool = False
    """The Thinking toggle; shaping decides what the family needs for it."""
    thinking_budget: int | None = None
    """Token budget for families that take one (Claude, Gemini `-thinking-<budget>`)."""
    thinking_level: str | None = None
    """"low" / "medium" / "high": reasoning effort (o-series) or Gemini `-thinking-low/high`."""
    search: bool = False
    """The Search toggle; shaping decides what the family needs for it."""
    search_options: dict[str, Any] | None = None
    files: list[FileInput] = field(default_factory=list)
    endpoint: Endpoint = "auto"
    image_max_side: int = DEFAULT_IMAGE_MAX_SIDE
    """Attached images larger than this many pixels on their longest side are sent
    scaled down (0: sent as they are); config `images.max_side`."""
    asr_options: dict[str, Any] | None = None
    """Qwen speech recognition options (`language`, `enable_itn`), sent inside
    `parameters` to Qwen models (chat settings)."""
    extra_body: dict[str, Any] = field(default_factory=dict)
    """Extra top-level fields, merged last (escape hatch for servers we do not know)."""

    def validate(self) -> None:
        """Refuse values the API would reject, naming the field and its range."""
        if not self.model or not self.model.strip():
            raise RequestValidationError("model: a model name is required")
        _check_range("temperature", self.temperature, 0.0, 2.0)
        _check_range("top_p", self.top_p, 0.0, 1.0)
        if self.max_tokens is not None and (
            isinstance(self.max_tokens, bool) or not isinstance(self.max_tokens, int) or self.max_tokens < 1
        ):
            raise RequestValidationError(f"max_tokens must be a whole number of at least 1 (got {self.max_tokens!r})")
        if self.image_max_side < 0:
            raise RequestValidationError(
                f"images.max_side must be 0 (off) or more pixels (got {self.image_max_side!r})"
            )
        if self.thinking_budget is not None and self.thinking_budget < 0:
            raise RequestValidationError(f"thinking_budget must be 0 or more tokens (got {self.thinking_budget!r})")


def _check_range(name: str, value: float | None, low: float, high: float) -> None:
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not (low <= value <= high):
        raise RequestValidationError(f"{name} must be between {low:g} and {high:g} (got {value!r})")
