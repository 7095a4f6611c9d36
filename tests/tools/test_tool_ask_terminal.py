"""`chatterm ask --tools` without `--yes` on a terminal asks y/N on stderr (a real pty for
stdin and stderr, stdout a pipe), and the answer decides whether the call runs."""

from __future__ import annotations

import asyncio
import json
import os
import sys

import pytest

from chatterm.demo import DEMO_API_KEY
from tests.cli.runner import at_the_tool_question


async def ask_on_a_terminal(gateway, answer: str, prompt: str) -> tuple[int, dict, str]:
    args = (
        "ask",
        "--base-url",
        gateway.base_url,
        "--api-key",
        DEMO_API_KEY,
        "--no-save",
        "--json",
        "--tools",
        "calculator",
        prompt,
    )
    async with at_the_tool_question(*args) as (process, master, seen):
        os.write(master, answer.encode() + b"\r")
        out = await asyncio.wait_for(process.stdout.read(), 30)  # type: ignore[union-attr]
        code = await asyncio.wait_for(process.wait(), 30)
    return code, json.loads(out), seen


@pytest.mark.skipif(sys.platform == "win32", reason="needs a pty")
async def test_yes_on_the_terminal_runs_the_call(demo_gateway) -> None:
    code, data, seen = await ask_on_a_terminal(demo_gateway, "y", "calculate 6*7")
    assert code == 0
    assert "Run tool calculator(" in seen and "6*7" in seen
    assert data["tool_results"] == [
        {"id": data["tool_results"][0]["id"], "name": "calculator", "ok": True, "output": "42"}
    ]


@pytest.mark.skipif(sys.platform == "win32", reason="needs a pty")
async def test_anything_but_yes_denies(demo_gateway) -> None:
    code, data, _seen = await ask_on_a_terminal(demo_gateway, "", "calculate 6*7")
    assert code == 0
    assert data["tool_results"] == []  # a denied call does not run
    tool_message = demo_gateway.requests[-1].body["messages"][-1]
    assert tool_message["role"] == "tool" and "declined" in tool_message["content"]
