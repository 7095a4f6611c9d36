"""`Welcome`: what an empty chat shows, so a first-time user knows what to try.

On the demo gateway it lists the prompts that show off tools, thinking, search and
long Markdown; on a real gateway it says where chatterm is connected. It leaves the
pane with the first message.
"""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Static

_DEMO_TRIES = (
    ("what time is it?", "the model calls a local tool; you approve it"),
    ("calculate (17 + 4) * 3", "the calculator tool, parsed, never eval'd"),
    ("!parallel", "two tool calls in one reply"),
    ("F3 Thinking · F4 Search", "reasoning above the answer; cited sources below it"),
    ("!tokens=5000", "a long Markdown reply, streamed"),
    ("!500  ·  !429  ·  !drop", "what failures look like (your prompt comes back)"),
)
_KEYS = "F2 model · F8 history · Ctrl+P commands · F1 help · Esc stops a reply"


def welcome_content(*, demo: bool, where: str | None, model: str) -> Content:
    title = Content.styled("chatterm", "bold $text-primary")
    if demo:
        parts = [
            Content.assemble(title, "  on the built-in demo gateway: offline, no key needed"),
            Content(""),
            Content.styled("Try typing:", "bold"),
        ]
        width = max(len(t) for t, _ in _DEMO_TRIES)
        for prompt, what in _DEMO_TRIES:
            parts.append(Content.assemble("  ", Content.styled(prompt.ljust(width), "$text-accent"), "   ", Content.styled(what, "$text-muted")))
    else:
        parts = [Content.assemble(title, f"  connected to {where or 'your gateway'} · model {model}")]
    parts += [Content(""), Content.styled(_KEYS, "$text-muted")]
    return Content("\n").join(parts)


class Welcome(Static):
    DEFAULT_CSS = """
    Welcome {
        margin: 1 2; padding: 1 2; height: auto;
        border: round $primary 50%;
    }
    """

    def __init__(self, *, demo: bool, where: str | None, model: str) -> None:
        super().__init__(welcome_content(demo=demo, where=where, model=model), id="welcome")
