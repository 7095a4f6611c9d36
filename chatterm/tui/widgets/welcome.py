"""`Welcome`: what an empty chat shows, so a first-time user knows what to try.

On the demo gateway it lists the prompts that show off tools, thinking, search and
long Markdown; on a real gateway it says where chatterm is connected. It leaves the
pane with the first message.

The text is laid out for the width it gets: a description that does not fit beside its
prompt wraps under itself (a hanging indent), not under the prompt column, and the key
hints break between items, so an 80x24 terminal still reads as two clean columns.
"""

from __future__ import annotations

import textwrap

from textual.content import Content
from textual.geometry import Size
from textual.widgets import Static

from chatterm.terminal_text import visible_line

_DEMO_TRIES = (
    ("what time is it?", "the model calls a tool; you approve it"),
    ("calculate (17 + 4) * 3", "the calculator tool, parsed, never eval'd"),
    ("!parallel", "two tool calls in one reply"),
    ("any question", "reasoning above, sources below (F3, F4)"),
    ("!tokens=3000 !rate=300", "a long reply, paced: Esc stops it"),
    ("!500  ·  !429  ·  !drop", "failures; your prompt comes back"),
)
_KEYS = ("F2 model", "F8 history", "Ctrl+P commands", "F1 help", "Esc stops a reply")
_GAP = "  "
_NARROW = 16
"""Below this many cells beside the prompt column, descriptions go under their prompt."""


def _pack(items: tuple[str, ...], width: int | None, separator: str = " · ") -> list[str]:
    """`items` joined by `separator`, broken into lines of at most `width` between items."""
    lines: list[str] = []
    for item in items:
        if lines and (width is None or len(lines[-1]) + len(separator) + len(item) <= width):
            lines[-1] += separator + item
        else:
            lines.append(item)
    return lines


def _try_lines(prompt: str, what: str, column: int, width: int | None) -> list[Content]:
    head = Content.styled(("  " + prompt).ljust(column), "$text-accent")
    room = None if width is None else width - column - len(_GAP)
    if room is None or len(what) <= room:
        return [Content.assemble(head, _GAP, Content.styled(what, "$text-muted"))]
    if room >= _NARROW:
        wrapped = textwrap.wrap(what, room)
        indent = " " * (column + len(_GAP))
        return [Content.assemble(head, _GAP, Content.styled(wrapped[0], "$text-muted"))] + [
            Content.assemble(indent, Content.styled(more, "$text-muted")) for more in wrapped[1:]
        ]
    wrapped = textwrap.wrap(what, max(8, (width or 0) - 4))
    return [Content.styled("  " + prompt, "$text-accent")] + [
        Content.styled("    " + more, "$text-muted") for more in wrapped
    ]


CHECKING = "checking the gateway…"


def welcome_content(
    *, demo: bool, where: str | None, model: str, width: int | None = None, status: str | None = None
) -> Content:
    """The panel's text; `width` (cells) lays it out to fit, None for one line per item."""
    title = Content.styled("chatterm", "bold $text-primary")
    if demo:
        parts = [
            Content.assemble(title, "  on the built-in demo gateway: offline, no key needed"),
            Content(""),
            Content.styled("Try typing:", "bold"),
        ]
        column = 2 + max(len(t) for t, _ in _DEMO_TRIES)
        for prompt, what in _DEMO_TRIES:
            parts += _try_lines(prompt, what, column, width)
    else:
        # "connected" only once a request said so: `status` is the gateway check's outcome
        parts = [
            Content.assemble(title, f"  gateway {where or '(not set)'} · model {model}"),
            Content.styled(visible_line(status or CHECKING), "$text-muted" if status is None else ""),
        ]
    parts.append(Content(""))
    parts += [Content.styled(line, "$text-muted") for line in _pack(_KEYS, width)]
    return Content("\n").join(parts)


class Welcome(Static):
    DEFAULT_CSS = """
    Welcome {
        margin: 1 2; padding: 1 2; height: auto;
        border: round $primary 50%;
    }
    """

    def __init__(self, *, demo: bool, where: str | None, model: str) -> None:
        self._facts: dict[str, object] = {"demo": demo, "where": where, "model": model, "status": None}
        self._width: int | None = None
        super().__init__(welcome_content(demo=demo, where=where, model=model), id="welcome")

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        self._relayout(width)
        return super().get_content_height(container, viewport, width)

    def on_resize(self) -> None:
        self._relayout(self.content_size.width)

    def _relayout(self, width: int) -> None:
        """Lay the text out again for a new width (the height follows from it)."""
        if width > 0 and width != self._width:
            self._width = width
            self.update(welcome_content(width=width, **self._facts))  # type: ignore[arg-type]

    def set_status(self, status: str) -> None:
        """Show what the gateway check found (reachable, key refused, unreachable)."""
        self._facts["status"] = status
        self._width = None
        if self.content_size.width > 0:
            self._relayout(self.content_size.width)
        else:
            self.update(welcome_content(**self._facts))  # type: ignore[arg-type]
