"""Tools and MCP servers: the tools screen, a failed server's toast, MCP prompts.

Ctrl+] (and the palette's Tools)   every tool by source and state, on/off for this chat,
                                   restart an MCP server (`screens/tools.py`)
palette "Prompt: <server> / <name>" an MCP server's prompt into the prompt box (its
                                   arguments asked for first, `screens/mcp_prompt.py`)
palette "Attach resource: ..."     an MCP server's text resource added to the message, in a
                                   `<resource uri="...">` block
"""

from __future__ import annotations

from chatterm.tui.actions.host import ChatHost


class ToolActions(ChatHost):
    def _tell_mcp_failures(self) -> None:
        """An MCP server that failed or died is told once, as a toast with its stderr."""
        manager = getattr(self.context, "mcp", None)
        for report in manager.reports() if manager is not None else []:
            self.notify(report, title="MCP server", severity="warning")

    def action_tools(self) -> None:
        """The tools screen; its switches edit this chat's disabled tools in place."""
        from chatterm.tui.screens import ToolsScreen

        settings = self.conversation.settings
        if settings.tool_words is not None:
            # Switched by hand from now on: what the preset's words leave out (tools that
            # joined since included) is written into the list the switches edit.
            from chatterm.tools.selection import tools_named

            named = set(tools_named(settings.tool_words, self.context.tools))
            settings.disabled_tools += [
                name for name in self.context.tools.names() if name not in named and name not in settings.disabled_tools
            ]
            settings.tool_words = None
        self.push_screen(ToolsScreen(self.context.tools, settings.disabled_tools, set(self.context.config.tools_safe)))

    def action_use_mcp_prompt(self, server: str, name: str) -> None:
        """An MCP server's prompt into the prompt box; its arguments asked for first."""
        manager = self.context.mcp
        prompt = (
            next((p for s, p in manager.prompts() if s == server and p.get("name") == name), None) if manager else None
        )
        if prompt is None:
            self.notify(f"The prompt {name} of {server} is no longer offered", severity="warning")
            return
        if not prompt.get("arguments"):
            self.run_worker(self._fill_mcp_prompt(server, name, {}), exclusive=True, group="mcp-prompt")
            return
        from chatterm.tui.screens import McpPromptScreen

        def chosen(arguments: dict[str, str] | None) -> None:
            if arguments is not None:
                self.run_worker(self._fill_mcp_prompt(server, name, arguments), exclusive=True, group="mcp-prompt")

        self.push_screen(McpPromptScreen(server, prompt), chosen)

    async def _fill_mcp_prompt(self, server: str, name: str, arguments: dict[str, str]) -> None:
        from chatterm.mcp.connection import ServerFailure

        assert self.context.mcp is not None
        try:
            text = await self.context.mcp.get_prompt(server, name, arguments)
        except ServerFailure as error:
            self.notify(str(error), title="MCP prompt", severity="error")
            return
        prompt = self.chat_screen.prompt
        prompt.load_text(text)
        prompt.focus()

    def action_attach_mcp_resource(self, server: str, uri: str) -> None:
        """An MCP server's text resource, added to the prompt box for the next message."""
        self.run_worker(self._attach_mcp_resource(server, uri), group="mcp-resource")

    async def _attach_mcp_resource(self, server: str, uri: str) -> None:
        from chatterm.mcp.connection import ServerFailure

        assert self.context.mcp is not None
        try:
            text = await self.context.mcp.resource_text(server, uri)
        except ServerFailure as error:
            self.notify(str(error), title="Resource not attached", severity="error")
            return
        prompt = self.chat_screen.prompt
        prompt.load_text(f"{prompt.text.rstrip()}\n\n{text}".lstrip() if prompt.text.strip() else text)
        prompt.focus()
        self.notify(f"Attached {uri} to the message", timeout=3)
