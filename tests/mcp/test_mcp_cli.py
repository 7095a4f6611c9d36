"""`chatterm tools list/run`, `--mcp-config`, and `ask --tools` with MCP tools on the demo
gateway: the issue's Done-when, run as a user runs it (a subprocess)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.mcp.conftest import PROBE

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def setup(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("cli")
    (folder / "config.toml").write_text(
        "[mcp.servers.time]\n"
        f"command = {json.dumps(sys.executable)}\n"
        'args = ["-m", "mcp_server_time", "--local-timezone", "UTC"]\n'
        'env = { TZ = "UTC" }\n'
    )
    return folder


def chatterm(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CHATTERM_", "OPENAI_"))}
    command = [sys.executable, "-m", "chatterm", "--config", str(folder / "config.toml")]
    command += ["--history", str(folder / "history.db"), *args]
    return subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True, timeout=120)


def test_tools_list_json_shows_the_time_servers_tool(setup: Path) -> None:
    done = chatterm(setup, "tools", "list", "--json")
    assert done.returncode == 0, done.stderr
    listing = json.loads(done.stdout)
    rows = {row["name"]: row for row in listing["tools"]}
    assert rows["time__get_current_time"]["source"] == "mcp:time"
    assert rows["time__get_current_time"]["approval"] == "ask" and rows["time__get_current_time"]["read_only"]
    assert rows["current_time"]["source"] == "builtin"
    assert listing["servers"] == [{"source": "mcp:time", "state": "ready", "detail": ""}]
    assert (setup / "mcp-logs" / "time.log").exists()  # stderr went to the log, not the screen


def test_tools_run_prints_one_result(setup: Path) -> None:
    done = chatterm(setup, "tools", "run", "time__get_current_time", "--args", '{"timezone": "Asia/Tokyo"}')
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["timezone"] == "Asia/Tokyo"
    done = chatterm(setup, "tools", "run", "time__nope")
    assert done.returncode == 2 and "no tool named 'time__nope'" in done.stderr


def test_ask_on_the_demo_calls_an_mcp_tool_with_call(setup: Path) -> None:
    prompt = '!call time__get_current_time {"timezone":"Asia/Tokyo"}'
    done = chatterm(setup, "ask", "--demo", "--tools", "all", "--yes", prompt, "--json")
    assert done.returncode == 0, done.stderr
    reply = json.loads(done.stdout)
    [result] = reply["tool_results"]
    assert result["name"] == "time__get_current_time" and result["ok"] and "Asia/Tokyo" in result["output"]
    assert "Asia/Tokyo" in reply["content"]


def test_ask_tools_takes_a_whole_server_and_refuses_unknown_names(setup: Path) -> None:
    done = chatterm(setup, "ask", "--demo", "--tools", "mcp:time", "--yes", "!call time__convert_time {}", "--json")
    assert done.returncode == 0, done.stderr
    [result] = json.loads(done.stdout)["tool_results"]
    assert not result["ok"] and "missing required argument" in result["output"]
    done = chatterm(setup, "ask", "--demo", "--tools", "mcp:nope", "hi")
    assert done.returncode == 2 and "unknown tool(s): mcp:nope" in done.stderr


def test_mcp_config_takes_a_claude_desktop_file(tmp_path: Path) -> None:
    servers = tmp_path / "claude_desktop_config.json"
    probe = {"command": sys.executable, "args": [str(PROBE)], "env": {"PROBE_DIR": str(tmp_path)}}
    servers.write_text(json.dumps({"mcpServers": {"probe": probe}}))
    (tmp_path / "config.toml").write_text("")
    done = chatterm(tmp_path, "--mcp-config", str(servers), "tools", "run", "probe__echo", "--args", '{"text": "hi"}')
    assert (done.returncode, done.stdout) == (0, "hi\n"), done.stderr
    servers.write_text(json.dumps({"mcpServers": {"probe": {"command": 3}}}))
    done = chatterm(tmp_path, "--mcp-config", str(servers), "tools", "list")
    assert done.returncode == 2 and "server 'probe': command must be a non-empty string" in done.stderr


def test_tools_safe_may_name_an_mcp_tool(tmp_path: Path) -> None:
    time_table = (
        "[mcp.servers.time]\n"
        f"command = {json.dumps(sys.executable)}\n"
        'args = ["-m", "mcp_server_time", "--local-timezone", "UTC"]\n'
    )
    prompt = '!call time__get_current_time {"timezone":"Asia/Tokyo"}'
    (tmp_path / "config.toml").write_text(time_table)
    asked = chatterm(tmp_path, "ask", "--demo", "--tools", "mcp:time", prompt, "--json")
    assert json.loads(asked.stdout)["tool_results"] == []  # no terminal to ask: denied
    assert "denied tool call time__get_current_time" in asked.stderr
    (tmp_path / "config.toml").write_text('[tools]\nsafe = ["time__get_current_time"]\n' + time_table)
    unasked = chatterm(tmp_path, "ask", "--demo", "--tools", "mcp:time", prompt, "--json")
    assert unasked.returncode == 0 and "chatterm:" not in unasked.stderr, unasked.stderr
    [result] = json.loads(unasked.stdout)["tool_results"]
    assert result["ok"] and "Asia/Tokyo" in result["output"]
