"""The key table (`chatterm/key_actions.py`) as Textual bindings, the keys as F1 and the
mode indicator write them, and the clashes a `[keys]` table can make, told at start."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from textual.binding import Binding, BindingType

from chatterm.key_actions import APP_KEYS, MESSAGE_KEYS, TMUX_AND_SCREEN_PREFIXES, KeyAction, split_keys

PROMPT_EDITING_KEYS = frozenset(
    [
        "ctrl+a",
        "ctrl+e",
        "ctrl+w",
        "ctrl+d",
        "ctrl+x",
        "ctrl+c",
        "ctrl+v",
        "ctrl+u",
        "ctrl+k",
        "ctrl+z",
        "ctrl+y",
        "ctrl+j",
        "ctrl+m",
        "ctrl+i",
        "ctrl+h",
        "enter",
        "tab",
        "backspace",
        "delete",
        "home",
        "end",
        "up",
        "down",
        "left",
        "right",
        "pageup",
        "pagedown",
        "ctrl+left",
        "ctrl+right",
        "shift+enter",
        "f6",
        "f7",
    ]
)
"""Keys the prompt box keeps for editing (Textual's TextArea and `PromptBox`): an app key
put there never fires while the prompt has the focus."""

_NAMES = {
    "escape": "Esc",
    "enter": "Enter",
    "up": "↑",
    "down": "↓",
    "delete": "Del",
    "end": "End",
    "left": "←",
    "right": "→",
    "backslash": "\\",
    "left_square_bracket": "[",
    "right_square_bracket": "]",
    "@": "Space",  # Ctrl+Space and Ctrl+@ send the same byte
    "underscore": "_",
    "circumflex_accent": "^",  # Ctrl+^ (Ctrl+6 on most keyboards)
    "pageup": "PgUp",
    "pagedown": "PgDn",
    "space": "Space",
    "tab": "Tab",
}


def bindings(actions: Iterable[KeyAction]) -> list[BindingType]:
    return [Binding(a.keys, a.action, a.label, show=a.footer, tooltip=a.help, id=a.name) for a in actions]


def key_label(key: str) -> str:
    """One key as people write it: "ctrl+t" -> "Ctrl+T", "f3" -> "F3", "escape" -> "Esc"."""
    *modifiers, base = key.split("+")
    shown = _NAMES.get(base) or (base.upper() if modifiers or (base[:1] == "f" and base[1:].isdigit()) else base)
    return "+".join([*(m.capitalize() for m in modifiers), shown])


def keys_label(keys: str) -> str:
    return " / ".join(key_label(key) for key in split_keys(keys))


def effective_keys(action: KeyAction, keymap: Mapping[str, str]) -> str:
    return keymap.get(action.name) or action.keys


def clashes(keymap: Mapping[str, str]) -> list[str]:
    """What is wrong with the keys in effect: two actions of one scope on a key, an app
    key the prompt box keeps for editing, a key on tmux's or screen's prefix."""
    problems: list[str] = []
    for scope in (APP_KEYS, MESSAGE_KEYS):
        owners: dict[str, list[str]] = {}
        for action in scope:
            for key in split_keys(effective_keys(action, keymap)):
                owners.setdefault(key, []).append(action.name)
        for key, names in owners.items():
            if len(names) > 1:
                problems.append(f"{key} is bound to {' and '.join(names)}: only {names[0]} runs")
    for action in APP_KEYS:
        if action.name not in keymap:
            continue
        for key in split_keys(keymap[action.name]):
            if key in PROMPT_EDITING_KEYS:
                problems.append(f"{key} ({action.name}) is a prompt editing key: it does nothing in the prompt")
            elif key in TMUX_AND_SCREEN_PREFIXES:
                problems.append(f"{key} ({action.name}) is tmux's or screen's prefix: it may never arrive")
    return problems
