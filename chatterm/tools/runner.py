"""Run one tool call safely: whatever goes wrong, the model gets a clear message.

    result = await run_tool_call(registry, call, timeout=30.0)
    result.ok, result.output      # output is the `tool` message content

The steps, each with its own error text (all start with "Error: "):

    look up the tool            -> unknown tool, with the list of available ones
    parse the JSON arguments    -> not valid JSON / not a JSON object
    check them against schema   -> missing required, wrong type, not in enum, unexpected
    bind them to the signature  -> what the schema could not express
    call it, under a timeout    -> the exception's type and text / timed out after N s

Sync functions run in a daemon thread of their own so a slow one never blocks the
event loop; a sync function that times out (or whose call is cancelled) cannot be
killed and finishes in its thread, but its result is dropped and it does not keep
chatterm from exiting. Async functions are awaited under
`asyncio.timeout`, which also tells a timeout apart from a TimeoutError the tool
raised itself. Cancellation (the user pressed Esc) propagates: it is not a tool error.

Only this module decides what an error looks like to the model; tools that want a
plain message without an exception type raise `ToolError`.
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
import inspect
import json
import threading
from dataclasses import dataclass
from typing import Any

from ..api.types import ToolCall
from .registry import Tool, ToolRegistry
from .schema import coerce_arguments
from .validate import argument_errors

__all__ = ["MAX_OUTPUT_CHARS", "ToolError", "ToolResult", "format_output", "in_daemon_thread", "run_tool_call"]

MAX_OUTPUT_CHARS = 100_000
"""Longest tool output sent to the model; more is cut with a note saying so."""

_MAX_ERROR_CHARS = 2_000


class ToolError(Exception):
    """Raise from a tool to send the model just this message ("Error: <text>"),
    without the exception type that other exceptions get."""


@dataclass(slots=True)
class ToolResult:
    """What a call produced. `output` is what the model receives as the tool message."""

    ok: bool
    output: str


def _truncate(text: str, cap: int) -> str:
    if len(text) <= cap:
        return text
    return f"{text[:cap]}\n[output truncated: showing {cap:,} of {len(text):,} characters]"


def _bytes_text(data: bytes | bytearray | memoryview) -> str:
    """Bytes a tool returned: their text when they are UTF-8 text, else a note of
    their size (a repr of binary data only costs the model tokens)."""
    raw = bytes(data)
    if b"\0" not in raw:
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            pass
    return f"[{len(raw):,} bytes of binary data]"


def format_output(value: Any, *, max_chars: int = MAX_OUTPUT_CHARS) -> str:
    """A tool's return value as message text: strings as they are, UTF-8 bytes as
    their text, anything else as JSON (non-JSON values through `str`), cut to
    `max_chars`."""
    if isinstance(value, str):
        text = value
    elif isinstance(value, (bytes, bytearray, memoryview)):
        text = _bytes_text(value)
    else:
        try:
            text = json.dumps(value, ensure_ascii=False, default=str)
        except (TypeError, ValueError):  # a circular structure, say
            text = str(value)
    return _truncate(text, max_chars)


def _error(text: str) -> ToolResult:
    return ToolResult(False, "Error: " + _truncate(text, _MAX_ERROR_CHARS))


def _seconds(timeout: float) -> str:
    return f"{timeout:g} s"


def _is_async(func: Any) -> bool:
    while isinstance(func, functools.partial):
        func = func.func
    return inspect.iscoroutinefunction(func) or inspect.iscoroutinefunction(getattr(func, "__call__", None))  # noqa: B004  (an object whose __call__ is async)


def _drop_null_defaults(tool: Tool, arguments: dict[str, Any]) -> dict[str, Any]:
    """An explicit null for a parameter whose default is None means "not given"
    (the schema shows such parameters as optional T, not as nullable)."""
    try:
        params = inspect.signature(tool.func).parameters
    except (TypeError, ValueError):
        return arguments
    return {
        key: value
        for key, value in arguments.items()
        if not (value is None and key in params and params[key].default is None)
    }


def _prepare(tool: Tool, call: ToolCall) -> dict[str, Any] | ToolResult:
    """The keyword arguments for the call, or the error result that explains why not."""
    try:
        arguments = call.parsed_arguments()
    except ValueError as exc:
        shown = call.arguments if len(call.arguments) <= 200 else call.arguments[:200] + "..."
        return _error(
            f"the arguments for tool '{tool.name}' are not valid JSON ({exc}); received: {shown}. Send a JSON object."
        )
    if not isinstance(arguments, dict):
        return _error(
            f"the arguments for tool '{tool.name}' must be a JSON object, "
            f"got {type(arguments).__name__}: {call.arguments.strip()[:200]}"
        )
    arguments = _drop_null_defaults(tool, arguments)
    problems = argument_errors(arguments, tool.parameters)
    if problems:
        return _error(f"invalid arguments for tool '{tool.name}': " + "; ".join(problems))
    try:
        arguments = coerce_arguments(tool.func, arguments)
    except (TypeError, ValueError) as exc:
        return _error(f"invalid arguments for tool '{tool.name}': {exc}")
    try:
        inspect.signature(tool.func).bind(**arguments)
    except TypeError as exc:
        return _error(f"invalid arguments for tool '{tool.name}': {exc}")
    except ValueError:
        pass  # no signature to check against (some builtins): let the call decide
    return arguments


def in_daemon_thread(func: Any, /, *args: Any, **arguments: Any) -> asyncio.Future[Any]:
    """`func(*args, **arguments)` in a daemon thread of its own, as an awaitable.

    Unlike `asyncio.to_thread`, a call that timed out or was cancelled may go on
    running without holding chatterm open at exit (the default executor's threads
    are joined when `asyncio.run` ends). Sync tools run this way, and so does `ask`'s
    y/N question (a Ctrl-C at the prompt must not wait for Enter)."""
    loop = asyncio.get_running_loop()
    future: asyncio.Future[Any] = loop.create_future()
    context = contextvars.copy_context()

    def settle(value: Any, error: BaseException | None) -> None:
        if future.done():
            return
        if error is not None:
            future.set_exception(error)
        else:
            future.set_result(value)

    def work() -> None:
        try:
            value = context.run(func, *args, **arguments)
        except BaseException as exc:  # handed to the awaiting task, as to_thread does
            outcome: tuple[Any, BaseException | None] = (None, exc)
        else:
            outcome = (value, None)
        try:
            loop.call_soon_threadsafe(settle, *outcome)
        except RuntimeError:
            pass  # the loop closed while the tool ran: nobody waits for it any more

    threading.Thread(target=work, name=f"chatterm-tool-{getattr(func, '__name__', 'tool')}", daemon=True).start()
    return future


async def _invoke(tool: Tool, arguments: dict[str, Any]) -> Any:
    if _is_async(tool.func):
        return await tool.func(**arguments)
    result = await in_daemon_thread(tool.func, **arguments)
    if inspect.isawaitable(result):  # a sync wrapper that hands back a coroutine
        result = await result
    return result


async def run_tool_call(
    registry: ToolRegistry,
    call: ToolCall,
    *,
    timeout: float = 30.0,
    max_output_chars: int = MAX_OUTPUT_CHARS,
) -> ToolResult:
    """Run `call` with the registry's tool. Never raises for anything the model or the
    tool got wrong; only cancellation (and KeyboardInterrupt) propagates."""
    tool = registry.get(call.name)
    if tool is None:
        available = ", ".join(registry.names()) or "none"
        return _error(f"unknown tool '{call.name}'. Available tools: {available}")
    prepared = _prepare(tool, call)
    if isinstance(prepared, ToolResult):
        return prepared
    try:
        async with asyncio.timeout(timeout) as deadline:
            value = await _invoke(tool, prepared)
    except asyncio.CancelledError:
        raise
    except TimeoutError as exc:
        if deadline.expired():
            return _error(f"tool '{tool.name}' timed out after {_seconds(timeout)}")
        return _error(f"tool '{tool.name}' raised TimeoutError: {exc}")
    except ToolError as exc:
        return _error(str(exc) or f"tool '{tool.name}' failed")
    except (Exception, SystemExit) as exc:  # SystemExit: a tool calling sys.exit() must not end chatterm
        detail = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
        return _error(f"tool '{tool.name}' raised {detail}")
    return ToolResult(True, format_output(value, max_chars=max_output_chars))
