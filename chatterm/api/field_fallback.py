"""A server that refuses an optional request field gets the request again without it.

Third-party servers differ in what they take: an older Azure API version refuses
`stream_options`, a strict vLLM refuses `parallel_tool_calls` ("Extra inputs are not
permitted"), OpenAI reasoning models behind an unknown name refuse `temperature` and
want `max_completion_tokens` for `max_tokens`. The catalogue knows the gateway's
families; for everything else the server's 400 says which field it did not take:

    refused_field(error, body) -> "stream_options"    (None: not such a refusal)
    apply_refusals(body, refused) -> the body without (or with renamed) fields

Only the fields in `OPTIONAL_FIELDS` are ever dropped: the request still means the
same thing without them (or nearly: the user is told). The client remembers each
refusal, so later requests go without the field from the start.
"""

from __future__ import annotations

import re
from typing import Any

from chatterm.api.errors import APIError

OPTIONAL_FIELDS = (
    "stream_options",
    "parallel_tool_calls",
    "max_tokens",
    "max_completion_tokens",
    "temperature",
    "top_p",
    "reasoning_effort",
    "thinking",
    "enable_thinking",
    "web_search_options",
    "search_parameters",
    "seed",
    "user",
)
RENAMES = {"max_tokens": "max_completion_tokens", "max_completion_tokens": "max_tokens"}
"""A refused output cap is sent under its other name when the server names that one
(OpenAI's "Use 'max_completion_tokens' instead"), else dropped."""

_REFUSAL = re.compile(
    r"unrecogni[sz]ed|unknown|not permitted|not supported|unsupported|extra inputs|extra_forbidden"
    r"|unexpected|not allowed|additional properties|does not support",
    re.IGNORECASE,
)


def fixable_status(status: int | None) -> bool:
    """A status a refused field can come with: a 4xx about the request (not auth, a
    missing route or model, a timeout or a rate limit), or a 500/501 from servers that
    report their request validation as an internal error (llama-cpp-python)."""
    if status is None:
        return False
    return (400 <= status < 500 and status not in (401, 403, 404, 408, 429)) or status in (500, 501)


def refused_field(error: APIError, body: dict[str, Any]) -> str | None:
    """The optional top-level field of `body` a failed request says the server does not
    take (a 400/422, or a 500 that is a validation error in disguise)."""
    if not fixable_status(error.status):
        return None
    said = " ".join(t for t in (error.provider_message, error.code, error.error_type) if isinstance(t, str))
    if not _REFUSAL.search(said):
        return None
    found: list[tuple[int, str]] = []
    for name in OPTIONAL_FIELDS:
        if name in body:
            match = re.search(rf"(?<![A-Za-z_]){name}(?![A-Za-z_])", said)
            if match:
                found.append((match.start(), name))
    return min(found)[1] if found else None


def rename_for(field: str, error: APIError, refused: dict[str, str | None]) -> str | None:
    """The name to send a refused field under instead, if the server asked for it and
    has not refused that name too."""
    other = RENAMES.get(field)
    said = error.provider_message or ""
    return other if other and other in said and other not in refused else None


def apply_refusals(body: dict[str, Any], refused: dict[str, str | None]) -> dict[str, Any]:
    """`body` without the fields this server refused (renamed where it said so)."""
    if not refused or not any(name in body for name in refused):
        return body
    out: dict[str, Any] = {}
    for key, value in body.items():
        if key in refused:
            renamed = refused[key]
            if renamed and renamed not in body and renamed not in refused:
                out[renamed] = value
            continue
        out[key] = value
    return out
