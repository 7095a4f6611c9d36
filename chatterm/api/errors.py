"""Errors of the API layer, with the gateway page's messages.

    ChatTermError
     ├── RequestValidationError   refused before sending (names the field and range)
     └── APIError                 "API request failed: [details]"
          ├── AuthenticationError  401/403  "Error: Invalid or unauthorized API key"
          ├── NotFoundError        404      "Error: Model [model] does not exist or is not supported"
          ├── APIConnectionError   connect failure, stream cut  "Error: Cannot connect to API server"
          │                        (cut mid-reply: led by "Connection lost mid-reply; ...")
          │    └── DeadlineError   a `[timeouts]` deadline fired; says which and how long
          ├── ResponseTooLargeError  a `[limits]` cap was reached; says which; reading stopped
          └── RateLimitError       429      says when to retry

`str(error)` is the table's message. `provider_message` keeps what the server itself
said ("Incorrect API key provided...") so the user sees why, and `partial` keeps the
text that arrived before a stream failed. No error ever holds the API key.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from chatterm.api.types import Completion


class ChatTermError(Exception):
    """Base of every error chatterm raises on purpose."""


class RequestValidationError(ChatTermError, ValueError):
    """A request value is out of range or missing; nothing was sent."""


class APIError(ChatTermError):
    """The server (or the way to it) failed the request."""

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        provider_message: str | None = None,
        error_type: str | None = None,
        code: str | None = None,
        partial: Completion | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.provider_message = provider_message
        self.error_type = error_type
        self.code = code
        self.partial = partial
        """What arrived before the failure (text, reasoning, calls), or None."""

    @property
    def kind(self) -> str:
        """The class name as the gateway's table names it (`AuthenticationError`, ...)."""
        return type(self).__name__

    @property
    def partial_content(self) -> str:
        return self.partial.content if self.partial is not None else ""

    @property
    def happened(self) -> str | None:
        """What happened, in a user's words, when the table's message alone would
        mislead (None: the message says it)."""
        return None

    @property
    def detail(self) -> str:
        """The message plus the provider's own words when they add something; led by
        `happened`, with the class named, when there is one."""
        detail = self.message
        if self.provider_message and self.provider_message not in self.message:
            detail = f"{self.message} ({self.provider_message})"
        if self.happened:
            return f"{self.happened}. {self.kind}: {detail}"
        return detail

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r}, status={self.status!r})"


class AuthenticationError(APIError):
    pass


class NotFoundError(APIError):
    pass


class APIConnectionError(APIError):
    @property
    def happened(self) -> str | None:
        """A connection that broke after the reply began is not a server that could not
        be reached: the table's "Cannot connect" would send the user to check the URL."""
        partial = self.partial
        if partial is None or not (partial.content or partial.reasoning or partial.tool_calls):
            return None
        return MID_REPLY_LOST


class RateLimitError(APIError):
    def __init__(self, message: str, *, retry_after: float | None = None, **kwargs: object) -> None:
        super().__init__(message, **kwargs)  # type: ignore[arg-type]
        self.retry_after = retry_after
        """Seconds the server asked us to wait, when it said."""


class DeadlineError(APIConnectionError):
    """A deadline of `limits.Deadlines` fired. `deadline` is its name ("first_byte",
    "idle", "total"), the message says what the server did and which setting to raise."""

    def __init__(self, message: str, *, deadline: str, seconds: float, **kwargs: object) -> None:
        super().__init__(message, **kwargs)  # type: ignore[arg-type]
        self.deadline = deadline
        self.seconds = seconds

    @property
    def happened(self) -> str | None:
        return None  # the message names the deadline that fired and says the text is kept


class ResponseTooLargeError(APIError):
    """A cap of `limits.Limits` was reached and reading stopped. `limit` is its name
    ("json_body", "sse_event", "reply_text"); `partial` keeps what was already shown."""

    def __init__(self, message: str, *, limit: str, size: int, **kwargs: object) -> None:
        super().__init__(message, **kwargs)  # type: ignore[arg-type]
        self.limit = limit
        self.size = size


AUTH_MESSAGE = "Error: Invalid or unauthorized API key"
CONNECT_MESSAGE = "Error: Cannot connect to API server"
MID_REPLY_LOST = "Connection lost mid-reply; the partial text is kept"


def not_found_message(model: str) -> str:
    return f"Error: Model {model} does not exist or is not supported"


def api_failed_message(details: str) -> str:
    return f"API request failed: {details}"
