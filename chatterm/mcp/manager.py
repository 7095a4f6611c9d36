"""`McpManager`: every configured MCP server on one background event loop.

The servers live on a loop in a daemon thread of their own, so neither the TUI's first
frame nor `ask`'s run waits for them, and one SDK session outlives the `asyncio.run`
of a command. Their tools go into the app's `ToolRegistry` through the interface
`tools/sources.py` defines (`replace_source`, `add_source`); a tool's function hands the
call to this loop and awaits the answer from whatever loop the engine runs on, so
stopping the reply (cancelling that await) cancels the call at the server as well.

    manager = McpManager(specs, registry, log_dir); manager.start()
    manager.wait_ready(10)     # `ask`/`tools`: the servers' tools before offering them
    manager.reports()          # failures not yet told to the user, each told once
    manager.stop()             # every server ended, every child process gone
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Sequence
from concurrent.futures import Future
from pathlib import Path
from typing import Any

from chatterm.mcp_servers import ServerSpec
from chatterm.tools.registry import Tool, ToolRegistry
from chatterm.tools.runner import ToolError
from chatterm.tools.sources import SourceStatus

from . import children
from .connection import ServerConnection, ServerFailure
from .naming import tool_name
from .schema_clean import clean_schema

__all__ = ["McpManager", "McpSource"]


class McpSource:
    """One server as the registry's `ToolSource`: its state, and a restart."""

    def __init__(self, manager: McpManager, connection: ServerConnection) -> None:
        self._manager = manager
        self._connection = connection

    @property
    def name(self) -> str:
        return self._connection.spec.source

    def status(self) -> SourceStatus:
        state = self._connection.state
        return SourceStatus(state if state in ("starting", "ready", "failed") else "stopped", self._connection.detail)  # type: ignore[arg-type]

    def restart(self) -> None:
        self._manager.submit(self._connection.restart())


class McpManager:
    def __init__(self, specs: Sequence[ServerSpec], registry: ToolRegistry, log_dir: Path) -> None:
        self.specs = list(specs)
        self.registry = registry
        self.log_dir = log_dir
        self.loop: asyncio.AbstractEventLoop | None = None
        self.connections: dict[str, ServerConnection] = {}
        self._thread: threading.Thread | None = None
        self._reports: list[str] = []
        self._lock = threading.Lock()
        self._settled = threading.Event()

    # --- the loop -----------------------------------------------------------------------

    def start(self) -> None:
        """Start every server in the background; returns at once."""
        if self._thread is not None:
            return
        children.install()
        started = threading.Event()

        def run() -> None:
            loop = asyncio.new_event_loop()
            self.loop = loop
            asyncio.set_event_loop(loop)
            started.set()
            loop.run_forever()
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.close()

        self._thread = threading.Thread(target=run, name="chatterm-mcp", daemon=True)
        self._thread.start()
        started.wait()
        for spec in self.specs:
            connection = ServerConnection(spec, self.log_dir, on_tools=self._take_tools, on_failure=self._tell_failure)
            self.connections[spec.name] = connection
            self.registry.add_source(McpSource(self, connection))
        self.submit(self._start_all())

    async def _start_all(self) -> None:
        for connection in self.connections.values():
            connection.start()
        await asyncio.gather(*(c.ready.wait() for c in self.connections.values()))
        self._settled.set()

    def submit(self, coroutine: Any) -> Future[Any]:
        assert self.loop is not None, "start() first"
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop)

    def wait_ready(self, timeout: float | None = None) -> bool:
        """Block until every server is ready or failed (at most `timeout` seconds)."""
        if not self.connections:
            return True
        return self._settled.wait(timeout)

    def stop(self, timeout: float = 10.0) -> None:
        """End every server (stdin closed, then signals) and the loop; idempotent."""
        loop, thread = self.loop, self._thread
        if loop is None or thread is None or not thread.is_alive():
            children.kill_all()
            return

        async def stop_all() -> None:
            await asyncio.gather(*(c.stop() for c in self.connections.values()), return_exceptions=True)

        try:
            asyncio.run_coroutine_threadsafe(stop_all(), loop).result(timeout)
        except Exception:
            pass  # whatever is left, children.kill_all ends
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout)
        self._thread = None
        children.kill_all()

    # --- what the servers tell ------------------------------------------------------------

    def _tell_failure(self, connection: ServerConnection, detail: str) -> None:
        with self._lock:
            self._reports.append(f"MCP server {connection.spec.name!r} failed: {detail}")

    def reports(self) -> list[str]:
        """Failures not told yet; each is returned once."""
        with self._lock:
            told, self._reports = self._reports, []
        return told

    def _take_tools(self, connection: ServerConnection, listed: list[dict[str, Any]]) -> None:
        server = connection.spec.name
        tools = [self._tool(server, entry) for entry in listed if isinstance(entry.get("name"), str)]
        clashes = self.registry.replace_source(connection.spec.source, tools)
        for name in clashes:
            with self._lock:
                self._reports.append(f"MCP server {server!r}: tool {name!r} is left out; another tool has that name")

    def _tool(self, server: str, entry: dict[str, Any]) -> Tool:
        remote = str(entry["name"])
        annotations = entry.get("annotations") or {}

        async def call(**arguments: Any) -> str:
            return await self.call(server, remote, arguments)

        call.__name__ = tool_name(server, remote)
        description = str(entry.get("description") or entry.get("title") or annotations.get("title") or "")
        return Tool(
            name=tool_name(server, remote),
            description=description,
            parameters=clean_schema(entry.get("inputSchema")),
            func=call,
            safe=True,  # the user may name it in [tools] safe; it still asks unless they do
            source=f"mcp:{server}",
            read_only=annotations.get("readOnlyHint") is True,
        )

    async def call(self, server: str, tool: str, arguments: dict[str, Any]) -> str:
        """One call, from any event loop; an error result or a dead server -> ToolError."""
        connection = self.connections[server]
        future = self.submit(connection.call(tool, arguments))
        try:
            outcome: tuple[str, bool] = await asyncio.wrap_future(future)
            text, is_error = outcome
        except ServerFailure as exc:
            raise ToolError(str(exc)) from None
        if is_error:
            raise ToolError(text or f"tool {tool!r} of MCP server {server!r} reported an error")
        return text

    # --- prompts ------------------------------------------------------------------------

    def prompts(self) -> list[tuple[str, dict[str, Any]]]:
        """(server, prompt) for every ready server's prompts, in config order."""
        return [(name, prompt) for name, c in self.connections.items() if c.state == "ready" for prompt in c.prompts]

    async def get_prompt(self, server: str, name: str, arguments: dict[str, str]) -> str:
        """The prompt's text (from any event loop). Raises ServerFailure saying why not."""
        future = self.submit(self.connections[server].get_prompt(name, arguments))
        text: str = await asyncio.wrap_future(future)
        return text

    # --- resources ----------------------------------------------------------------------

    def resources(self) -> list[tuple[str, dict[str, Any]]]:
        """(server, resource) for every ready server's resources, in config order."""
        return [(name, r) for name, c in self.connections.items() if c.state == "ready" for r in c.resources]

    async def resource_text(self, server: str, uri: str) -> str:
        """A resource as text to attach to a message: each text content in a
        `<resource uri="...">` block. Raises ServerFailure for a server that cannot read
        it, and for binary content (a chat message carries text; the model would only
        get its size)."""
        future = self.submit(self.connections[server].read_resource(uri))
        contents: list[dict[str, Any]] = await asyncio.wrap_future(future)
        blocks = []
        for content in contents:
            if "text" not in content:
                kind = content.get("mimeType", "binary data")
                raise ServerFailure(f"{uri} is {kind}: only text resources can be attached to a message")
            blocks.append(f'<resource uri="{content.get("uri", uri)}">\n{content["text"]}\n</resource>')
        return "\n\n".join(blocks)
