"""Servers that fail, die, hang or speak HTTP; and no server process outlives chatterm."""

from __future__ import annotations

import asyncio
import gc
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from chatterm.api.types import ToolCall
from chatterm.mcp.manager import McpManager
from chatterm.mcp_servers import specs_from
from chatterm.tools import ToolRegistry, run_tool_call
from tests.mcp.conftest import PROBE, probe_server

REPO = Path(__file__).resolve().parents[2]


def started(servers: dict[str, object], logs: Path) -> tuple[McpManager, ToolRegistry]:
    registry = ToolRegistry()
    manager = McpManager(specs_from(servers), registry, logs)
    manager.start()
    assert manager.wait_ready(60)
    return manager, registry


def run(registry: ToolRegistry, name: str, arguments: str = "{}") -> tuple[bool, str]:
    result = asyncio.run(run_tool_call(registry, ToolCall("c", name, arguments), timeout=30))
    return result.ok, result.output


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie is gone for the user; it only waits for its parent to reap it
        return Path(f"/proc/{pid}/stat").read_text().split(")")[1].split()[0] != "Z"
    except OSError:
        return False


def wait_for(condition, timeout: float = 30.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return condition()


def test_a_server_that_dies_is_reported_once_with_its_stderr_and_restarted_on_next_use(tmp_path: Path) -> None:
    manager, registry = started({"probe": probe_server(tmp_path)}, tmp_path / "logs")
    try:
        ok, output = run(registry, "probe__die")
        assert not ok and "exit status 3" in output and "probe: dying on purpose" in output
        reports = manager.reports()
        assert len(reports) == 1 and "MCP server 'probe' failed" in reports[0] and "dying on purpose" in reports[0]
        assert manager.reports() == []  # told once
        assert run(registry, "probe__echo", '{"text": "back"}') == (True, "back")  # restarted
        ok, output = run(registry, "probe__die")
        assert not ok
        ok, output = run(registry, "probe__echo", '{"text": "again"}')  # one restart only
        assert not ok and "is not running" in output and "dying on purpose" in output
        registry.sources["mcp:probe"].restart()  # the tools screen's restart
        assert wait_for(lambda: registry.sources["mcp:probe"].status().state == "ready")
        assert run(registry, "probe__echo", '{"text": "by hand"}') == (True, "by hand")
    finally:
        manager.stop()
    assert (tmp_path / "logs" / "probe.log").read_text().count("probe: started") == 3


def test_a_server_that_cannot_start_or_never_answers_is_failed_with_a_reason(tmp_path: Path) -> None:
    silent = [
        sys.executable,
        "-c",
        "import sys, time; print('warming up', file=sys.stderr, flush=True); time.sleep(60)",
    ]
    servers = {
        "missing": {"command": str(tmp_path / "no-such-server")},
        "crash": {"command": sys.executable, "args": ["-c", "import sys; sys.exit('bad flag --x')"]},
        "silent": {"command": silent[0], "args": silent[1:], "timeout": 1},
    }
    manager, registry = started(servers, tmp_path / "logs")
    try:
        status = {name: registry.sources[f"mcp:{name}"].status() for name in servers}
        assert all(s.state == "failed" for s in status.values())
        assert "cannot start" in status["missing"].detail and "No such file" in status["missing"].detail
        assert "bad flag --x" in status["crash"].detail
        assert "did not answer initialize within 1 s" in status["silent"].detail
        assert "warming up" in status["silent"].detail
        assert len(manager.reports()) == 3
    finally:
        manager.stop()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_streamable_http_on_loopback(tmp_path: Path) -> None:
    port = free_port()
    env = {**os.environ, "PROBE_DIR": str(tmp_path)}
    server = subprocess.Popen(
        [sys.executable, str(PROBE), "--http", str(port)], env=env, stderr=subprocess.DEVNULL, stdout=subprocess.DEVNULL
    )
    try:

        def listening() -> bool:
            with socket.socket() as s:
                return s.connect_ex(("127.0.0.1", port)) == 0

        assert wait_for(listening)
        os.environ["PROBE_TOKEN"] = "t0k"
        manager, registry = started(
            {"web": {"url": f"http://127.0.0.1:{port}/mcp", "headers": {"Authorization": "Bearer ${PROBE_TOKEN}"}}},
            tmp_path / "logs",
        )
        try:
            assert registry.get("web__echo") is not None and registry.get("web__echo").source == "mcp:web"
            assert run(registry, "web__echo", '{"text": "over http"}') == (True, "over http")
            ok, _ = run(registry, "web__fail")
            assert not ok
        finally:
            manager.stop()
        gc.collect()  # an HTTP connection left open would be a ResourceWarning here (an error)
    finally:
        os.environ.pop("PROBE_TOKEN", None)
        server.terminate()
        server.wait(10)


@pytest.mark.parametrize("how", [signal.SIGTERM, signal.SIGINT])
def test_no_server_process_outlives_chatterm(tmp_path: Path, how: signal.Signals) -> None:
    """`ask` is stopped (SIGTERM, or Ctrl-C) while an MCP tool runs: the server ends, and
    so does the helper it started, which a closed stdin would never stop."""
    config = tmp_path / "config.toml"
    config.write_text(
        "[mcp.servers.probe]\n"
        f'command = {json.dumps(sys.executable)}\nargs = [{json.dumps(str(PROBE))}, "--linger"]\n'
        f"env = {{ PROBE_DIR = {json.dumps(str(tmp_path))} }}\n"
    )
    command = [sys.executable, "-m", "chatterm", "--config", str(config), "--history", str(tmp_path / "h.db")]
    command += ["ask", "--demo", "--tools", "mcp:probe", "--yes", "!call probe__slow {}"]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CHATTERM_", "OPENAI_"))}
    chatterm = subprocess.Popen(command, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        marker = tmp_path / "slow.started"
        assert wait_for(marker.exists, 60), chatterm.communicate()[1].decode() if chatterm.poll() is not None else ""
        server_pid = int(marker.read_text())
        helper_pid = int((tmp_path / "linger.pid").read_text())
        assert alive(server_pid) and alive(helper_pid)
        chatterm.send_signal(how)
        chatterm.communicate(timeout=30)
    finally:
        if chatterm.poll() is None:
            chatterm.kill()
            chatterm.communicate()
    assert wait_for(lambda: not alive(server_pid), 10), "the MCP server outlived chatterm"
    assert wait_for(lambda: not alive(helper_pid), 10), "the MCP server's helper outlived chatterm"
