"""Pick a file: a path box plus a folder tree, for "attach file" and "attach schema file".

Type or paste a path (``~`` is expanded, relative paths start from `start_dir`) and
press Enter, or pick a file in the tree. The path must name an existing file; anything
else shows a message and the dialog stays. Dismisses with the absolute path as a
string, or None on Esc / Cancel. An optional `check(path)` refuses a file the caller
cannot use (over the size limit, a type the gateway does not take) in the same way,
before the dialog closes.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, DirectoryTree, Input, Static


def check_file(text: str, start_dir: Path) -> tuple[Path | None, str | None]:
    """(resolved path, None) for an existing file, else (None, a message for the user)."""
    text = text.strip()
    if not text:
        return None, "Type a file path or pick a file in the tree"
    path = Path(text).expanduser()
    if not path.is_absolute():
        path = start_dir / path
    try:
        if not path.exists():
            return None, f"No such file: {text}"
        if not path.is_file():
            return None, f"Not a file: {text}"
    except OSError as error:
        return None, f"Cannot open {text}: {error.strerror or error}"
    return path.resolve(), None


class AttachFileScreen(ModalScreen[str | None]):
    """Choose an existing file; dismisses with its absolute path or None."""

    CSS_PATH = "attach.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel", priority=True)]
    AUTO_FOCUS = "#attach-path"

    def __init__(
        self,
        title: str = "Attach a file",
        start_dir: Path | None = None,
        placeholder: str = "Path to a file (Tab to browse)",
        check: Callable[[Path], str | None] | None = None,
    ) -> None:
        super().__init__()
        self.check = check
        self.dialog_title = title
        self.start_dir = (start_dir or Path.cwd()).expanduser()
        self.placeholder = placeholder

    def compose(self) -> ComposeResult:
        with Vertical(id="attach-dialog") as dialog:
            dialog.border_title = self.dialog_title
            dialog.border_subtitle = "Enter attach · Tab browse · Esc cancel"
            yield Input(placeholder=self.placeholder, id="attach-path")
            yield Static("", id="attach-error", markup=False)
            yield DirectoryTree(self.start_dir, id="attach-tree")
            with Horizontal(id="attach-buttons"):
                yield Button("Attach", variant="primary", id="attach-ok")
                yield Button("Cancel", id="attach-cancel")

    def on_mount(self) -> None:
        self.query_one("#attach-error", Static).display = False

    def attach(self, text: str) -> None:
        """Dismiss with `text` as a file path, or show why it cannot be used."""
        path, problem = check_file(text, self.start_dir)
        if path is not None and self.check is not None:
            problem = self.check(path)
        error = self.query_one("#attach-error", Static)
        if problem is not None:
            error.update(problem)
            error.display = True
            self.query_one("#attach-path", Input).add_class("-invalid")
            return
        self.dismiss(str(path))

    def action_cancel(self) -> None:
        self.dismiss(None)

    @on(Input.Submitted, "#attach-path")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.attach(event.value)

    @on(Input.Changed, "#attach-path")
    def _changed(self) -> None:
        self.query_one("#attach-path", Input).remove_class("-invalid")
        self.query_one("#attach-error", Static).display = False

    @on(DirectoryTree.FileSelected)
    def _file_selected(self, event: DirectoryTree.FileSelected) -> None:
        event.stop()
        self.attach(str(event.path))

    @on(Button.Pressed, "#attach-ok")
    def _ok(self) -> None:
        self.attach(self.query_one("#attach-path", Input).value)

    @on(Button.Pressed, "#attach-cancel")
    def _cancel(self) -> None:
        self.action_cancel()
