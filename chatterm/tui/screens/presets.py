"""The preset picker: every `[presets.<name>]` of the config, to start a chat from or to
apply to the open one.

    reviewer  ● this chat
      claude-sonnet-4-5 · temperature 0.2 · tools: calculator
      system: You review code. Point out bugs first…
    brainstorm
      gpt-4o · temperature 1.2 · search on

Enter (or a click) starts a new chat from the highlighted preset; A applies it to the
open chat (its next replies; what is already written stays); Esc cancels. The screen
dismisses with a `PresetChoice`; the app does the rest (`actions/presets.py`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from chatterm.presets import Preset
from chatterm.terminal_text import visible_line


@dataclass(frozen=True, slots=True)
class PresetChoice:
    name: str
    new_chat: bool
    """True: a new chat from the preset; False: the open chat takes it."""


class PresetPickerScreen(ModalScreen[PresetChoice | None]):
    CSS_PATH = "presets.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", priority=True),
        Binding("a", "apply_here", "This chat"),
    ]
    AUTO_FOCUS = "#presets-list"

    def __init__(self, presets: list[Preset], current: str | None) -> None:
        super().__init__()
        self.presets = presets
        self.current = current

    def compose(self) -> ComposeResult:
        with Vertical(id="presets-dialog") as dialog:
            dialog.border_title = "Presets"
            dialog.border_subtitle = "Enter new chat · A this chat · Esc cancel"
            yield OptionList(*(self._option(i, p) for i, p in enumerate(self.presets)), id="presets-list")
            yield Static(
                "Enter starts a new chat from the preset; A applies it to this chat's next replies.",
                id="presets-hint",
                markup=False,
            )

    def _option(self, index: int, preset: Preset) -> Option:
        parts: list[str | tuple[str, str]] = [(visible_line(preset.name), "bold")]
        if preset.name == self.current:
            parts.append(("  ● this chat", "$success"))
        for line in preset.summary():
            parts += ["\n  ", (visible_line(line), "$text-muted")]
        return Option(Content.assemble(*parts), id=f"preset-{index}")

    def on_mount(self) -> None:
        names = [p.name for p in self.presets]
        if self.current in names:
            self.query_one(OptionList).highlighted = names.index(self.current)

    @property
    def highlighted(self) -> Preset | None:
        index = self.query_one(OptionList).highlighted
        return None if index is None else self.presets[index]

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(PresetChoice(self.presets[event.option_index].name, new_chat=True))

    def action_apply_here(self) -> None:
        preset = self.highlighted
        if preset is not None:
            self.dismiss(PresetChoice(preset.name, new_chat=False))

    def action_cancel(self) -> None:
        self.dismiss(None)
