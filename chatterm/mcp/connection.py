"""One MCP server: started, initialized within its timeout, its tools listed, called, ended.

A connection lives on the manager's event loop. Its transport and SDK session are
entered and left by one task (`_lifetime`), as anyio requires; calls come from other
tasks on the same loop. A server that fails to start, or whose process dies, is
`failed` with a reason and the last lines of its stderr log; the next use restarts it
once, and a second failure stays failed until the user restarts it (tools screen).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

from chatterm.mcp_servers import ServerSpec, expand

from .results import outcome_of, prompt_text

__all__ = ["ServerConnection", "ServerFailure"]

_LOG_CAP = 1_000_000
_TAIL_LINES = 5
_MARK = "--- chatterm started this server at"


class ServerFailure(Exception):
    """The server could not be used; the message names it and says why."""


class ServerConnection:
    def __init__(
        self,
        spec: ServerSpec,
        log_dir: Path,
        *,
        on_tools: Callable[[ServerConnection, list[dict[str, Any]]], None],
        on_failure: Callable[[ServerConnection, str], None],
    ) -> None:
        self.spec = spec
        self.log_path = log_dir / f"{spec.name}.log"
        self.state = "stopped"
        self.detail = ""
        self.restarts_left = 1
        self.tools: list[dict[str, Any]] = []
        self.prompts: list[dict[str, Any]] = []
        """The server's prompts (`prompts/list`, wire form): the TUI's palette offers them."""
        self.has_prompts = False
        self.resources: list[dict[str, Any]] = []
        """The server's resources (`resources/list`): attachable to a message in the TUI."""
        self.has_resources = False
        self.ready = asyncio.Event()
        """Set when a start attempt ended (ready or failed)."""
        self._on_tools = on_tools
        self._on_failure = on_failure
        self._session: Any = None
        self._process: Any = None
        self._stop: asyncio.Event | None = None
        self._task: asyncio.Task[None] | None = None
        self._refreshing: asyncio.Task[None] | None = None

    # --- start and stop -----------------------------------------------------------------

    def start(self) -> None:
        """Begin a start attempt in the background (the caller may await `ready`)."""
        if self._task is not None and not self._task.done():
            return
        self.state, self.detail = "starting", ""
        self.ready = asyncio.Event()
        self._stop = asyncio.Event()
        self._task = asyncio.get_running_loop().create_task(self._lifetime(), name=f"mcp-{self.spec.name}")

    async def stop(self) -> None:
        if self._stop is not None:
            self._stop.set()
        if self._task is not None and self.state == "starting":
            self._task.cancel()  # a server still starting would hold the exit up to its timeout
        if self._task is not None:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task
        self._task = None
        if self.state != "failed":
            self.state = "stopped"

    async def restart(self) -> None:
        await self.stop()
        self.restarts_left = 1
        self.start()
        await self.ready.wait()

    def _fail(self, reason: str) -> None:
        tail = self.stderr_tail()
        self.state = "failed"
        self.detail = reason + (f"; its last stderr lines: {tail}" if tail else "")
        self._session = None
        self.ready.set()
        self._on_failure(self, self.detail)

    async def _lifetime(self) -> None:
        try:
            async with contextlib.AsyncExitStack() as stack:
                read, write = await stack.enter_async_context(self._transport())
                session = await stack.enter_async_context(self._new_session(read, write))
                try:
                    async with asyncio.timeout(self.spec.timeout):
                        started = await session.initialize()
                        listed = await self._list_tools(session)
                        self.has_prompts = getattr(started.capabilities, "prompts", None) is not None
                        self.prompts = await self._list_prompts(session)
                        self.has_resources = getattr(started.capabilities, "resources", None) is not None
                        self.resources = await self._list_resources(session)
                except TimeoutError:
                    self._fail(f"it did not answer initialize within {self.spec.timeout:g} s")
                    return
                self._session = session
                self._take_tools(listed)
                self.state, self.detail = "ready", ""
                self.ready.set()
                await self._until_stopped_or_dead()
        except ServerFailure as exc:
            self._fail(str(exc))
        except asyncio.CancelledError:
            raise
        except BaseException as exc:  # a transport or protocol error: the server is unusable
            self._fail(_describe(exc))
        finally:
            self._session = None
            self.ready.set()

    async def _until_stopped_or_dead(self) -> None:
        assert self._stop is not None
        waits = [asyncio.ensure_future(self._stop.wait())]
        if self._process is not None:
            waits.append(asyncio.ensure_future(self._process.wait()))
        try:
            await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for wait in waits:
                wait.cancel()
        if not self._stop.is_set() and self._process is not None:
            code = self._process.returncode
            raise ServerFailure(f"its process ended (exit status {code})")

    def _transport(self) -> contextlib.AbstractAsyncContextManager[tuple[Any, Any]]:
        spec = self.spec
        if spec.transport == "stdio":
            return self._stdio()
        headers = {name: expand(value) for name, value in spec.headers.items()}
        url = expand(spec.url or "")
        if spec.transport == "sse":
            from mcp.client.sse import sse_client

            return _pair(sse_client(url, headers=headers))
        return _streamable_http(url, headers)

    @contextlib.asynccontextmanager
    async def _stdio(self) -> Any:
        from .stdio_transport import child_environment, stdio_streams

        spec = self.spec
        env = child_environment({name: expand(value) for name, value in spec.env.items()})
        log = self._open_log()
        try:
            try:
                opened = stdio_streams(spec.command or "", [expand(a) for a in spec.args], env, spec.cwd, log)
                async with opened as (read, write, process):
                    self._process = process
                    yield read, write
            except OSError as exc:
                raise ServerFailure(f"cannot start {spec.command!r}: {exc.strerror or exc}") from exc
        finally:
            self._process = None
            log.close()

    def _new_session(self, read: Any, write: Any) -> Any:
        from mcp import types
        from mcp.client.session import ClientSession

        async def on_message(message: Any) -> None:
            if isinstance(message, types.ToolListChangedNotification):
                self._schedule_refresh()
            elif isinstance(message, types.PromptListChangedNotification):
                self._schedule_refresh(prompts=True)
            elif isinstance(message, types.ResourceListChangedNotification):
                self._schedule_refresh(resources=True)

        from chatterm import __version__

        return ClientSession(
            read,
            write,
            message_handler=on_message,
            client_info=types.Implementation(name="chatterm", version=__version__),
        )

    # --- tools --------------------------------------------------------------------------

    async def _list_tools(self, session: Any) -> list[dict[str, Any]]:
        tools: list[dict[str, Any]] = []
        cursor = None
        while True:
            if cursor is None:
                page = await session.list_tools()
            else:
                from mcp import types

                page = await session.list_tools(params=types.PaginatedRequestParams(cursor=cursor))
            tools += [tool.model_dump(by_alias=True, mode="json", exclude_none=True) for tool in page.tools]
            cursor = getattr(page, "next_cursor", None)
            if not cursor:
                return tools

    def _take_tools(self, listed: list[dict[str, Any]]) -> None:
        self.tools = listed
        self._on_tools(self, listed)

    async def _list_prompts(self, session: Any) -> list[dict[str, Any]]:
        return await _listed(self.has_prompts, session.list_prompts, "prompts")

    async def _list_resources(self, session: Any) -> list[dict[str, Any]]:
        return await _listed(self.has_resources, session.list_resources, "resources")

    async def read_resource(self, uri: str) -> list[dict[str, Any]]:
        """A resource's contents (wire form: `uri`, `mimeType`, `text` or `blob`)."""
        session = self._session
        if self.state != "ready" or session is None:
            raise ServerFailure(f"MCP server {self.spec.name!r} is not running: {self.detail or self.state}")
        try:
            result = await session.read_resource(uri)
        except Exception as exc:
            raise ServerFailure(f"MCP server {self.spec.name!r}: {_describe(exc)}") from exc
        contents: list[dict[str, Any]] = result.model_dump(by_alias=True, mode="json", exclude_none=True).get(
            "contents", []
        )
        return contents

    async def get_prompt(self, name: str, arguments: dict[str, str]) -> str:
        """A prompt's messages as the text to put in the prompt box."""
        session = self._session
        if self.state != "ready" or session is None:
            raise ServerFailure(f"MCP server {self.spec.name!r} is not running: {self.detail or self.state}")
        try:
            result = await session.get_prompt(name, arguments or None)
        except Exception as exc:
            raise ServerFailure(f"MCP server {self.spec.name!r}: {_describe(exc)}") from exc
        wire = result.model_dump(by_alias=True, mode="json", exclude_none=True)
        return prompt_text(wire)

    def _schedule_refresh(self, *, prompts: bool = False, resources: bool = False) -> None:
        async def refresh() -> None:
            session = self._session
            if session is None:
                return
            with contextlib.suppress(Exception):
                if prompts:
                    self.prompts = await self._list_prompts(session)
                elif resources:
                    self.resources = await self._list_resources(session)
                else:
                    self._take_tools(await self._list_tools(session))

        self._refreshing = asyncio.get_running_loop().create_task(refresh())

    async def call(self, tool: str, arguments: dict[str, Any]) -> tuple[str, bool]:
        """(text, is_error) of one call. A failed server is restarted once first; a
        cancelled call is cancelled at the server too (`notifications/cancelled`)."""
        if self.state == "starting":
            await self.ready.wait()
        if self.state != "ready" and self.restarts_left > 0:
            self.restarts_left -= 1
            await self.stop()
            self.start()
            await self.ready.wait()
        session = self._session
        if self.state != "ready" or session is None:
            raise ServerFailure(f"MCP server {self.spec.name!r} is not running: {self.detail or self.state}")
        try:
            result = await session.call_tool(tool, arguments)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            await self._settle()
            if self.state == "failed":
                raise ServerFailure(f"MCP server {self.spec.name!r} stopped during the call: {self.detail}") from exc
            raise ServerFailure(f"MCP server {self.spec.name!r}: {_describe(exc)}") from exc
        outcome = outcome_of(result.model_dump(by_alias=True, mode="json", exclude_none=True))
        return outcome.text, outcome.is_error

    async def _settle(self, wait: float = 3.0) -> None:
        """After a failed call: give the lifetime task a moment to see a dead process, so
        the failure says so (with its stderr) instead of "connection closed"."""
        task = self._task
        if task is not None and not task.done():
            with contextlib.suppress(TimeoutError, asyncio.CancelledError, Exception):
                await asyncio.wait_for(asyncio.shield(task), wait)

    # --- the log ------------------------------------------------------------------------

    def _open_log(self) -> IO[bytes]:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(OSError):
            if self.log_path.stat().st_size > _LOG_CAP:
                self.log_path.unlink()
        log = open(self.log_path, "ab")  # noqa: SIM115  (the child writes to it; closed on exit)
        log.write(f"{_MARK} {time.strftime('%Y-%m-%d %H:%M:%S')}\n".encode())
        log.flush()
        return log

    def stderr_tail(self) -> str:
        """The last few lines the server wrote to stderr (its log), for a failure message."""
        try:
            with open(self.log_path, "rb") as log:
                log.seek(0, 2)
                size = log.tell()
                log.seek(max(0, size - 4096))
                text = log.read().decode("utf-8", "replace")
        except OSError:
            return ""
        text = text.rpartition(_MARK)[2].partition("\n")[2]  # this run's lines only
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        return " | ".join(lines[-_TAIL_LINES:])


@contextlib.asynccontextmanager
async def _streamable_http(url: str, headers: dict[str, str]) -> Any:
    """Streamable HTTP with our headers; the HTTP client is ours, so we close it (the SDK
    closes only a client it made itself)."""
    from mcp.client.streamable_http import streamable_http_client
    from mcp.shared._httpx_utils import create_mcp_http_client

    async with (
        create_mcp_http_client(headers=headers) as client,
        _pair(streamable_http_client(url, http_client=client)) as streams,
    ):
        yield streams


@contextlib.asynccontextmanager
async def _pair(opened: Any) -> Any:
    """An HTTP transport's streams (some SDK versions yield a third item)."""
    async with opened as streams:
        yield streams[0], streams[1]


def _describe(exc: BaseException) -> str:
    if isinstance(exc, BaseExceptionGroup):
        return "; ".join(_describe(e) for e in exc.exceptions)
    if isinstance(exc, ServerFailure):
        return str(exc)
    text = str(exc)
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


async def _listed(offered: bool, list_them: Any, field: str) -> list[dict[str, Any]]:
    """A server's prompts or resources in wire form; none when it does not offer them, and
    none when listing them fails: such a server still serves its tools."""
    if not offered:
        return []
    try:
        listed = await list_them()
    except Exception:
        return []
    return [item.model_dump(by_alias=True, mode="json", exclude_none=True) for item in getattr(listed, field)]
