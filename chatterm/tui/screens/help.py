"""The F1 help screen: every key the app answers to, in one style.

The keys come from the key table the bindings are built from (`chatterm/key_actions.py`),
with the config's `[keys]` applied, so the help is true to what is bound; the prompt
box's keys (they live in its key handler) are a fixed group. Textual's stock lines
(focus next, its own quit wording) are not mixed in: quit and the palette are written
as the rest are. Long descriptions wrap under themselves, not under the key column.
(`collect_key_groups` reads any app's live bindings; kept for apps without the table.)
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
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

if TYPE_CHECKING:
    from textual.app import App
    from textual.dom import DOMNode

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
    "JSON Schema, enable or disable each tool"
)
TEXT_WIDTH = 76
"""Cells of text in the dialog (84 wide less border, padding and scrollbar)."""


@dataclass(frozen=True, slots=True)
class KeyGroup:
    """One titled group of (key, description) rows."""

    title: str
    rows: tuple[tuple[str, str], ...]


def _describe(binding: Binding) -> str:
    """The tooltip when there is one: the footer's label is kept short to fit 80
    columns ("Think"), the help screen has room to say it whole."""
    if binding.tooltip:
        return binding.tooltip
    if binding.description:
        return _sentence_case(binding.description)
    action = binding.action.split(".")[-1].split("(")[0]
    return action.replace("_", " ").capitalize()


def _sentence_case(text: str) -> str:
    """Textual's own labels are Title Case ("Focus Next"); the help reads as sentences.
    Only plain capitalised words are lowered, so "JSON" or "F1" stay as they are."""
    first, *rest = text.split(" ")
    return " ".join([first, *(word.lower() if word.istitle() and word[1:].islower() else word for word in rest)])


def _own_keys(node: DOMNode) -> set[str] | None:
    """Keys bound in BINDINGS of `node`'s classes outside Textual (None = take all)."""
    from textual.app import App
    from textual.screen import Screen

    if isinstance(node, App | Screen):
        return None
    keys: set[str] = set()
    for cls in type(node).__mro__:
        if cls.__module__.split(".")[0] == "textual":
            continue
        for item in cls.__dict__.get("BINDINGS", ()):
            key = item.key if isinstance(item, Binding) else item[0]
            keys.update(part.strip() for part in key.split(","))
    return keys


def _group_title(node: DOMNode) -> str:
    from textual.app import App
    from textual.screen import Screen

    if isinstance(node, App):
        return "Application"
    if isinstance(node, Screen):
        name = type(node).__name__
        return "Screen" if name in {"Screen", "_default"} else f"Screen: {name.removesuffix('Screen')}"
    return f"Focused: {node.id or type(node).__name__}"


def collect_key_groups(app: App[Any], screen: Screen[Any] | None) -> list[KeyGroup]:
    """The bindings in effect on `screen` (and the app), grouped by where they are bound."""
    # Innermost first: the focused widget and its ancestors, the screen, the app.
    nodes: list[DOMNode] = []
    if screen is not None:
        focused = screen.focused
        nodes = list(focused.ancestors_with_self) if focused is not None else [screen, app]
    if not any(node is app for node in nodes):
        nodes.append(app)
    groups: list[KeyGroup] = []
    for node in reversed(nodes):
        # All of a node's bindings, even keys a focused input would swallow: help lists
        # everything the app answers to, not only what this exact focus allows.
        bindings: Iterable[tuple[str, Binding]] = node._bindings
        own = _own_keys(node)
        rows: list[tuple[str, str]] = []
        for key, binding in bindings:
            if own is not None and key not in own:
                continue
            if key.startswith("super+"):
                continue  # the Cmd twin of a Ctrl key (^c / super+c): one row is enough
            if binding.system and not binding.description:
                continue
            if binding.action.split(".")[-1] == "command_palette":
                continue  # has its own group below, with what the palette offers
            display = app.get_key_display(binding)
            description = _describe(binding)
            if (display, description) in rows:
                continue
            same_key = next((i for i, (key, _) in enumerate(rows) if key == display), None)
            if same_key is not None:  # one key, two actions (esc: stop, or cancel an edit)
                rows[same_key] = (display, f"{rows[same_key][1]} · {description}")
                continue
            rows.append((display, description))
        if rows:
            groups.append(KeyGroup(_group_title(node), tuple(rows)))
    return groups


def table_groups(app: App[Any]) -> list[KeyGroup]:
    """Every key of the chat app, from the key table with the config's `[keys]` applied,
    written one way ("Ctrl+T / F3"): the app's keys, the prompt box's, message mode's,
    and the palette and quit keys Textual binds (in the same style)."""
    from chatterm.key_actions import APP_KEYS, MESSAGE_KEYS
    from chatterm.tui.keys import effective_keys, key_label, keys_label

    keymap = app._keymap

    def rows(actions: Iterable[Any]) -> tuple[tuple[str, str], ...]:
        return tuple((keys_label(effective_keys(a, keymap)), a.help) for a in actions)

    anywhere = [*rows(APP_KEYS), (key_label("ctrl+q"), "Quit")]
    if app.ENABLE_COMMAND_PALETTE:
        anywhere.append((key_label(app.COMMAND_PALETTE_BINDING), f"Command palette: {PALETTE_COMMANDS}"))
    return [
        KeyGroup("Anywhere", tuple(anywhere)),
        KeyGroup("Prompt box", PROMPT_KEYS),
        KeyGroup("Message mode (Esc on an empty prompt, or Ctrl+Up)", rows(MESSAGE_KEYS)),
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

    def _screen_below(self) -> Screen[Any] | None:
        stack = self.app.screen_stack
        below = [screen for screen in stack if screen is not self]
        return below[-1] if below else None

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
