"""`chatterm tools list [--json]` and `chatterm tools run NAME --args JSON`.

For checking a setup without a model: which tools chatterm would offer (built-in, the
user's, each MCP server's, with each server's state), and what one tool returns. MCP
servers are waited for (each within its own start timeout) and ended before the
command returns. Names, descriptions and results come from outside (a server wrote
them): on a terminal their control characters are shown as spaces.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from chatterm.config import Config
    from chatterm.context import AppContext
    from chatterm.tools import Tool

_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_WAIT = 60.0


def add_tools_parser(sub: Any) -> argparse.ArgumentParser:
    tools = sub.add_parser("tools", help="list the tools chatterm offers, or run one")
    actions = tools.add_subparsers(dest="tools_command", metavar="ACTION", required=True)
    listing = actions.add_parser("list", help="every tool: name, source, approval, description")
    listing.add_argument("--json", action="store_true", help="one JSON object: tools and MCP servers")
    run = actions.add_parser("run", help="run one tool directly and print its result (no model)")
    run.add_argument("name", help="the tool's name, e.g. time__get_current_time")
    run.add_argument("--args", default="{}", metavar="JSON", help="the arguments as a JSON object (default {})")
    parser: argparse.ArgumentParser = tools
    return parser


def plain(text: str) -> str:
    """Outside text for a terminal: control characters (an escape sequence) as spaces."""
    return _CONTROLS.sub(" ", text)


def approval_of(tool: Tool, safe_names: set[str]) -> str:
    """`auto` when it runs without asking (a safe tool the config lists), else `ask`."""
    return "auto" if tool.safe and tool.name in safe_names else "ask"


def run_tools(args: argparse.Namespace, config: Config) -> int:
    from chatterm.process import EXIT_OK, build_context

    context = build_context(args, config, save_history=False)
    try:
        mcp_problems = context.wait_for_tools(_WAIT)  # builds the tools (and their load errors) first
        for problem in [*context.tool_errors, *mcp_problems]:
            print(f"chatterm: {plain(problem)}", file=sys.stderr)
        if args.tools_command == "list":
            _list(context, args.json)
            return EXIT_OK
        return _run(context, args.name, args.args)
    finally:
        context.close()


def _list(context: AppContext, as_json: bool) -> None:
    safe_names = set(context.config.tools_safe)
    rows: list[dict[str, Any]] = [
        {
            "name": tool.name,
            "source": tool.source or "user",
            "description": tool.description,
            "approval": approval_of(tool, safe_names),
            "read_only": tool.read_only,
        }
        for tool in context.tools
    ]
    servers = [
        {"source": name, "state": status.state, "detail": status.detail}
        for name, status in ((n, s.status()) for n, s in context.tools.sources.items())
    ]
    if as_json:
        print(json.dumps({"tools": rows, "servers": servers}, ensure_ascii=False))
        return
    width = max((len(r["name"]) for r in rows), default=4)
    for row in rows:
        summary = " ".join(str(row["description"]).split())
        if len(summary) > 70:
            summary = summary[:69] + "…"
        print(plain(f"{row['name']:<{width}}  {row['source']:<12} {row['approval']:<5} {summary}"))
    for server in servers:
        if server["state"] != "ready":
            print(plain(f"{server['source']}: {server['state']} {server['detail']}".rstrip()), file=sys.stderr)


def _run(context: AppContext, name: str, arguments: str) -> int:
    from chatterm.api.types import ToolCall
    from chatterm.process import EXIT_ERROR, EXIT_OK, EXIT_USAGE
    from chatterm.tools import run_tool_call

    if name not in context.tools:
        available = ", ".join(context.tools.names()) or "none"
        print(f"chatterm tools run: no tool named {plain(name)!r}; available: {available}", file=sys.stderr)
        return EXIT_USAGE
    call = ToolCall(id="cli", name=name, arguments=arguments)
    result = asyncio.run(run_tool_call(context.tools, call, timeout=float(context.config.tools_timeout)))
    output = plain(result.output) if sys.stdout.isatty() else result.output
    print(output, file=sys.stdout if result.ok else sys.stderr)
    return EXIT_OK if result.ok else EXIT_ERROR
