"""An MCP prompt's arguments, asked for before the prompt fills the prompt box.

One input per argument the server declares (its description as the placeholder; a
required one is marked and must be filled). Enter on the last input, or the button,
dismisses with the values; Escape dismisses with None.
"""

from __future__ import annotations

from typing import Any, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static

from chatterm.terminal_text import visible, visible_line


class McpPromptScreen(ModalScreen[dict[str, str] | None]):
    CSS_PATH = "mcp_prompt.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel", priority=True)]
    AUTO_FOCUS = "Input"

    def __init__(self, server: str, prompt: dict[str, Any]) -> None:
        super().__init__()
        self.server = server
        self.prompt = prompt
        self.arguments = [a for a in prompt.get("arguments") or [] if isinstance(a, dict) and a.get("name")]

    def compose(self) -> ComposeResult:
        with Vertical(id="mcp-prompt-dialog") as dialog:
            dialog.border_title = visible_line(f"{self.server}: {self.prompt.get('name', '')}")
            if self.prompt.get("description"):
                yield Static(visible(str(self.prompt["description"])), id="mcp-prompt-description", markup=False)
            for index, argument in enumerate(self.arguments):
                name = visible_line(str(argument["name"]))
                yield Label(f"{name}{' (required)' if argument.get('required') else ''}", markup=False)
                yield Input(placeholder=visible_line(str(argument.get("description") or "")), id=f"mcp-arg-{index}")
            yield Static("", id="mcp-prompt-problem", markup=False)
            yield Button("Use prompt", variant="primary", id="mcp-prompt-use")

    def values(self) -> dict[str, str]:
        return {
            str(argument["name"]): self.query_one(f"#mcp-arg-{index}", Input).value
            for index, argument in enumerate(self.arguments)
        }

    def _submit(self) -> None:
        values = self.values()
        missing = [a["name"] for a in self.arguments if a.get("required") and not values[str(a["name"])].strip()]
        if missing:
            self.query_one("#mcp-prompt-problem", Static).update(f"Fill in: {', '.join(map(str, missing))}")
            return
        self.dismiss({name: value for name, value in values.items() if value.strip()})

    @on(Input.Submitted)
    def _entered(self, event: Input.Submitted) -> None:
        event.stop()
        inputs = list(self.query(Input))
        if event.input is inputs[-1]:
            self._submit()
        else:
            inputs[inputs.index(event.input) + 1].focus()

    @on(Button.Pressed, "#mcp-prompt-use")
    def _pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self._submit()

    def action_cancel(self) -> None:
        self.dismiss(None)
