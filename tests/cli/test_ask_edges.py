"""`chatterm ask` at its edges, as a demanding user drives it: bad flag values, no
gateway, odd stdin, a reader that goes away, terminals and pipes. Real subprocesses
against the demo gateway (on loopback in the test's loop, or `--demo` in the child),
real SQLite history files."""

from __future__ import annotations

import json
import os
import pty
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli.runner import ROOT, Run, gw  # noqa: F401 - Run: for type hints
from tests.cli.runner import achatterm as chatterm


def chats_in(db: Path) -> int:
    if not db.exists():
        return 0
    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT count(*) FROM chats").fetchone()[0]


# --- flag values refused before anything is saved or sent -----------------------------------


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (["--temperature", "3"], "temperature must be between 0 and 2"),
        (["--top-p", "-1"], "top_p must be between 0 and 1"),
        (["--max-tokens", "0"], "max_tokens must be a whole number of at least 1"),
        (["--model", ""], "--model: a model name is required"),
        (["--file", "no-such-file.pdf"], "file no-such-file.pdf: no such file"),
        (["--file", "README.md", "--endpoint", "chat"], "files only on /v1/responses"),
    ],
)
async def test_a_refused_value_leaves_no_failed_chat_in_history(demo_gateway, tmp_path, flags, message) -> None:
    db = tmp_path / "history.db"
    run = await chatterm("--history", str(db), "ask", *gw(demo_gateway), *flags, "hello")
    assert run.code == 2, run.err
    err = run.err.split("\n", 1)[1]  # after the warning that --api-key shows in the process list
    assert err.startswith("chatterm ask: ") and message in err
    assert demo_gateway.requests == []
    assert chats_in(db) == 0  # before: a chat with a "failed" prompt and reply per typo


async def test_a_refused_value_with_json_prints_the_failure_object(demo_gateway, tmp_path) -> None:
    run = await chatterm("--history", str(tmp_path / "h.db"), "ask", *gw(demo_gateway), "--json", "--top-p", "-1", "hi")
    assert run.code == 2
    data = json.loads(run.out)
    assert data["error"]["type"] == "UsageError" and "top_p must be between 0 and 1" in data["error"]["message"]
    assert data["partial_content"] == ""


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (["--max-retries", "-1"], "argument --max-retries: must be at least 0 (got -1)"),
        (["--max-tool-rounds", "-1"], "argument --max-tool-rounds: must be at least 0 (got -1)"),
        (["--schema", "s.json", "--json-object"], "not allowed with argument --schema"),
    ],
)
async def test_negative_counts_and_clashing_flags_are_usage_errors(flags, message) -> None:
    run = await chatterm("ask", "--demo", "--no-save", *flags, "hi")
    assert run.code == 2 and message in run.err
    assert "Traceback" not in run.err


async def test_a_missing_schema_file_is_named_once(tmp_path) -> None:
    run = await chatterm("ask", "--demo", "--no-save", "--schema", str(tmp_path / "s.json"), "hi")
    assert run.code == 2
    assert run.err.count("s.json") == 1, run.err


# --- no gateway -------------------------------------------------------------------------------


async def test_no_gateway_is_a_usage_error_not_a_traceback() -> None:
    run = await chatterm("ask", "hi")
    assert run.code == 2 and "Traceback" not in run.err
    assert "no gateway configured" in run.err and "--demo" in run.err
    run = await chatterm("ask", "--json", "hi")
    assert run.code == 2 and json.loads(run.out)["error"]["type"] == "UsageError"
    run = await chatterm("models")
    assert run.code == 2 and "no gateway configured" in run.err


async def test_demo_honours_an_explicit_api_key() -> None:
    run = await chatterm("ask", "--demo", "--no-save", "--api-key", "bad-key", "hi")
    assert run.code == 1
    assert "Invalid or unauthorized API key" in run.err


async def test_demo_server_refuses_a_port_out_of_range() -> None:
    run = await chatterm("demo-server", "--port", "99999")
    assert run.code == 2 and "argument --port: must be between 0 and 65535" in run.err
    assert "Traceback" not in run.err


# --- stdin ---------------------------------------------------------------------------------------


async def test_stdin_that_is_not_utf8_is_refused_clearly(demo_gateway, tmp_path) -> None:
    db = tmp_path / "history.db"
    run = await chatterm("--history", str(db), "ask", *gw(demo_gateway), "what is this", stdin=b"caf\xe9 au lait")
    assert run.code == 2 and "Traceback" not in run.err
    assert "stdin is not UTF-8 text (byte 0xe9 at offset 3)" in run.err
    assert demo_gateway.requests == [] and chats_in(db) == 0


async def test_the_newline_echo_adds_is_not_part_of_the_prompt(demo_gateway) -> None:
    run = await chatterm("ask", *gw(demo_gateway), "--no-save", stdin=b"What is WAL?\n")
    assert run.code == 0, run.err
    assert demo_gateway.requests[-1].body["messages"][-1]["content"] == "What is WAL?"


def test_dash_on_a_terminal_reads_what_the_user_types(tmp_path) -> None:
    """`chatterm ask -` with stdin on a terminal: read it until Ctrl-D (no prompt at all
    on a terminal stays a usage error)."""
    master, slave = pty.openpty()
    try:
        process = subprocess.Popen(
            [sys.executable, "-m", "chatterm", "ask", "--demo", "--no-save", "--json", "-"],
            stdin=slave,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            cwd=ROOT,
        )
        os.write(master, b"typed at the terminal\n\x04")
        out, err = process.communicate(timeout=60)
    finally:
        os.close(slave)
        os.close(master)
    assert process.returncode == 0, err.decode()
    assert "Ctrl-D" in err.decode()
    assert "typed at the terminal" in json.loads(out)["content"]


# --- a reader that goes away ---------------------------------------------------------------------


def test_a_closed_pipe_stops_the_reply_quietly_and_keeps_it(tmp_path) -> None:
    """`chatterm ask ... | head -c 200`: no traceback, the SIGPIPE status, the reply
    saved as stopped with what had been written."""
    db = tmp_path / "history.db"
    process = subprocess.Popen(
        [sys.executable, "-m", "chatterm", "--history", str(db), "ask", "--demo", "go !tokens=3000 !rate=400"],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=ROOT,
    )
    assert process.stdout is not None and process.stderr is not None
    head = process.stdout.read(200)
    process.stdout.close()
    err = process.stderr.read().decode()
    process.stderr.close()
    process.wait(timeout=60)
    assert head.startswith(b"## Section 1")
    assert process.returncode == 141, err
    assert err == ""
    with sqlite3.connect(db) as conn:
        state, content = conn.execute("SELECT state, content FROM messages WHERE role = 'assistant'").fetchone()
    assert state == "stopped" and content.startswith("## Section 1")
    assert len(content) < 3000 * 3  # stopped early, not run to the end


# --- what goes where -----------------------------------------------------------------------------


async def test_zero_tool_rounds_prints_the_calls_in_plain_mode_too(demo_gateway) -> None:
    run = await chatterm("ask", *gw(demo_gateway), "--no-save", "--tools", "all", "--max-tool-rounds", "0", "!parallel")
    assert run.code == 0, run.err
    assert run.out.splitlines() == ['current_time({"timezone": "UTC"})', 'calculator({"expression": "6*7"})']
    assert "not run (--max-tool-rounds 0)" in run.err


async def test_sources_stay_with_the_answer_in_a_pipe(demo_gateway) -> None:
    run = await chatterm("ask", *gw(demo_gateway), "--no-save", "--model", "qwen3-coder-plus", "--search", "sqlite wal")
    assert run.code == 0, run.err
    assert "[1], [2], [3]" in run.out
    sources = run.out[run.out.index("Sources:") :]
    assert "[1] https://" in sources and "[3] https://" in sources
    assert "Sources:" not in run.err


def test_no_color_turns_off_the_dim_reasoning_on_a_terminal() -> None:
    def reasoning_on_a_terminal(env: dict[str, str]) -> bytes:
        master, slave = pty.openpty()
        try:
            process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "chatterm",
                    "ask",
                    "--demo",
                    "--no-save",
                    "--thinking",
                    "--model",
                    "deepseek-r1",
                    "hi",
                ],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=slave,
                cwd=ROOT,
                env={**os.environ, **env},
            )
            os.close(slave)
            chunks = []
            while True:
                try:
                    chunk = os.read(master, 4096)
                except OSError:
                    break
                if not chunk:
                    break
                chunks.append(chunk)
            process.wait(timeout=60)
        finally:
            os.close(master)
        return b"".join(chunks)

    plain = reasoning_on_a_terminal({"NO_COLOR": "1"})
    assert b"The user wrote" in plain and b"\x1b[" not in plain
    dimmed = reasoning_on_a_terminal({"NO_COLOR": "", "TERM": "xterm"})
    assert b"\x1b[2m" in dimmed


async def test_continue_and_chat_together_are_refused(tmp_path: Path) -> None:
    run = await chatterm("ask", "--demo", "--history", str(tmp_path / "h.db"), "-c", "--chat", "abc", "hi")
    assert run.code == 2 and "not allowed with argument --continue" in run.err
    assert chats_in(tmp_path / "h.db") == 0
