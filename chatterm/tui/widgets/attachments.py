"""`AttachmentChips`: files that go with the next prompt, shown above the prompt box.

Each chip names the file; clicking a chip removes it. The row hides when empty.
"""

from __future__ import annotations

from pathlib import Path

from textual import events
from textual.containers import Horizontal
from textual.widgets import Static


class AttachmentChip(Static):
    DEFAULT_CSS = """
    AttachmentChip { width: auto; height: 1; margin: 0 1 0 0; padding: 0 1; background: $accent 30%; }
    AttachmentChip:hover { background: $error 40%; }
    """

    def __init__(self, path: str) -> None:
        self.path = path
        super().__init__(f"📎 {Path(path).name} ✕", markup=False)
        self.tooltip = f"{path}\n(click to remove)"

    def on_click(self, event: events.Click) -> None:
        event.stop()
        chips = self.parent
        if isinstance(chips, AttachmentChips):
            chips.remove_path(self.path)


class AttachmentChips(Horizontal):
    DEFAULT_CSS = """
    AttachmentChips { height: auto; padding: 0 1; display: none; }
    AttachmentChips.-has-files { display: block; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.paths: list[str] = []

    def add_path(self, path: str) -> None:
        if path in self.paths:
            return
        self.paths.append(path)
        self.mount(AttachmentChip(path))
        self.add_class("-has-files")

    def remove_path(self, path: str) -> None:
        if path not in self.paths:
            return
        self.paths.remove(path)
        for chip in self.query(AttachmentChip):
            if chip.path == path:
                chip.remove()
        self.set_class(bool(self.paths), "-has-files")

    def take(self) -> list[str]:
        """The paths, emptying the row (they are being sent)."""
        paths, self.paths = self.paths, []
        self.query(AttachmentChip).remove()
        self.remove_class("-has-files")
        return paths
