"""`AttachmentChips`: files that go with the next prompt, shown above the prompt box.

Each chip names the file; clicking a chip, or focusing it (Shift+Tab from the prompt)
and pressing Delete, Backspace or Enter, removes it. Files typed in the prompt as
`@path` show too, as `@` chips (`show_mentioned`), while the `@path` is in the text:
deleting it from the prompt drops them. The row hides when empty.
`problem()` says why the files (plus any more) could not be sent, before sending.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import ClassVar

from textual import events
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.widgets import Static

from chatterm.terminal_text import visible_line


class AttachmentChip(Static):
    DEFAULT_CSS = """
    AttachmentChip { width: auto; height: 1; margin: 0 1 0 0; padding: 0 1; background: $accent 30%; }
    AttachmentChip:hover, AttachmentChip:focus { background: $error 40%; text-style: bold; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("delete,backspace,enter", "remove", "Remove file"),
    ]

    def __init__(self, path: str) -> None:
        self.path = path
        super().__init__(f"📎 {visible_line(Path(path).name)} ✕", markup=False)
        self.can_focus = True
        self.tooltip = f"{path}\n(click, or Delete when focused, to remove)"

    def on_click(self, event: events.Click) -> None:
        event.stop()
        self.action_remove()

    def action_remove(self) -> None:
        chips = self.parent
        if isinstance(chips, AttachmentChips):
            chips.remove_path(self.path)


class MentionChip(Static):
    """A file named as `@path` in the prompt: it goes with the prompt while named there."""

    DEFAULT_CSS = """
    MentionChip { width: auto; height: 1; margin: 0 1 0 0; padding: 0 1; background: $primary 30%; }
    """

    def __init__(self, path: str) -> None:
        self.path = path
        super().__init__(f"@ {visible_line(Path(path).name)}", markup=False)
        self.tooltip = f"{path}\n(named in the prompt; delete the @path there to drop it)"


class AttachmentChips(Horizontal):
    DEFAULT_CSS = """
    AttachmentChips { height: auto; padding: 0 1; display: none; }
    AttachmentChips.-has-files { display: block; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.paths: list[str] = []
        self.mentioned: list[str] = []
        """Files named as `@path` in the prompt right now (shown, not taken)."""

    def show_mentioned(self, paths: list[str]) -> None:
        """The `@path` files the prompt names now (called as it is edited)."""
        if paths == self.mentioned:
            return
        self.mentioned = list(paths)
        self.query(MentionChip).remove()
        self.mount_all([MentionChip(path) for path in paths if path not in self.paths])
        self._update_shown()

    def _update_shown(self) -> None:
        self.set_class(bool(self.paths or self.mentioned), "-has-files")

    def add_path(self, path: str) -> None:
        if path in self.paths:
            return
        self.paths.append(path)
        self.mount(AttachmentChip(path), before=next(iter(self.query(MentionChip)), None))
        self._update_shown()

    def remove_path(self, path: str) -> None:
        if path not in self.paths:
            return
        was_focused = any(chip.has_focus for chip in self.query(AttachmentChip))
        self.paths.remove(path)
        for chip in self.query(AttachmentChip):
            if chip.path == path:
                chip.remove()
        self._update_shown()
        if was_focused:
            # Focus stays in the row while chips are left, else goes back to typing.
            rest = [chip for chip in self.query(AttachmentChip) if chip.path != path]
            if rest:
                rest[-1].focus()
            else:
                prompt = getattr(self.screen, "prompt", None)
                if prompt is not None and getattr(prompt, "can_focus", False):
                    prompt.focus()

    def problem(self, more: Sequence[str] = (), *, model: str | None = None) -> str | None:
        """Why these files plus `more` could not be sent (missing, over 50 MB alone or
        together, a type the gateway does not take; with `model`, images or audio that
        model does not take), or None. Stat and a file's first bytes only."""
        from chatterm.api.errors import RequestValidationError
        from chatterm.api.files import check_files
        from chatterm.api.request import DEFAULT_IMAGE_MAX_SIDE, ChatRequest
        from chatterm.api.shaping import preflight
        from chatterm.api.types import FileInput

        sources = [*self.paths, *(p for p in more if p not in self.paths)]
        if not sources:
            return None
        files = [FileInput(source) for source in sources]
        try:
            if model:
                preflight(ChatRequest(model=model, messages=[], files=files))
            else:
                check_files(files, max_side=DEFAULT_IMAGE_MAX_SIDE)
        except RequestValidationError as error:
            return str(error)
        return None

    def take(self) -> list[str]:
        """The paths, emptying the row (they are being sent)."""
        paths, self.paths = self.paths, []
        self.query(AttachmentChip).remove()
        self._update_shown()
        return paths
