"""A small MCP server for chatterm's tests, written with the SDK's own server API.

    python tests/mcp/probe_server.py            stdio
    python tests/mcp/probe_server.py --http P   Streamable HTTP on 127.0.0.1:P/mcp
    python tests/mcp/probe_server.py --linger   stdio, with a helper process that ignores stdin

Its tools cover what a client must handle: an error result, a slow call (it writes
`<PROBE_DIR>/slow.started` and, when the client cancels it, `slow.cancelled`), an image,
structured content, a list change, a process that dies, the environment it was given.
"""

from __future__ import annotations

import argparse
import base64
import os
import sys
from pathlib import Path
from typing import Any

import anyio
from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.utilities.types import Image
from mcp.types import ToolAnnotations

server = MCPServer("probe", version="1.0")
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)


def _mark(name: str, text: str = "") -> None:
    folder = os.environ.get("PROBE_DIR")
    if folder:
        Path(folder, name).write_text(text or str(os.getpid()), encoding="utf-8")


@server.tool(description="Echo the text back.", annotations=ToolAnnotations(read_only_hint=True))
def echo(text: str) -> str:
    return text


@server.tool(description="Always fails with a message.")
def fail(reason: str = "broken on purpose") -> str:
    raise ValueError(reason)


@server.tool(description="Sleep for a while; tells the test when it starts and when it is cancelled.")
async def slow(seconds: float = 30.0) -> str:
    _mark("slow.started")
    try:
        await anyio.sleep(seconds)
    except anyio.get_cancelled_exc_class():
        _mark("slow.cancelled")
        raise
    return "slept"


@server.tool(description="A one-pixel PNG.")
def pixel() -> Image:
    return Image(data=PNG, format="png")


@server.tool(description="Structured weather.")
def weather(city: str) -> dict[str, Any]:
    return {"city": city, "celsius": 21}


@server.tool(description="The names of the environment variables this server was given.")
def env_names() -> list[str]:
    return sorted(os.environ)


@server.tool(description="Add a tool named 'added' and tell the client the list changed.")
async def grow(ctx: Context) -> str:
    server.add_tool(lambda: "I was added", name="added", description="Added at run time.")
    await ctx.request_context.session.send_tool_list_changed()
    return "grown"


@server.tool(description="Write a line to stderr and exit at once.")
def die() -> str:
    print("probe: dying on purpose", file=sys.stderr, flush=True)
    os._exit(3)


@server.prompt(description="Ask for a review of some code.")
def review(code: str, focus: str = "bugs") -> str:
    return f"Please review this code, looking for {focus}:\n\n{code}"


@server.prompt(description="Say hello.")
def greeting() -> str:
    return "Hello! What can you do?"


@server.resource("notes://today", name="today", description="Today's notes.", mime_type="text/plain")
def today() -> str:
    return "buy milk\ncall Ada"


@server.resource("notes://logo", name="logo", description="A picture.", mime_type="image/png")
def logo() -> bytes:
    return PNG


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--http", type=int, default=None)
    parser.add_argument("--linger", action="store_true", help="start a child that outlives this server's stdin")
    args = parser.parse_args()
    if args.linger:  # what a server's helper process does: only its process group's end stops it
        import subprocess

        helper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"], stdin=subprocess.DEVNULL)
        _mark("linger.pid", str(helper.pid))
    print("probe: started", file=sys.stderr, flush=True)
    if args.http is not None:
        anyio.run(lambda: server.run_streamable_http_async(port=args.http))
    else:
        anyio.run(server.run_stdio_async)


if __name__ == "__main__":
    main()
