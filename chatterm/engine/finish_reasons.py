"""Why a reply ended before it was done, in words: the finish reasons a user must see.

A reply cut by `max_tokens` or stopped by a content filter reads like a finished one;
the TUI (a line under the reply), `ask` (a note on stderr) and Markdown exports say
so in these words. The reason itself is kept on the message (`Message.finish_reason`).
"""

from __future__ import annotations

CUT_BY_LENGTH = ("length", "max_tokens", "max_output_tokens")
CUT_BY_FILTER = ("content_filter", "safety")


def cut_note(finish_reason: str | None) -> str | None:
    """ "cut at the max-tokens limit", "stopped by the content filter", or None for a
    reply that ended by itself (stop, tool calls, or a reason not known here)."""
    if finish_reason in CUT_BY_LENGTH:
        return "cut at the max-tokens limit"
    if finish_reason in CUT_BY_FILTER:
        return "stopped by the provider's content filter"
    return None


def can_continue(finish_reason: str | None) -> bool:
    """A reply cut by the token limit can be asked to go on; a filtered one cannot."""
    return finish_reason in CUT_BY_LENGTH


CONTINUE_PROMPT = "Continue exactly where your last reply was cut off."
"""What "Continue" sends: a prompt, since few gateways let a request extend a reply."""
