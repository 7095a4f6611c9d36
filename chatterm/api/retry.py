"""When a failed request is tried again, and how long to wait first.

    retried      408, 409, 429, every 5xx (incl. 529), connection failures (a connect timeout too)
    not retried  429 `insufficient_quota` (out of credit), 4xx otherwise, and anything
                 once a token of the reply has reached the caller (the client enforces that);
                 a deadline (`DeadlineError`): first byte, idle or total. A server that took
                 the request and went silent may still be running it (and billing it), and
                 the user already waited the time they chose; sending it again would double
                 both. Likewise a 2xx reply whose body broke (the client's `_Failed.answered`).
    told         each wait is announced as `Notice(kind="retry")` before it starts
    wait         the server's `retry-after-ms` or `Retry-After` (seconds or an HTTP date)
                 when it sends one, up to 60 s; a longer wait fails at once with the wait
                 in the message; otherwise 0.5 s x 2^n, capped at 8 s, minus up to 25 %
                 jitter so many clients do not come back in step.

The numbers are fields of `RetryPolicy` so tests (and impatient users) can shrink them.
"""

from __future__ import annotations

import random
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC
from email.utils import parsedate_to_datetime

from chatterm.api.errors import APIConnectionError, APIError, DeadlineError
from chatterm.api.failures import format_wait, is_quota_error
from chatterm.api.types import Notice

RETRY_STATUSES = frozenset({408, 409, 429})


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    max_retries: int = 2
    """Retries after the first attempt; 0 disables retrying."""
    base_delay: float = 0.5
    max_delay: float = 8.0
    max_retry_after: float = 60.0
    """The longest server-requested wait we sit through; longer fails at once."""
    jitter: float = 0.25
    """Up to this fraction is taken off each computed backoff."""

    def backoff(self, retry: int) -> float:
        """Seconds to wait before retry number `retry` (0-based) when the server said nothing."""
        delay = min(self.base_delay * (2.0**retry), self.max_delay)
        return delay * (1.0 - self.jitter * random.random())


def is_retryable(error: APIError) -> bool:
    """Whether this failure may go away if the same request is sent again."""
    if isinstance(error, DeadlineError):
        return False
    if isinstance(error, APIConnectionError):
        return True
    status = error.status
    if status is None:
        return False
    if status == 429:
        return not is_quota_error(error.code, error.error_type, error.provider_message)
    return status in RETRY_STATUSES or status >= 500


def parse_retry_after(headers: Mapping[str, str], now: float | None = None) -> float | None:
    """Seconds the server asked us to wait: `retry-after-ms`, else `Retry-After` as seconds
    or an HTTP date. None when absent or unreadable; never negative."""
    raw_ms = headers.get("retry-after-ms")
    if raw_ms:
        try:
            value = float(raw_ms) / 1000.0
        except ValueError:
            value = None
        if value is not None and value == value and value >= 0:
            return value
    raw = headers.get("retry-after")
    if not raw:
        return None
    raw = raw.strip()
    try:
        seconds = float(raw)
    except ValueError:
        seconds = None
    if seconds is not None:
        return seconds if seconds == seconds and seconds >= 0 else None
    try:
        when = parsedate_to_datetime(raw)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    current = time.time() if now is None else now
    return max(0.0, when.timestamp() - current)


def retry_notice(error: APIError, delay: float, retry: int, max_retries: int) -> Notice:
    """What the user sees while a failed attempt waits to be tried again (a rate limit
    can hold a reply for a minute: silence would look like a hang)."""
    if isinstance(error, APIConnectionError):
        why = "could not reach the server"
    elif error.status == 429:
        why = "rate limited (429)"
    else:
        why = f"the server answered {error.status}" if error.status else "the request failed"
    when = "now" if delay < 0.05 else f"in {format_wait(delay)}"
    return Notice(f"{why}; retrying {when} ({retry} of {max_retries})", kind="retry")
