"""A preset's `tools` words also rule tools that join later: an MCP server still starting
when the preset was applied offers its tools only if the words name them."""

from __future__ import annotations

from typing import Any

from chatterm.engine.conversation import ChatSettings
from chatterm.engine.preset_settings import with_preset
from chatterm.presets import Preset
from chatterm.tools import Tool, builtin_registry

from .support import make_session


class StartingServer:
    """An MCP server's place in the registry while it starts (no tools yet)."""

    name = "mcp:files"

    def status(self) -> Any:
        return None

    def restart(self) -> None:
        pass


def server_tool(name: str) -> Tool:
    async def call(**arguments: Any) -> str:
        return "ok"

    return Tool(name=name, description="a server's tool", parameters={"type": "object", "properties": {}}, func=call)


def test_tools_that_join_after_the_preset_are_offered_only_if_its_words_name_them(demo_gateway: Any) -> None:
    registry = builtin_registry()
    registry.add_source(StartingServer())
    for words, offered_later in ((("current_time",), False), (("current_time", "mcp:files"), True)):
        session = make_session(demo_gateway, registry=registry)
        preset = Preset(name="p", tools=words)
        session.conversation.settings = with_preset(ChatSettings(), preset, registry)
        assert session.offered_tools() == ["current_time"]
        registry.replace_source("mcp:files", [server_tool("files_read")])  # the server is ready
        expected = ["current_time", "files_read"] if offered_later else ["current_time"]
        assert session.offered_tools() == expected, words
        # The words are saved with the chat, so a reopened chat keeps the rule.
        assert ChatSettings.from_dict(session.conversation.settings.to_dict()).tool_words == ",".join(words)
        registry.replace_source("mcp:files", [])
