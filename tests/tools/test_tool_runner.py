"""run_tool_call: every way a call can go wrong gives the model a clear message."""

from __future__ import annotations

import asyncio
import enum
import json
import threading
from typing import Literal

import pytest

from chatterm.api.types import ToolCall
from chatterm.tools import Tool, ToolError, ToolRegistry, run_tool_call


class Unit(enum.Enum):
    C = "celsius"
    F = "fahrenheit"


def build() -> ToolRegistry:
    reg = ToolRegistry()

    @reg.tool
    def add(a: int, b: int = 0) -> int:
        """Add two integers."""
        return a + b

    @reg.tool
    def convert(value: float, unit: Unit, precision: int | None = None) -> dict[str, object]:
        """Convert a temperature."""
        assert isinstance(unit, Unit) and isinstance(value, float)
        return {"value": value, "unit": unit.value, "precision": precision}

    @reg.tool
    def pick(choice: Literal["x", "y"], items: list[int]) -> str:
        return f"{choice}:{sum(items)}"

    @reg.tool
    def boom() -> str:
        raise ValueError("the flux capacitor is empty")

    @reg.tool
    def polite_failure() -> str:
        raise ToolError("the city is not known; try a larger one")

    @reg.tool
    def own_timeout() -> str:
        raise TimeoutError("the upstream service timed out")

    @reg.tool
    def exits() -> str:
        raise SystemExit(3)

    @reg.tool
    async def greet(name: str) -> str:
        await asyncio.sleep(0)
        return f"hello {name}"

    @reg.tool
    def nothing() -> None:
        return None

    @reg.tool
    def unicode() -> list[str]:
        return ["café", "東京"]

    @reg.tool
    def huge() -> str:
        return "x" * 150_000

    @reg.tool
    def odd() -> object:
        return {"when": threading.Thread}  # not JSON: shown through str()

    return reg


def call(name: str, arguments: str = "{}") -> ToolCall:
    return ToolCall(id="call_1", name=name, arguments=arguments)


async def run(name: str, arguments: str = "{}", **kw: float) -> tuple[bool, str]:
    result = await run_tool_call(build(), call(name, arguments), **kw)
    return result.ok, result.output


async def test_success_values() -> None:
    assert await run("add", '{"a": 2, "b": 3}') == (True, "5")
    assert await run("add", '{"a": 2}') == (True, "2")
    assert await run("add", "") == (False, "Error: invalid arguments for tool 'add': missing required argument 'a'")
    assert await run("greet", '{"name": "Ada"}') == (True, "hello Ada")
    assert await run("nothing") == (True, "null")
    assert await run("unicode") == (True, '["café", "東京"]')
    ok, out = await run("odd")
    assert ok and "threading.Thread" in out


async def test_enum_and_float_coercion_and_null_default() -> None:
    ok, out = await run("convert", '{"value": 20, "unit": "fahrenheit", "precision": null}')
    assert ok, out
    assert json.loads(out) == {"value": 20.0, "unit": "fahrenheit", "precision": None}


async def test_unknown_tool_lists_the_available_ones() -> None:
    ok, out = await run("weather", '{"city": "Paris"}')
    assert not ok
    assert out.startswith("Error: unknown tool 'weather'. Available tools: add, convert, pick, boom")


@pytest.mark.parametrize(
    ("name", "arguments", "expected"),
    [
        ("add", '{"a": 1,', "are not valid JSON"),
        ("add", "[1, 2]", "must be a JSON object, got list"),
        ("add", '{"b": 1}', "missing required argument 'a'"),
        ("add", '{"a": "1"}', "argument 'a' must be an integer, got string \"1\""),
        ("add", '{"a": true}', "argument 'a' must be an integer, got boolean true"),
        ("add", '{"a": 1, "c": 2}', "unexpected argument 'c' (accepted: a, b)"),
        (
            "convert",
            '{"value": 1, "unit": "kelvin"}',
            'argument \'unit\' must be one of "celsius", "fahrenheit"; got "kelvin"',
        ),
        ("pick", '{"choice": "x", "items": [1, "2"]}', "argument 'items[1]' must be an integer"),
        ("pick", '{"choice": "z", "items": []}', "argument 'choice' must be one of"),
    ],
)
async def test_bad_arguments(name: str, arguments: str, expected: str) -> None:
    ok, out = await run(name, arguments)
    assert not ok
    assert out.startswith("Error: ")
    assert expected in out
    if "JSON" in expected:
        assert arguments in out  # the model sees what it sent


async def test_extra_argument_the_function_cannot_take() -> None:
    """A hand-written schema may allow more than the function takes: still no crash."""
    reg = ToolRegistry()
    reg.register(Tool("loose", "", {"type": "object"}, lambda a=1: a))
    result = await run_tool_call(reg, call("loose", '{"a": 2, "zzz": 1}'))
    assert not result.ok
    assert "invalid arguments for tool 'loose'" in result.output and "zzz" in result.output


async def test_exceptions_become_messages() -> None:
    assert await run("boom") == (False, "Error: tool 'boom' raised ValueError: the flux capacitor is empty")
    assert await run("polite_failure") == (False, "Error: the city is not known; try a larger one")
    # A TimeoutError the tool raises itself is not reported as our timeout.
    assert await run("own_timeout", timeout=5) == (
        False,
        "Error: tool 'own_timeout' raised TimeoutError: the upstream service timed out",
    )
    assert await run("exits") == (False, "Error: tool 'exits' raised SystemExit: 3")


async def test_timeouts_for_sync_and_async_tools() -> None:
    release = threading.Event()
    reg = ToolRegistry()

    @reg.tool
    def slow_sync() -> str:
        release.wait(10)
        return "late"

    @reg.tool
    async def slow_async() -> str:
        await asyncio.sleep(10)
        return "late"

    try:
        for name in ("slow_sync", "slow_async"):
            result = await run_tool_call(reg, call(name), timeout=0.2)
            assert (result.ok, result.output) == (False, f"Error: tool '{name}' timed out after 0.2 s")
    finally:
        release.set()  # let the worker thread finish


async def test_sync_tools_do_not_block_the_event_loop() -> None:
    """A sync tool runs in a worker thread: the loop keeps serving other tasks."""
    started = threading.Event()
    release = threading.Event()
    reg = ToolRegistry()

    @reg.tool
    def blocking() -> str:
        started.set()
        release.wait(10)
        return "done"

    task = asyncio.create_task(run_tool_call(reg, call("blocking")))
    await asyncio.to_thread(started.wait, 10)
    assert not task.done()
    release.set()  # only reachable if the loop is not blocked
    assert (await task).output == "done"


async def test_cancellation_propagates() -> None:
    reg = ToolRegistry()
    entered = asyncio.Event()

    @reg.tool
    async def waits() -> str:
        entered.set()
        await asyncio.sleep(10)
        return "never"

    task = asyncio.create_task(run_tool_call(reg, call("waits")))
    await entered.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task


async def test_huge_output_is_truncated_with_a_note() -> None:
    ok, out = await run("huge")
    assert ok
    assert out.startswith("x" * 100_000)
    assert out.endswith("[output truncated: showing 100,000 of 150,000 characters]")
    assert len(out) < 100_100
