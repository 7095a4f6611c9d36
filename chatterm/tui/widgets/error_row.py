"""`ErrorRow` (a failed reply) and `NoticeRow` (something the user should know).

An error row shows the gateway table's message in bold (led by what happened when the
message alone would mislead: a stream cut mid-reply), then the provider's own words
and the status code, so the user can act on it ("Invalid or unauthorized API key",
"Model x does not exist", "retry after 20 s"). It never shows a traceback.
"""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Static

from chatterm.api.errors import APIError, ChatTermError
from chatterm.terminal_text import visible


def error_content(error: ChatTermError | str) -> Content:
    """The gateway's words are its own: their control characters are shown, not sent."""
    if isinstance(error, str):
        return Content.styled(visible(error), "bold")
    parts = [Content.styled(visible(str(error)), "bold")]
    if isinstance(error, APIError) and error.happened:
        # what happened leads; the gateway table's class and message follow it
        parts = [Content.styled(visible(error.happened), "bold"), Content(visible(f"{error.kind}: {error}"))]
    if isinstance(error, APIError):
        details: list[str] = []
        if error.provider_message and error.provider_message not in str(error):
            details.append(error.provider_message)
        if error.status:
            details.append(f"HTTP {error.status}")
        retry = getattr(error, "retry_after", None)
        if retry and "retry after" not in str(error).lower():  # the message may say it already
            details.append(f"retry after {retry:g} s")
        if details:
            parts.append(Content(visible(" · ".join(details))))
    return Content("\n").join(parts)


class ErrorRow(Static):
    DEFAULT_CSS = """
    ErrorRow {
        margin: 0 1 1 1; padding: 0 1; height: auto;
        color: $text-error; background: $error 15%; border-left: thick $error;
    }
    """

    def __init__(self, error: ChatTermError | str) -> None:
        self.error = error
        super().__init__(error_content(error))


class NoticeRow(Static):
    DEFAULT_CSS = """
    NoticeRow {
        margin: 0 1 1 1; padding: 0 1; height: auto;
        color: $text-warning; background: $warning 10%; border-left: thick $warning;
    }
    """

    def __init__(self, text: str) -> None:
        super().__init__(visible(text), markup=False)
