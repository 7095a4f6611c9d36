"""`chatterm ask` and `chatterm models` end to end, as subprocesses."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
from dataclasses import dataclass

from chatterm.demo import BAD_API_KEY, DEMO_API_KEY


@dataclass
class Run:
    code: int
    out: str
    err: str


async def chatterm(*args: str, stdin: str | None = None, env: dict | None = None, timeout: float = 30) -> Run:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "chatterm",
        *args,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env={**os.environ, **(env or {})},
    )
    out, err = await asyncio.wait_for(process.communicate(stdin.encode() if stdin is not None else b""), timeout)
    return Run(process.returncode, out.decode(), err.decode())


def gw_args(gateway, key: str = DEMO_API_KEY) -> list[str]:
    return ["--base-url", gateway.base_url, "--api-key", key]


async def test_ask_streams_plain_text_in_a_pipe(demo_gateway) -> None:
    run = await chatterm("ask", *gw_args(demo_gateway), "--no-save", "Tell me about tea")
    assert run.code == 0, run.err
    assert "tea" in run.out.lower()
    assert "\x1b[" not in run.out  # plain text in a pipe
    body = demo_gateway.requests[-1].body
    assert body["stream"] is True and body["stream_options"] == {"include_usage": True}


async def test_ask_json_contract(demo_gateway) -> None:
    run = await chatterm("ask", *gw_args(demo_gateway), "--no-save", "--json", "hello there")
    assert run.code == 0, run.err
    data = json.loads(run.out)
    assert set(data) >= {"model", "content", "reasoning", "tool_calls", "finish_reason", "usage", "citations"}
    assert data["model"] == "gpt-4o-mini" and data["content"] and data["reasoning"] is None
    assert data["finish_reason"] == "stop" and data["tool_calls"] == []
    assert set(data["usage"]) == {
        "prompt_tokens",
        "completion_tokens",
        "total_tokens",
        "reasoning_tokens",
        "cached_tokens",
    }


async def test_stdin_is_appended_to_the_prompt(demo_gateway) -> None:
    run = await chatterm("ask", *gw_args(demo_gateway), "--no-save", "Summarise this:", stdin="line one\nline two\n")
    assert run.code == 0, run.err
    sent = demo_gateway.requests[-1].body["messages"][-1]["content"]
    assert sent == "Summarise this:\n\nline one\nline two"


async def test_stdin_alone_is_the_prompt_and_flags_shape_the_request(demo_gateway) -> None:
    run = await chatterm(
        "ask",
        *gw_args(demo_gateway),
        "--no-save",
        "--system",
        "Be brief",
        "--temperature",
        "0.3",
        "--top-p",
        "0.9",
        "--max-tokens",
        "50",
        "--no-stream",
        "-",
        stdin="What is WAL?",
    )
    assert run.code == 0, run.err
    body = demo_gateway.requests[-1].body
    assert body["messages"] == [{"role": "system", "content": "Be brief"}, {"role": "user", "content": "What is WAL?"}]
    assert (body["temperature"], body["top_p"], body["max_tokens"], body["stream"]) == (0.3, 0.9, 50, False)


async def test_out_of_range_value_is_refused_before_sending(demo_gateway) -> None:
    run = await chatterm("ask", *gw_args(demo_gateway), "--no-save", "--temperature", "3", "hi")
    assert run.code == 2
    assert "temperature must be between 0 and 2" in run.err
    assert demo_gateway.requests == []


async def test_empty_prompt_is_a_usage_error(demo_gateway) -> None:
    run = await chatterm("ask", *gw_args(demo_gateway), "--no-save", stdin="")
    assert run.code == 2 and "empty" in run.err


async def test_bad_key_prints_the_table_message(demo_gateway) -> None:
    run = await chatterm("ask", *gw_args(demo_gateway, BAD_API_KEY), "--no-save", "hi")
    assert run.code == 1
    err = run.err.split("\n", 1)[1]  # after the warning that --api-key shows in the process list
    assert "process list" in run.err and err.startswith("Error: Invalid or unauthorized API key")
    assert BAD_API_KEY not in run.err


async def test_unknown_model_json_error(demo_gateway) -> None:
    run = await chatterm("ask", *gw_args(demo_gateway), "--no-save", "--json", "--model", "no-such-model", "hi")
    assert run.code == 1
    data = json.loads(run.out)
    assert data["error"]["type"] == "NotFoundError"
    assert data["error"]["message"] == "Error: Model no-such-model does not exist or is not supported"
    assert data["error"]["status"] == 404 and data["partial_content"] == ""


async def test_error_inside_the_stream_keeps_partial_content(demo_gateway) -> None:
    run = await chatterm("ask", *gw_args(demo_gateway), "--no-save", "--json", "--max-retries", "0", "!error")
    assert run.code == 1
    data = json.loads(run.out)
    assert data["error"]["type"] and data["partial_content"]


async def test_tools_all_yes_runs_them(demo_gateway) -> None:
    run = await chatterm(
        "ask", *gw_args(demo_gateway), "--no-save", "--json", "--tools", "all", "--yes", "calculate 2+3*4"
    )
    assert run.code == 0, run.err
    data = json.loads(run.out)
    assert data["tool_results"] == [
        {"id": data["tool_results"][0]["id"], "name": "calculator", "ok": True, "output": "14"}
    ]
    assert "14" in data["content"] and data["tool_calls"] == []


async def test_tools_in_a_pipe_without_yes_are_denied(demo_gateway) -> None:
    run = await chatterm("ask", *gw_args(demo_gateway), "--no-save", "--tools", "calculator", "calculate 2+3")
    assert run.code == 0, run.err
    assert "denied" in run.err
    tool_message = demo_gateway.requests[-1].body["messages"][-1]
    assert tool_message["role"] == "tool" and "declined" in tool_message["content"]


async def test_zero_tool_rounds_returns_the_calls(demo_gateway) -> None:
    run = await chatterm(
        "ask", *gw_args(demo_gateway), "--no-save", "--json", "--tools", "all", "--max-tool-rounds", "0", "!parallel"
    )
    assert run.code == 0, run.err
    data = json.loads(run.out)
    assert data["content"] == "" and data["finish_reason"] == "tool_calls"
    assert [c["name"] for c in data["tool_calls"]] == ["current_time", "calculator"]
    assert isinstance(data["tool_calls"][1]["arguments"], dict)
    assert data["tool_results"] == []  # offered, none ran


async def test_unknown_tool_name_is_a_usage_error(demo_gateway) -> None:
    run = await chatterm("ask", *gw_args(demo_gateway), "--no-save", "--tools", "nope", "hi")
    assert run.code == 2 and "nope" in run.err and "calculator" in run.err


async def test_models_json(demo_gateway) -> None:
    run = await chatterm("models", *gw_args(demo_gateway), "--json")
    assert run.code == 0, run.err
    models = json.loads(run.out)
    assert "gpt-4o-mini" in models and "claude-opus-4-6" in models


async def test_demo_flag_needs_no_key_or_network() -> None:
    run = await chatterm("ask", "--demo", "--no-save", "hello demo")
    assert run.code == 0, run.err
    assert "hello" in run.out.lower()


async def test_ctrl_c_stops_cleanly_and_keeps_what_arrived(demo_gateway, tmp_path) -> None:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "chatterm",
        "--history",
        str(tmp_path / "h.db"),
        "ask",
        *gw_args(demo_gateway),
        "!stall",
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    first = await asyncio.wait_for(process.stdout.read(20), 15)
    assert first
    process.send_signal(signal.SIGINT)
    rest, err = await asyncio.wait_for(process.communicate(), 15)
    assert process.returncode == 130, err.decode()
    assert len(first + rest) >= len(first)
    assert "Traceback" not in err.decode()


async def test_ask_saves_and_continues_a_chat(demo_gateway, tmp_path) -> None:
    db = str(tmp_path / "history.db")
    run = await chatterm("--history", db, "ask", *gw_args(demo_gateway), "first question")
    assert run.code == 0, run.err
    run = await chatterm("--history", db, "ask", *gw_args(demo_gateway), "--continue", "second question")
    assert run.code == 0, run.err
    messages = demo_gateway.requests[-1].body["messages"]
    assert [m["role"] for m in messages] == ["user", "assistant", "user"]
    assert messages[0]["content"] == "first question"


async def test_continue_keeps_the_chats_toggles_unless_flags_say_otherwise(demo_gateway, tmp_path) -> None:
    db = str(tmp_path / "history.db")
    run = await chatterm(
        "--history", db, "ask", *gw_args(demo_gateway), "--model", "deepseek-v3", "--thinking", "first"
    )
    assert run.code == 0, run.err
    run = await chatterm("--history", db, "ask", *gw_args(demo_gateway), "--continue", "second")
    assert run.code == 0, run.err
    body = demo_gateway.requests[-1].body
    assert body["model"] == "deepseek-v3" and body["thinking"] == {"type": "enabled"}
