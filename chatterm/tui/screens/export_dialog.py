"""Where to export a chat, and as what: a path and a format (Markdown or JSON).

    ExportScreen(folder, stem)   ModalScreen[ExportChoice | None]: Enter exports, Esc cancels

The path starts as `<folder>/<stem>.md`; choosing JSON changes the extension while the
name is still the suggested one. A folder (an existing directory, or a path ending in
`/`) gets the suggested file name inside it. The history screen writes the file.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar, Literal

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, RadioButton, RadioSet

ExportFormat = Literal["markdown", "json"]
EXTENSIONS: dict[ExportFormat, str] = {"markdown": ".md", "json": ".json"}


@dataclass(frozen=True, slots=True)
class ExportChoice:
    path: Path
    """Where to write (never overwritten: the history screen adds `-1`, `-2`, ...)."""
    format: ExportFormat


def export_target(typed: str, stem: str, fmt: ExportFormat) -> Path:
    """The file a typed path names: a folder gets the suggested name inside it."""
    path = Path(typed.strip()).expanduser()
    if typed.rstrip().endswith(("/", "\\")) or path.is_dir():
        return path / f"{stem}{EXTENSIONS[fmt]}"
    return path


class ExportScreen(ModalScreen[ExportChoice | None]):
    CSS_PATH = "history.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]
    AUTO_FOCUS = "#export-path"

    def __init__(self, folder: Path, stem: str) -> None:
        super().__init__()
        self.folder = folder
        self.stem = stem
        self.format: ExportFormat = "markdown"

    def compose(self) -> ComposeResult:
        with Vertical(id="export-dialog", classes="history-dialog") as dialog:
            dialog.border_title = "Export chat"
            dialog.border_subtitle = "Enter export · Esc cancel"
            yield Label("Format")
            with RadioSet(id="export-format"):
                yield RadioButton("Markdown (readable)", value=True, id="export-markdown")
                yield RadioButton("JSON (can be imported again)", id="export-json")
            yield Label("Save to (a file, or a folder ending in /)")
            yield Input(str(self.folder / f"{self.stem}.md"), id="export-path", select_on_focus=False)
            with Horizontal(classes="export-buttons"):
                yield Button("Export", variant="primary", id="export-go")
                yield Button("Cancel", id="export-cancel")

    @on(RadioSet.Changed, "#export-format")
    def _format_changed(self, event: RadioSet.Changed) -> None:
        old = EXTENSIONS[self.format]
        self.format = "json" if event.pressed.id == "export-json" else "markdown"
        field = self.query_one("#export-path", Input)
        if field.value.endswith(old):  # the suggested extension follows the format
            field.value = field.value[: -len(old)] + EXTENSIONS[self.format]

    @on(Input.Submitted, "#export-path")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._export()

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "export-go":
            self._export()
        else:
            self.dismiss(None)

    def _export(self) -> None:
        typed = self.query_one("#export-path", Input).value
        if not typed.strip():
            self.notify("Enter a file or folder to export to.", severity="warning")
            return
        self.dismiss(ExportChoice(export_target(typed, self.stem, self.format), self.format))

    def action_cancel(self) -> None:
        self.dismiss(None)
