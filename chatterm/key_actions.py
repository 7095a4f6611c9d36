"""The TUI's remappable keys: one table, read by the app's bindings, its footer, the F1
help and the config check of `[keys]` (so a name in the file is checked against the same
list the app binds). Stdlib only: the config check imports it, and `ask` never needs
Textual.

Two scopes. `APP_KEYS` work wherever the chat screen is: each has a Ctrl key (laptops
without F keys, VS Code's terminal) besides its old F key, and none sits on tmux's
(Ctrl+B) or screen's (Ctrl+A) prefix. The tab keys are Alt+letters and Ctrl+PgUp/PgDn
(with Alt+arrows), Alt+T / Ctrl+Space for a new tab and Alt+W / Ctrl+^ to close one; the
editor is Alt+E / Ctrl+_ (Ctrl+/), presets Alt+P (and the palette, which Ctrl+P opens):
every Ctrl+letter is taken, by the prompt's editing keys or ours, and terminals do not
send Ctrl+digits or Ctrl+Shift+letters apart. `MESSAGE_KEYS` act only in message mode, which the
user enters on purpose (Esc on an empty prompt, Ctrl+Up) and which is visibly on: single
letters there cannot take a word typed for the prompt.

Keys are Textual key names ("ctrl+t", "f3", "alt+up", "escape"); several are separated
by commas; the first is the one the footer shows.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class KeyAction:
    name: str
    """The binding id, and the name under `[keys]` in the config file."""
    action: str
    """The Textual action the key runs."""
    keys: str
    """Default keys, comma-separated; the first is shown in the footer."""
    label: str
    """The footer's short word."""
    help: str
    """The F1 help's line."""
    footer: bool = True


TAB_KEYS: tuple[KeyAction, ...] = (
    KeyAction(
        "new_tab",
        "new_tab",
        "alt+t,ctrl+@",
        "New tab",
        "A new chat in a new tab, the others keep streaming (in the history: the chosen chat)",
        footer=False,
    ),
    KeyAction("next_tab", "next_tab", "ctrl+pagedown,alt+right", "Next tab", "The next tab", footer=False),
    KeyAction("previous_tab", "previous_tab", "ctrl+pageup,alt+left", "Prev tab", "The previous tab", footer=False),
    KeyAction(
        "close_tab",
        "close_tab",
        "alt+w,ctrl+circumflex_accent",
        "Close tab",
        "Close the tab (a reply being written is stopped and saved, after asking)",
        footer=False,
    ),
)
"""Open, switch and close tabs (F1 lists them in a group of their own)."""

APP_KEYS: tuple[KeyAction, ...] = (
    KeyAction("help", "help", "ctrl+g,f1", "Help", "Every key (this list)"),
    KeyAction("pick_model", "pick_model", "ctrl+l,f2", "Model", "Pick the model (the next reply comes from it)"),
    KeyAction("toggle_thinking", "toggle_thinking", "ctrl+t,f3", "Think", "Thinking (reasoning) on or off"),
    KeyAction("toggle_search", "toggle_search", "ctrl+s,f4", "Search", "Web search on or off"),
    KeyAction("toggle_stream", "toggle_stream", "ctrl+backslash,f5", "Stream", "Streaming on or off"),
    KeyAction("history", "history", "ctrl+r,f8", "History", "History: open, search, rename, export or delete chats"),
    KeyAction(
        "chat_settings",
        "chat_settings",
        "ctrl+o,f9",
        "Settings",
        "Chat settings: system prompt, temperature, top_p, max tokens",
    ),
    KeyAction("new_chat", "new_chat", "ctrl+n", "New chat", "Start a new chat"),
    KeyAction("attach_file", "attach_file", "ctrl+f", "Attach", "Attach a file to the next message", footer=False),
    KeyAction(
        "tools",
        "tools",
        "ctrl+right_square_bracket",
        "Tools",
        "Tools: every tool on or off for this chat, MCP servers",
        footer=False,
    ),
    KeyAction(
        "pick_preset",
        "pick_preset",
        "alt+p",
        "Presets",
        "Presets: a new chat from one, or apply one to this chat",
        footer=False,
    ),
    KeyAction(
        "edit_in_editor",
        "edit_in_editor",
        "alt+e,ctrl+underscore",
        "Editor",
        "The prompt in $VISUAL / $EDITOR (Ctrl+_ is Ctrl+/)",
        footer=False,
    ),
    KeyAction("compare_column", "compare_column", "ctrl+down", "Column", "Compare: select the next reply column"),
    KeyAction("compare_stop", "compare_stop", "ctrl+delete", "Stop col", "Compare: stop the selected column's reply"),
    KeyAction(
        "compare_pick",
        "compare_pick",
        "ctrl+end",
        "Pick",
        "Compare: pick the selected reply; the chat continues from it",
    ),
    KeyAction(
        "message_mode",
        "message_mode",
        "ctrl+up",
        "Messages",
        "Message mode: act on messages with single keys (also Esc on an empty prompt)",
        footer=False,
    ),
    *TAB_KEYS,
)

MESSAGE_KEYS: tuple[KeyAction, ...] = (
    KeyAction("message_up", "move(-1)", "up", "Up", "Message mode: the message above"),
    KeyAction("message_down", "move(1)", "down", "Down", "Message mode: the message below", footer=False),
    KeyAction("message_copy", "copy", "c", "Copy", "Message mode: copy the message"),
    KeyAction(
        "message_copy_code",
        "copy_code",
        "b",
        "Code",
        "Message mode: copy a code block of the reply (again: the one before)",
    ),
    KeyAction("message_edit", "edit", "e", "Edit", "Message mode: edit a prompt and resend it (a new branch)"),
    KeyAction("message_regenerate", "regenerate", "r", "Regenerate", "Message mode: regenerate the last reply"),
    KeyAction("message_thinking", "thinking", "t", "Thinking", "Message mode: open or fold the reply's thinking"),
    KeyAction(
        "message_tools",
        "tools",
        "o",
        "Tools",
        "Message mode: open the reply's next tool call (Enter on its output shows all)",
    ),
    KeyAction(
        "message_previous_branch", "branch(-1)", "left,[", "Branch", "Message mode: the previous branch (‹ 1/2 ›)"
    ),
    KeyAction("message_next_branch", "branch(1)", "right,]", "Branch", "Message mode: the next branch", footer=False),
    KeyAction(
        "message_leave",
        "leave",
        "escape",
        "Prompt",
        "Message mode: back to the prompt (any other letter too, typed into it)",
    ),
)

ALL_KEYS: dict[str, KeyAction] = {action.name: action for action in (*APP_KEYS, *MESSAGE_KEYS)}

TMUX_AND_SCREEN_PREFIXES = ("ctrl+b", "ctrl+a")

_MODIFIERS = ("ctrl", "alt", "shift", "super", "meta", "hyper")
_NAMED = re.compile(r"^(f([1-9]|1[0-9]|2[0-4])|[a-z][a-z0-9_]*[a-z0-9])$")


def split_keys(keys: str) -> list[str]:
    return [key.strip() for key in keys.split(",") if key.strip()]


def key_problem(key: str) -> str | None:
    """Why `key` is not a key Textual can bind, in words; None when it is."""
    *modifiers, base = key.split("+") if key != "+" else ["+"]
    if not base:
        return f"{key!r} has no key after its last '+'"
    for modifier in modifiers:
        if modifier not in _MODIFIERS:
            return f"{key!r}: {modifier!r} is not a modifier (use {', '.join(_MODIFIERS[:3])})"
    if len(base) == 1:
        if base.isupper():
            return f"{key!r}: write letters in lower case ({key.lower()!r}; shift+ for capitals)"
        return None
    if not _NAMED.match(base):
        return f"{key!r}: {base!r} is not a key name (e.g. ctrl+t, f2, alt+up, escape, backslash)"
    return None


def keys_problem(name: str, keys: object) -> str | None:
    """Why `keys` cannot be bound to the action `name` (config `[keys]`); None if it can."""
    if not isinstance(keys, str) or not split_keys(keys):
        return f'must be a string of keys such as "ctrl+t" or "ctrl+t,f3" (got {keys!r})'
    for key in split_keys(keys):
        problem = key_problem(key)
        if problem:
            return problem
        action = ALL_KEYS.get(name)
        if action in APP_KEYS and len(key.split("+")[-1]) == 1 and not key.startswith(("ctrl+", "alt+", "super+")):
            return f"{key!r} would take a letter typed into the prompt; add ctrl+ or alt+"
    return None
