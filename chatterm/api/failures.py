"""The gateway's error table: every failure a server reports -> one `APIError`.

    error_for(status, provider_message, model=..., ...)   the table itself
    error_from_payload(payload, model=..., ...)          any error JSON a server sends
    is_quota_error(code, type, message)                  429 that retrying cannot cure
    format_wait(seconds)                                 "2 s", "2 min 5 s"

`error_for` is the one place where a status / error code becomes the error class and
message of the gateway's table (shared/gateway-api.txt, `errors.py`): class by status, or,
when there is none (an error inside a stream), by the provider's type/code (auth, rate
limit, not found, overloaded), which then also sets the status the retry rules read.
A 429 message says when to retry, or that retrying will not help (out of quota).
The chat chunk parser, the Responses parser and the client's HTTP failures all end here,
so the same failure reads the same whichever way it arrived.

`error_from_payload` reads the shapes servers use: `{"error": {...}}`, `{"error": "..."}`,
`{"message": ...}`, `{"detail": ...}` (FastAPI), Google's `status: "RESOURCE_EXHAUSTED"`,
a JSON array of those, or a bare string; the provider's own words are kept (whitespace
folded, at most 300 characters).
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any

from chatterm.api.errors import (
    AUTH_MESSAGE,
    APIError,
    AuthenticationError,
    NotFoundError,
    RateLimitError,
    api_failed_message,
    not_found_message,
)

if TYPE_CHECKING:
    from chatterm.api.types import Completion

_GOOGLE_STATUS = {
    "INVALID_ARGUMENT": 400,
    "FAILED_PRECONDITION": 400,
    "UNAUTHENTICATED": 401,
    "PERMISSION_DENIED": 403,
    "NOT_FOUND": 404,
    "RESOURCE_EXHAUSTED": 429,
    "INTERNAL": 500,
    "UNAVAILABLE": 503,
    "DEADLINE_EXCEEDED": 504,
}
_AUTH_WORDS = ("authentication", "invalid_api_key", "unauthorized", "permission_denied", "forbidden")
_RATE_WORDS = ("rate_limit", "insufficient_quota", "too_many_requests", "resource_exhausted")
_NOT_FOUND_WORDS = ("not_found", "model_not_found")


def _status_of(value: Any) -> int | None:
    """An HTTP status from `code`/`status` fields that may be 429, "429" or "RESOURCE_EXHAUSTED"."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int) and 100 <= value <= 599:
        return value
    if isinstance(value, str):
        if value.isdigit() and 100 <= int(value) <= 599:
            return int(value)
        return _GOOGLE_STATUS.get(value.upper())
    return None


def is_quota_error(code: str | None, error_type: str | None, message: str | None = None) -> bool:
    """429 `insufficient_quota`: the account is out of credit; retrying will not help."""
    words = f"{code or ''} {error_type or ''}".lower()
    if "insufficient_quota" in words or str(code) == "1113":  # 1113: GLM's "out of balance"
        return True
    said = (message or "").lower()
    return any(phrase in said for phrase in _QUOTA_PHRASES)


_QUOTA_PHRASES = ("exceeded your current quota", "insufficient balance", "余额不足")
"""Words of 429s that mean the account is out of credit (OpenAI, DeepSeek, GLM)."""


_SAYS_WHEN = re.compile(r"\b(try again|retry|wait)\b[^.]{0,20}?\b(in|after|for)\s+\d", re.IGNORECASE)
"""A provider message that already says how long to wait ("Please try again in 20s")."""


def format_wait(seconds: float) -> str:
    """ "2 s", "0.5 s", "2 min 5 s": how long the server asked us to wait."""
    if seconds < 10 and seconds != int(seconds):
        return f"{seconds:.1f} s"
    whole = round(seconds)
    if whole < 120:
        return f"{whole} s"
    minutes, rest = divmod(whole, 60)
    return f"{minutes} min {rest} s" if rest else f"{minutes} min"


def error_for(
    status: int | None,
    provider_message: str | None,
    *,
    model: str,
    error_type: str | None = None,
    code: str | None = None,
    reason: str | None = None,
    retry_after: float | None = None,
    partial: Completion | None = None,
) -> APIError:
    """The gateway table's error for a failure: class by status (or by the provider's
    type/code when there is no status), message verbatim, provider's words kept.

    `reason` is the HTTP reason phrase, used when the provider said nothing itself.
    """
    words = f"{code or ''} {error_type or ''}".lower()
    if status is None:
        if any(w in words for w in _AUTH_WORDS):
            status = 401
        elif any(w in words for w in _RATE_WORDS):
            status = 429
        elif any(w in words for w in _NOT_FOUND_WORDS):
            status = 404
        elif "overloaded" in words:
            status = 529
    common: dict[str, Any] = {
        "status": status,
        "provider_message": provider_message,
        "error_type": error_type,
        "code": code,
        "partial": partial,
    }
    if status in (401, 403):
        return AuthenticationError(AUTH_MESSAGE, **common)
    if status == 404:
        return NotFoundError(not_found_message(model), **common)
    said = provider_message or reason or ""
    if status == 429:
        head = f"429 {said or 'Too Many Requests'}"
        if is_quota_error(code, error_type, provider_message):
            when = "quota exhausted: check the plan and billing; retrying will not help"
        elif retry_after is not None and _SAYS_WHEN.search(said):
            when = ""  # "Try again in 20s." already says it
        elif retry_after is not None:
            when = f"retry after {format_wait(retry_after)}"
        else:
            when = "retry in a little while"
        text = f"{head} ({when})" if when else head
        return RateLimitError(api_failed_message(text), retry_after=retry_after, **common)
    details = said or "the server reported an error" if status is None else f"{status} {said}".rstrip()
    if retry_after is not None:
        details += f" (retry after {format_wait(retry_after)})"
    return APIError(api_failed_message(details), **common)


def error_from_payload(
    payload: Any,
    *,
    model: str,
    status: int | None = None,
    reason: str | None = None,
    retry_after: float | None = None,
    partial: Completion | None = None,
) -> APIError:
    """An error from whatever JSON a server sent: `{"error": {...}}`, `{"error": "..."}`,
    `{"message": ...}`, `{"detail": ...}`, a JSON array of those, or a bare string."""
    message, error_type, code, inner_status = _describe(payload)
    return error_for(
        status if status is not None else inner_status,
        message,
        model=model,
        error_type=error_type,
        code=code,
        reason=reason,
        retry_after=retry_after,
        partial=partial,
    )


def _describe(payload: Any) -> tuple[str | None, str | None, str | None, int | None]:
    """(message, type, code, status) from an error payload of any common shape."""
    if isinstance(payload, list):
        for item in payload:
            found = _describe(item)
            if found[0]:
                return found
        return (_short(json.dumps(payload, ensure_ascii=False)) if payload else None, None, None, None)
    if isinstance(payload, str):
        return (_short(payload) or None, None, None, None)
    if not isinstance(payload, dict):
        return (None if payload is None else _short(str(payload)), None, None, None)
    error = payload.get("error", payload)
    if isinstance(error, str):
        return (
            _short(error),
            text_or_none(payload.get("type")),
            text_or_none(payload.get("code")),
            _status_of(payload.get("code")),
        )
    if not isinstance(error, dict):
        error = payload
    message = error.get("message") or error.get("msg") or error.get("detail") or error.get("error_msg")
    if isinstance(message, (dict, list)):  # FastAPI's `detail: [{"loc", "msg"}]`, nested errors
        message = _describe(message)[0] or json.dumps(message, ensure_ascii=False)
    status = _status_of(error.get("status")) or _status_of(error.get("status_code")) or _status_of(error.get("code"))
    raw_code = error.get("code")
    raw_type = error.get("type") or (error.get("status") if isinstance(error.get("status"), str) else None)
    return (_short(str(message)) if message else None, text_or_none(raw_type), text_or_none(raw_code), status)


def text_or_none(value: Any) -> str | None:
    """A field as text; None for null or "" (servers send either for "not given")."""
    return None if value is None or value == "" else str(value)


def _short(text: str, limit: int = 300) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


_CONTROLS = re.compile(r"[\x00-\x1f\x7f-\x9f]+")


def plain_words(text: str, limit: int = 120) -> str:
    """A server's words fit to quote in a notice: control characters (a terminal escape
    in an error page) become spaces, whitespace is folded, at most `limit` characters."""
    return _short(_CONTROLS.sub(" ", text), limit)
