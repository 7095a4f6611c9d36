"""Tools from real MCP servers in chatterm's registry: `mcp-server-time` and the probe
server, both over stdio, started once for the module."""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from chatterm.api.types import ToolCall
from chatterm.mcp.manager import McpManager
from chatterm.mcp_servers import specs_from
from chatterm.tools import ToolRegistry, run_tool_call
from tests.mcp.conftest import probe_server, time_server


@pytest.fixture(scope="module")
def servers(module_dir: Path) -> Iterator[tuple[McpManager, ToolRegistry]]:
    os.environ["CHATTERM_TEST_SECRET"] = "must-not-reach-a-server"
    registry = ToolRegistry()
    manager = McpManager(
        specs_from({"time": time_server(), "probe": probe_server(module_dir)}), registry, module_dir / "logs"
    )
    manager.start()
    assert manager.wait_ready(60)
    yield manager, registry
    manager.stop()
    del os.environ["CHATTERM_TEST_SECRET"]


def call(registry: ToolRegistry, name: str, arguments: object, timeout: float = 30.0) -> tuple[bool, str]:
    result = asyncio.run(run_tool_call(registry, ToolCall("c1", name, json.dumps(arguments)), timeout=timeout))
    return result.ok, result.output


def test_the_time_servers_tools_are_registered_with_schema_and_source(servers) -> None:
    manager, registry = servers
    tool = registry.get("time__get_current_time")
    assert tool is not None and tool.source == "mcp:time" and tool.read_only
    assert tool.parameters["required"] == ["timezone"]
    assert "$schema" not in json.dumps(tool.parameters)
    assert registry.sources["mcp:time"].status().state == "ready"
    assert manager.reports() == []


def test_a_call_returns_the_servers_answer(servers) -> None:
    ok, output = call(servers[1], "time__get_current_time", {"timezone": "Asia/Tokyo"})
    assert ok and json.loads(output)["timezone"] == "Asia/Tokyo"


def test_an_error_result_is_an_error_for_the_model_not_a_crash(servers) -> None:
    ok, output = call(servers[1], "probe__fail", {"reason": "disk on fire"})
    assert not ok and output.startswith("Error: ") and "fail" in output
    ok, output = call(servers[1], "time__get_current_time", {"timezone": "Nowhere/Atlantis"})
    assert not ok and "Nowhere/Atlantis" in output


def test_bad_arguments_are_refused_before_the_server_sees_them(servers) -> None:
    ok, output = call(servers[1], "time__get_current_time", {})
    assert not ok and "missing required argument 'timezone'" in output


def test_images_and_structured_content_become_text(servers) -> None:
    ok, output = call(servers[1], "probe__pixel", {})
    assert ok and output.startswith("[image: image/png, ") and "bytes]" in output
    ok, output = call(servers[1], "probe__weather", {"city": "Oslo"})
    assert ok and json.loads(output) == {"city": "Oslo", "celsius": 21}


def test_a_server_gets_only_its_env_plus_path_and_home(servers) -> None:
    ok, output = call(servers[1], "probe__env_names", {})
    names = set(output.splitlines())
    # LC_CTYPE: the server's own Python sets it at start (PEP 538), it is not passed.
    assert ok and names - {"LC_CTYPE"} == {"PATH", "HOME", "PROBE_DIR"}


def test_list_changed_refreshes_the_tools(servers) -> None:
    registry = servers[1]
    assert "probe__added" not in registry
    assert call(registry, "probe__grow", {}) == (True, "grown")
    for _ in range(500):  # the notification arrives on the servers' loop
        if "probe__added" in registry:
            break
        asyncio.run(asyncio.sleep(0.01))
    assert call(registry, "probe__added", {}) == (True, "I was added")


def test_stopping_a_call_cancels_it_at_the_server(servers, module_dir: Path) -> None:
    registry = servers[1]

    async def start_and_stop() -> None:
        task = asyncio.ensure_future(run_tool_call(registry, ToolCall("c2", "probe__slow", "{}"), timeout=60))
        while not (module_dir / "slow.started").exists():
            await asyncio.sleep(0.01)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    asyncio.run(start_and_stop())
    for _ in range(1000):  # `notifications/cancelled` reaches the server's handler
        if (module_dir / "slow.cancelled").exists():
            break
        asyncio.run(asyncio.sleep(0.01))
    assert (module_dir / "slow.cancelled").exists()
    ok, output = call(registry, "probe__slow", {"seconds": 30}, timeout=0.5)
    assert not ok and "timed out after 0.5 s" in output
