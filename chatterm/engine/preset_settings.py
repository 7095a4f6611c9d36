"""A preset (`chatterm/presets.py`) laid over a chat's settings: the one rule the TUI
(a new chat, or the open one) and `ask --preset` share.

What the preset names replaces the chat's value; what it leaves out stays. The chat
records the preset's name (`ChatSettings.preset`), so it survives a reload and the
status bar can say where the settings came from. The TUI offers every tool that is
not switched off (`disabled_tools`), so a preset's `tools` words become the list of
those switched off, and are kept (`tool_words`) for tools that join later (an MCP server
still starting); `ask` offers tools by words itself and passes no registry.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from chatterm.tools.selection import select_tools

if TYPE_CHECKING:
    from chatterm.engine.conversation import ChatSettings
    from chatterm.presets import Preset
    from chatterm.tools.registry import ToolRegistry


def with_preset(settings: ChatSettings, preset: Preset, tools: ToolRegistry | None) -> ChatSettings:
    """New settings: `settings` with what `preset` sets. With `tools`, the preset's tool
    words decide which of them stay on; a word that names no tool raises KeyError with
    the message to show (the settings are left as they were)."""
    values = preset.settings_values()
    words = preset.tool_words()
    if tools is not None and words is not None:
        offered = select_tools(words, tools) if words else []
        values["disabled_tools"] = [name for name in tools.names() if name not in offered]
        values["tool_words"] = words  # tools that join later are judged by them too
    return replace(settings, **values, preset=preset.name)
