"""A stdio MCP server: the process, its pipes as the SDK's message streams, its end.

Written here rather than taken from `mcp.client.stdio` for three reasons the issue sets:
the environment is the server's configured `env` plus PATH and HOME only (the SDK's
passes LOGNAME, SHELL, TERM and USER as well); stderr goes to a log file per server;
and the process group is known to `children.py`, which ends it whatever way chatterm
ends. The shutdown follows the MCP spec: close stdin, wait, SIGTERM the group, SIGKILL.
"""

from __future__ import annotations

import contextlib
import os
import signal
from collections.abc import AsyncIterator, Mapping
from typing import IO, Any

import anyio
from anyio.streams.text import TextReceiveStream

from . import children

__all__ = ["child_environment", "stdio_streams"]

_EXIT_GRACE = 2.0
_TERM_GRACE = 2.0


def child_environment(configured: Mapping[str, str], parent: Mapping[str, str] | None = None) -> dict[str, str]:
    """PATH and HOME from chatterm's environment, then the server's own `env` (expanded by
    the caller). Nothing else: no key chatterm holds reaches a server it did not name."""
    parent = os.environ if parent is None else parent
    env = {name: parent[name] for name in ("PATH", "HOME") if name in parent}
    env.update(configured)
    return env


async def _wait_exit(process: Any, timeout: float) -> bool:
    with anyio.move_on_after(timeout):
        while process.returncode is None:
            await anyio.sleep(0.02)
    return process.returncode is not None


def _signal_group(pid: int, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, sig)


async def _stop(process: Any) -> None:
    with contextlib.suppress(Exception):
        await process.stdin.aclose()
    if not await _wait_exit(process, _EXIT_GRACE):
        _signal_group(process.pid, signal.SIGTERM)
        if not await _wait_exit(process, _TERM_GRACE):
            _signal_group(process.pid, signal.SIGKILL)
            await _wait_exit(process, _TERM_GRACE)
    else:
        _signal_group(process.pid, signal.SIGTERM)  # what it started, if anything, goes too
    children.forget(process.pid)


@contextlib.asynccontextmanager
async def stdio_streams(
    command: str, args: list[str], env: dict[str, str], cwd: str | None, stderr: IO[bytes]
) -> AsyncIterator[tuple[Any, Any, Any]]:
    """(read stream, write stream, process) for a ClientSession; the process ends on exit."""
    from mcp import types as mcp_types
    from mcp.shared.message import SessionMessage

    process = await anyio.open_process([command, *args], env=env, cwd=cwd, stderr=stderr, start_new_session=True)
    children.remember(process.pid)
    stdout, stdin = process.stdout, process.stdin
    assert stdout is not None and stdin is not None  # open_process pipes both by default
    to_session, read_stream = anyio.create_memory_object_stream[Any](0)
    write_stream, from_session = anyio.create_memory_object_stream[Any](0)

    async def read_stdout() -> None:
        buffer = ""
        async with to_session:
            with contextlib.suppress(anyio.ClosedResourceError, anyio.BrokenResourceError, OSError):
                async for chunk in TextReceiveStream(stdout, errors="replace"):
                    lines = (buffer + chunk).split("\n")
                    buffer = lines.pop()
                    for line in lines:
                        if not line.strip():
                            continue
                        try:
                            message: Any = SessionMessage(
                                mcp_types.jsonrpc_message_adapter.validate_json(line, by_name=False)
                            )
                        except ValueError as exc:
                            message = exc
                        await to_session.send(message)

    async def write_stdin() -> None:
        async with from_session:
            with contextlib.suppress(anyio.ClosedResourceError, anyio.BrokenResourceError, OSError):
                async for item in from_session:
                    data = item.message.model_dump_json(by_alias=True, exclude_unset=True) + "\n"
                    await stdin.send(data.encode("utf-8"))
        await to_session.aclose()  # the server cannot take more: the session must see the end

    try:
        async with anyio.create_task_group() as group:
            group.start_soon(read_stdout)
            group.start_soon(write_stdin)
            try:
                yield read_stream, write_stream, process
            finally:
                with anyio.CancelScope(shield=True):
                    await write_stream.aclose()
                    await _stop(process)
                group.cancel_scope.cancel()
    finally:
        with anyio.CancelScope(shield=True):
            if process.returncode is None:
                await _stop(process)
            with contextlib.suppress(Exception):
                await process.aclose()
