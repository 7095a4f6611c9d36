"""`chatterm ask --tools` as a tool author runs it: a sync tool stuck past the timeout
does not keep the command from ending; a tool file that failed to load is named before
"unknown tool"; Ctrl-C at the y/N question ends the command without waiting for Enter."""

from __future__ import annotations

import asyncio
import json
import signal
import sys
from pathlib import Path

import pytest

from .runner import achatterm, at_the_tool_question, gw

STUCK_TOOL = '''
import threading
from chatterm.tools import tool

@tool
def stuck_search(query: str) -> str:
    """Search, but never come back."""
    threading.Event().wait()
    return query
'''


def config_with(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(body, encoding="utf-8")
    return path


async def test_a_stuck_sync_tool_times_out_and_the_command_still_ends(demo_gateway, tmp_path) -> None:
    (tmp_path / "stuck.py").write_text(STUCK_TOOL, encoding="utf-8")
    config = config_with(tmp_path, f'[tools]\nfiles = ["{tmp_path / "stuck.py"}"]\ntimeout = 0.5\n')
    # Before the fix the stuck worker thread was joined at exit: the run never ended.
    run = await achatterm(
        "ask",
        *gw(demo_gateway),
        "--config",
        str(config),
        "--no-save",
        "--json",
        "--tools",
        "stuck_search",
        "--yes",
        "search the latest news",
    )
    assert run.code == 0, run.err
    data = json.loads(run.out)
    assert [(r["name"], r["ok"]) for r in data["tool_results"]] == [("stuck_search", False)]
    assert "timed out after 0.5 s" in data["tool_results"][0]["output"]


async def test_a_tool_file_that_failed_is_named_before_unknown_tool(demo_gateway, tmp_path) -> None:
    config = config_with(tmp_path, '[tools]\nfiles = ["~/my_tools.py"]\n')
    run = await achatterm("ask", *gw(demo_gateway), "--config", str(config), "--no-save", "--tools", "weather", "hi")
    assert run.code == 2
    assert "tool file ~/my_tools.py not found" in run.err
    assert run.err.index("my_tools.py") < run.err.index("unknown tool(s): weather")


@pytest.mark.skipif(sys.platform == "win32", reason="needs a pty")
async def test_ctrl_c_at_the_question_ends_the_command(demo_gateway) -> None:
    args = ("ask", *gw(demo_gateway), "--no-save", "--tools", "calculator", "calculate 6*7")
    async with at_the_tool_question(*args) as (process, _master, _seen):
        process.send_signal(signal.SIGINT)
        # Before the fix the question's reader thread held the process until Enter.
        code = await asyncio.wait_for(process.wait(), 30)
    assert code == 130
