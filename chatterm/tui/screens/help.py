"""The F1 help screen: every key the app answers to, in one style.

The keys come from the key table the bindings are built from (`chatterm/key_actions.py`),
with the config's `[keys]` applied, so the help is true to what is bound; the prompt
box's keys (they live in its key handler) are a fixed group. Textual's stock lines
(focus next, its own quit wording) are not mixed in: quit and the palette are written
as the rest are. Long descriptions wrap under themselves, not under the key column.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

if TYPE_CHECKING:
    from textual.app import App

PROMPT_KEYS: tuple[tuple[str, str], ...] = (
    ("Enter", "Send the prompt"),
    ("Shift+Enter / Ctrl+J", "New line in the prompt"),
    ("↑ / ↓", "Recall earlier prompts (when the box is empty)"),
    ("PgUp / PgDn", "Scroll the conversation"),
    ("Esc", "Stop the reply that is streaming, or cancel an edit; on an empty prompt: message mode"),
)
PALETTE_COMMANDS = (
    "new chat, pick model, thinking / search / stream toggles, copy last reply or a code "
    "block, chat settings, theme, history, regenerate, attach file, attach or detach a "
    "JSON Schema, enable or disable each tool, presets, edit the prompt in $EDITOR"
)
TEXT_WIDTH = 76
"""Cells of text in the dialog (84 wide less border, padding and scrollbar)."""


@dataclass(frozen=True, slots=True)
class KeyGroup:
    """One titled group of (key, description) rows."""

    title: str
    rows: tuple[tuple[str, str], ...]


def table_groups(app: App[Any]) -> list[KeyGroup]:
    """Every key of the chat app, from the key table with the config's `[keys]` applied,
    written one way ("Ctrl+T / F3"): the app's keys, the prompt box's, message mode's,
    and the palette and quit keys Textual binds (in the same style)."""
    from chatterm.key_actions import ALL_KEYS, APP_KEYS, MESSAGE_KEYS, TAB_KEYS
    from chatterm.tui.keys import effective_keys, key_label, keys_label

    keymap = app._keymap

    def rows(actions: Iterable[Any]) -> tuple[tuple[str, str], ...]:
        return tuple((keys_label(effective_keys(a, keymap)), a.help) for a in actions)

    compare = [a for a in APP_KEYS if a.name.startswith("compare_")]  # last: they act on compare turns only
    anywhere = [*rows(a for a in APP_KEYS if a not in TAB_KEYS and a not in compare), (key_label("ctrl+q"), "Quit")]
    if app.ENABLE_COMMAND_PALETTE:
        anywhere.append((key_label(app.COMMAND_PALETTE_BINDING), f"Command palette: {PALETTE_COMMANDS}"))
    return [
        KeyGroup("Anywhere", tuple(anywhere)),
        KeyGroup("Prompt box", PROMPT_KEYS),
        KeyGroup(
            f"Message mode ({keys_label(effective_keys(ALL_KEYS['message_mode'], keymap))}, or Esc on an empty prompt)",
            rows(MESSAGE_KEYS),
        ),
        KeyGroup("Tabs (several chats at once)", rows(TAB_KEYS)),
        KeyGroup("Compare (while compare columns are on screen)", rows(compare)),
    ]


class HelpScreen(ModalScreen[None]):
    """Every key binding of the app, the prompt keys and the palette; F1 or Esc closes."""

    CSS_PATH = "help.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Close", priority=True),
        Binding("f1", "close", "Close", show=False),
        Binding("q", "close", "Close", show=False),
    ]
    AUTO_FOCUS = "#help-body"
    """The list has the keys, so ↑↓ / PgUp / PgDn / Home / End scroll it at once."""

    def __init__(self) -> None:
        super().__init__()
        self.groups: list[KeyGroup] = []

    def compose(self) -> ComposeResult:
        self.groups = table_groups(self.app)
        with Vertical(id="help-dialog") as dialog:
            dialog.border_title = "Keys"
            dialog.border_subtitle = "F1 / Esc close"
            with VerticalScroll(id="help-body"):
                for group in self.groups:
                    # Per group: one long key ("Shift+Enter / Ctrl+J") does not push
                    # every other group's descriptions far to the right.
                    width = min(max(max((len(key) for key, _ in group.rows), default=0), 4), 22)
                    yield Static(Content(group.title), classes="help-group-title")
                    lines: list[Content] = []
                    for key, description in group.rows:
                        wrapped = textwrap.wrap(description, max(20, TEXT_WIDTH - width - 2)) or [""]
                        lines.append(Content.assemble((key.rjust(width), "bold $text-accent"), "  ", wrapped[0]))
                        lines.extend(Content(" " * (width + 2) + more) for more in wrapped[1:])
                    yield Static(Content("\n").join(lines), classes="help-group")

    @property
    def text(self) -> str:
        """Everything listed, as plain text (for tests and screen readers)."""
        return "\n".join(
            f"{group.title}\n" + "\n".join(f"{key}  {desc}" for key, desc in group.rows) for group in self.groups
        )

    def action_close(self) -> None:
        self.dismiss(None)
