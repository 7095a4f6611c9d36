"""`ToolCallRow`: one tool call the model asked for, as a collapsible row.

Title: the tool's name and its status (waiting for approval, running, done, failed,
denied, interrupted, not run): live, from the engine's events; loaded, from the status
stored with the result (`Message.tool_outcome`). Inside: the arguments as pretty JSON and the result, cut to a few lines;
click the result (or press Enter on it) to see all of it.
"""

from __future__ import annotations

from textual import events
from textual.binding import Binding
from textual.widgets import Collapsible, Static

from chatterm.api.types import ToolCall
from chatterm.terminal_text import visible, visible_line
from chatterm.tools.preview import arguments_preview

STATUS_LABELS = {
    "streaming": "…",
    "pending": "queued",
    "waiting": "waiting for approval",
    "running": "running…",
    "done": "done ✓",
    "failed": "failed ✗",
    "denied": "denied",
    "interrupted": "interrupted ⚠ may have had effects",
    "not run": "not run",
}
PREVIEW_LINES = 6
PREVIEW_CHARS = 400


def _status_class(status: str) -> str:
    return "-" + status.replace(" ", "-")  # "not run" -> "-not-run"


def pretty_json(arguments: str) -> str:
    """The arguments as they will run (`tools/preview.py`): pretty, escapes for anything
    invisible or controlling, long values cut."""
    return arguments_preview(ToolCall("", "", arguments), indent=2).text


def preview(text: str) -> tuple[str, bool]:
    """The text cut to PREVIEW_LINES lines / PREVIEW_CHARS chars; and whether it was cut."""
    lines = text.splitlines()
    cut = "\n".join(lines[:PREVIEW_LINES])
    if len(cut) > PREVIEW_CHARS:
        cut = cut[:PREVIEW_CHARS]
    return (cut, True) if len(cut) < len(text.rstrip("\n")) else (text, False)


class ToolResult(Static, can_focus=True):
    """A tool's output, truncated until clicked."""

    BINDINGS = [Binding("enter", "toggle_output", "Show all", show=False)]
    DEFAULT_CSS = """
    ToolResult { height: auto; padding: 0 1; background: $boost; }
    ToolResult.-truncated { text-style: none; }
    ToolResult:focus { background: $boost 200%; }
    """

    def __init__(self) -> None:
        super().__init__("", markup=False)
        self.output = ""
        self.expanded = False

    def set_output(self, output: str) -> None:
        self.output = visible(output)  # a tool may read a file full of escape sequences
        self._show()

    def _show(self) -> None:
        text, cut = preview(self.output)
        if self.expanded or not cut:
            self.update(self.output)
            self.set_class(False, "-truncated")
        else:
            self.update(f"{text}\n… {len(self.output):,} chars; click to show all")
            self.set_class(True, "-truncated")

    def action_toggle_output(self) -> None:
        self.expanded = not self.expanded
        self._show()

    def on_click(self, event: events.Click) -> None:
        event.stop()
        self.action_toggle_output()


class ToolCallRow(Collapsible):
    DEFAULT_CSS = """
    ToolCallRow { margin: 0; padding: 0; border: none; background: transparent; height: auto; }
    ToolCallRow > Contents { padding: 0 0 0 2; }
    ToolCallRow .tool-args { color: $text-muted; height: auto; }
    ToolCallRow.-failed CollapsibleTitle, ToolCallRow.-denied CollapsibleTitle { color: $text-error; }
    ToolCallRow.-interrupted CollapsibleTitle { color: $text-warning; }
    ToolCallRow.-done CollapsibleTitle { color: $text-success; }
    ToolCallRow.-waiting CollapsibleTitle, ToolCallRow.-running CollapsibleTitle { color: $text-warning; }
    ToolResult { display: none; }
    ToolCallRow.-has-result ToolResult { display: block; }
    """

    def __init__(self, call: ToolCall, status: str = "pending", output: str | None = None) -> None:
        self.call = call
        self.args = Static(pretty_json(call.arguments), classes="tool-args", markup=False)
        self.result = ToolResult()
        super().__init__(self.args, self.result, title="", collapsed=True)
        self.status = status
        self.set_status(status, output)

    def update_call(self, call: ToolCall) -> None:
        self.call = call
        self.args.update(pretty_json(call.arguments))
        self._refresh_title()

    def set_status(self, status: str, output: str | None = None) -> None:
        self.remove_class(_status_class(self.status))
        self.status = status
        self.add_class(_status_class(status))
        if output is not None:
            self.result.set_output(output)
            self.add_class("-has-result")
        self._refresh_title()

    def _refresh_title(self) -> None:
        self.title = f"⚙ {visible_line(self.call.name) or '…'} · {STATUS_LABELS.get(self.status, self.status)}"
