"""An MCP server's tool in the TUI: the approval dialog names the server and its
read-only mark, the tool row shows the result, and the tools screen (Ctrl+T) lists every
tool by source and state, switches tools for the chat and restarts a server."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("mcp")

from chatterm.context import AppContext
from chatterm.tui.app import ChatApp
from chatterm.tui.screens.approval import ToolApprovalScreen
from chatterm.tui.screens.tools import ToolsScreen
from chatterm.tui.widgets.tool_call import ToolCallRow

from .approving import approve
from .conftest import reply_done, send, wait_until

PROBE = Path(__file__).resolve().parents[1] / "mcp" / "probe_server.py"


@pytest.fixture
def mcp_context(demo_gateway: Any, tmp_path: Path) -> Any:
    servers = {
        "probe": {"command": sys.executable, "args": [str(PROBE)], "env": {"PROBE_DIR": str(tmp_path)}},
        "broken": {"command": str(tmp_path / "no-such-server")},
    }
    context = AppContext.for_tests(demo_gateway.base_url, tmp_path, mcp_servers=servers)
    yield context
    context.close()


async def test_an_mcp_tool_is_approved_and_its_row_shows_the_result(mcp_context: Any) -> None:
    app = ChatApp(mcp_context)
    async with app.run_test(size=(110, 40)) as pilot:
        await wait_until(pilot, lambda: app.session is not None and "probe__echo" in mcp_context.tools, timeout=60)
        await send(pilot, '!call probe__echo {"text": "hello from probe"}')
        await wait_until(pilot, lambda: isinstance(app.screen, ToolApprovalScreen))
        shown = str(app.screen.query_one("#approval-source").render())
        assert "From the MCP server probe." in shown and "read-only" in shown
        await approve(pilot)
        await reply_done(pilot, replies=2)
        row = app.chat_screen.query_one(ToolCallRow)
        assert row.status == "done" and row.call.name == "probe__echo"
        assert "hello from probe" in str(row.result.render())


async def test_the_tools_screen_lists_switches_and_restarts(mcp_context: Any) -> None:
    app = ChatApp(mcp_context)
    async with app.run_test(size=(110, 40)) as pilot:
        await wait_until(pilot, lambda: app.session is not None and "probe__echo" in mcp_context.tools, timeout=60)
        await wait_until(pilot, lambda: mcp_context.tools.sources["mcp:broken"].status().state == "failed")
        await pilot.press("ctrl+right_square_bracket")
        await wait_until(pilot, lambda: isinstance(app.screen, ToolsScreen))
        screen = app.screen
        table = screen.query_one("#tools-table")
        rows = {str(key.value): [str(c) for c in table.get_row(key)] for key in table.rows}
        assert rows["current_time"][:4] == ["on", "current_time", "builtin", "ready"]
        assert rows["probe__echo"] == ["on", "probe__echo", "mcp:probe", "ready", "ask · read-only"]
        assert rows["source:mcp:broken"][1:3] == ["(no tools)", "mcp:broken"]
        assert rows["source:mcp:broken"][3].startswith("failed: cannot start")
        table.move_cursor(row=list(rows).index("probe__echo"))
        await pilot.press("space")
        assert "probe__echo" in app.conversation.settings.disabled_tools
        assert "probe__echo" not in app.session.offered_tools()
        await pilot.press("space")
        assert "probe__echo" in app.session.offered_tools()
        table.move_cursor(row=list(rows).index("source:mcp:broken"))
        await pilot.pause()
        assert "No such file" in str(screen.query_one("#tools-detail").render())

        def told() -> int:
            """Times the failure was told: a repeat still on screen merges into its toast
            as "(×2)" (PlainToasts), so the count is read from the toast."""
            import re

            times = 0
            for n in app._notifications:
                if "MCP server 'broken' failed" in n.message:
                    merged = re.search(r"\(×(\d+)\)$", n.message)
                    times += int(merged.group(1)) if merged else 1
            return times

        await wait_until(pilot, lambda: told() == 1)  # a toast, once
        await pilot.press("r")
        await wait_until(pilot, lambda: told() == 2)  # the restart failed again and says so once
        await pilot.press("escape")
        await wait_until(pilot, lambda: not isinstance(app.screen, ToolsScreen))


async def test_an_mcp_prompt_from_the_palette_fills_the_prompt_box(mcp_context: Any) -> None:
    from chatterm.tui.commands import chat_commands, run_command
    from chatterm.tui.screens.mcp_prompt import McpPromptScreen

    app = ChatApp(mcp_context)
    async with app.run_test(size=(110, 40)) as pilot:
        await wait_until(pilot, lambda: app.session is not None and "probe__echo" in mcp_context.tools, timeout=60)
        commands = {c.text: c for c in chat_commands(app)}
        assert commands["Prompt: probe / review"].help == "Ask for a review of some code."
        await run_command(app, commands["Prompt: probe / greeting"])
        await wait_until(pilot, lambda: app.chat_screen.prompt.text == "Hello! What can you do?")
        await run_command(app, commands["Prompt: probe / review"])
        await wait_until(pilot, lambda: isinstance(app.screen, McpPromptScreen))
        await pilot.press("enter", "enter")  # `code` is required: nothing happens yet
        assert isinstance(app.screen, McpPromptScreen)
        assert "Fill in: code" in str(app.screen.query_one("#mcp-prompt-problem").render())
        app.screen.query_one("#mcp-arg-0").focus()
        await pilot.press(*"x = 1", "enter", *"style", "enter")
        await wait_until(pilot, lambda: "looking for style" in app.chat_screen.prompt.text)
        assert app.chat_screen.prompt.text.endswith("x = 1")


async def test_an_mcp_resource_is_attached_to_the_message(mcp_context: Any) -> None:
    from chatterm.tui.commands import chat_commands, run_command

    app = ChatApp(mcp_context)
    async with app.run_test(size=(110, 40)) as pilot:
        await wait_until(pilot, lambda: app.session is not None and "probe__echo" in mcp_context.tools, timeout=60)
        commands = {c.text: c for c in chat_commands(app)}
        app.chat_screen.prompt.load_text("Summarise these notes.")
        await run_command(app, commands["Attach resource: probe / today"])
        expected = 'Summarise these notes.\n\n<resource uri="notes://today">\nbuy milk\ncall Ada\n</resource>'
        await wait_until(pilot, lambda: app.chat_screen.prompt.text == expected)
        await run_command(app, commands["Attach resource: probe / logo"])
        await wait_until(pilot, lambda: any("only text resources" in n.message for n in app._notifications))
        assert app.chat_screen.prompt.text == expected
