"""chatterm's screens, one module each, with its `.tcss` beside it.

    picker.py      ModelPickerScreen     fuzzy model list (favourites, gateway, catalogue)
    settings.py    ChatSettingsScreen    system prompt, temperature, top_p, max_tokens
    help.py        HelpScreen            every key binding, gathered when it opens
    first_run.py   FirstRunScreen        base URL + API key, or the demo gateway
    approval.py    ToolApprovalScreen    allow a tool call once / for the session / deny
    attach.py      AttachFileScreen      pick a file (attachments, schema files)
    tools.py       ToolsScreen           every tool by source and state; on/off per chat
    mcp_prompt.py  McpPromptScreen       an MCP prompt's arguments, before it fills the prompt box
    presets.py     PresetPickerScreen    the config's presets: a new chat from one, or this chat
    history.py     the saved-chats browser (the store's screen)

The chat screen itself (chat.py, ChatScreen) is the app's default mode, with the
messages its reply worker posts in reply_messages.py.

Names are imported on first use (`from chatterm.tui.screens import HelpScreen`), so
importing the package builds nothing and loads no screen it does not need.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "ModelPickerScreen": "picker",
    "ChatSettingsScreen": "settings",
    "HelpScreen": "help",
    "FirstRunScreen": "first_run",
    "ToolApprovalScreen": "approval",
    "AttachFileScreen": "attach",
    "HistoryScreen": "history",
    "ConfirmScreen": "confirm",
    "ToolsScreen": "tools",
    "McpPromptScreen": "mcp_prompt",
    "PresetPickerScreen": "presets",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{module}"), name)
