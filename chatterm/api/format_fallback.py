"""A server that refuses `json_schema` gets JSON mode and the schema in a system message.

Structured output is `response_format: {"type": "json_schema", ...}`. Some servers take
only `text` / `json_object`: llama-cpp-python answers 500 with a pydantic validation error
(`'loc': ('body', 'response_format', 'type')`, "Input should be 'text' or
'json_object'"), others a 400 saying `json_schema` is not supported. Retrying the same
body cannot help, so instead the request goes again, weaker by one step:

    level 1   json_schema -> json_object, the schema in a system message
    level 2   no response_format at all (a server that refuses JSON mode too); the
              schema, or "reply with a JSON object", in a system message

The reply is still checked here against the user's schema (`structured.validate_reply`,
run by `ask` and the TUI on the format the chat asked for), so the user learns when the
model did not fit it. The client tells it once (`Notice(kind="format_refused")`) and
remembers the level for its base URL.
"""

from __future__ import annotations

import json
import re
from dataclasses import replace
from typing import Any

from chatterm.api.errors import APIError
from chatterm.api.failures import plain_words
from chatterm.api.field_fallback import fixable_status
from chatterm.api.request import ChatRequest
from chatterm.api.structured import schema_of
from chatterm.api.types import Notice

LEVELS = ("json_schema", "json_object", "none")
"""What each level sends as the format, strongest first."""

_NAMES_FORMAT = re.compile(r"response_format|text\.format|json_schema|json_object", re.IGNORECASE)
_REFUSED = re.compile(
    r"input should be|literal_error|not supported|unsupported|unknown|invalid|not allowed|must be|"
    r"not permitted|extra inputs|unrecogni[sz]ed|does not support",
    re.IGNORECASE,
)
_SCHEMA_FAULT = re.compile(r"invalid schema|schema for response_format", re.IGNORECASE)


def sent_format(body: dict[str, Any]) -> str | None:
    """The type of the output format in a chat or Responses body, if any."""
    fmt = body.get("response_format")
    if fmt is None and isinstance(body.get("text"), dict):
        fmt = body["text"].get("format")
    kind = fmt.get("type") if isinstance(fmt, dict) else None
    return kind if isinstance(kind, str) else None


def format_refused(error: APIError, body: dict[str, Any]) -> bool:
    """True when the server refused the body's `json_schema` / `json_object` format (not
    anything else about the request): the error names the format field or its type and
    says it was refused."""
    if sent_format(body) not in ("json_schema", "json_object") or not fixable_status(error.status):
        return False
    said = " ".join(t for t in (error.provider_message, error.code, error.error_type) if t)
    if _SCHEMA_FAULT.search(said):
        return False  # the format is taken; the user's schema is not (OpenAI's strict rules)
    return bool(_NAMES_FORMAT.search(said) and _REFUSED.search(said))


def weaker(req: ChatRequest, level: int) -> ChatRequest:
    """`req` with its format brought down to `level` (see the module docstring)."""
    fmt = req.response_format
    if level <= 0 or not isinstance(fmt, dict) or fmt.get("type") not in ("json_schema", "json_object"):
        return req
    if fmt.get("type") == "json_object" and level < 2:
        return req
    schema = schema_of(fmt)
    if schema is not None:
        words = "Reply with one JSON object and nothing else. It must fit this JSON Schema:\n" + json.dumps(
            schema, ensure_ascii=False
        )
    else:
        words = "Reply with one JSON object and nothing else."
    return replace(
        req,
        response_format={"type": "json_object"} if level == 1 else None,
        messages=_with_system(req.messages, words),
    )


def _with_system(messages: list[dict[str, Any]], words: str) -> list[dict[str, Any]]:
    """`words` as a system message: added to a leading text system message (many local
    chat templates take one system message, and only first), else put first."""
    if messages and messages[0].get("role") == "system" and isinstance(messages[0].get("content"), str):
        first = dict(messages[0])
        first["content"] = f"{first['content']}\n\n{words}"
        return [first, *messages[1:]]
    return [{"role": "system", "content": words}, *messages]


def format_notice(model: str, level: int, error: APIError) -> Notice:
    said = plain_words(error.provider_message or f"{error.status}")
    if level == 1:
        how = "asked for a JSON object with the schema in a system message"
    else:
        how = "asked for JSON in a system message, without a response_format"
    return Notice(
        f"{model}: the server does not take `{LEVELS[level - 1]}` ({said}); {how}; the reply is checked "
        "against the schema here",
        kind="format_refused",
    )
