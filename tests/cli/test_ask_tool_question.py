"""`ask`'s y/N tool question shows exactly what will run, and only a deliberate yes runs it.

A scripted loopback server plays a model that disguises its tool call; stdin and
stderr are a real pty, as for a user at a terminal."""

from __future__ import annotations

import asyncio
import io
import json
import os
import sys

import pytest

from chatterm.ask_approval import TOO_SOON, ask_on_terminal
from chatterm.demo import DEMO_API_KEY
from tests.api.conftest import RawServer, Reply, chunk, sse

from .runner import at_the_tool_question

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="needs a pty")

DISGUISED = '{"expression":"1+1"\n,"expression":"6*7"\r' + " " * 30 + "}"
"""Valid JSON: the last duplicate wins, and the CR lets the spaces hide what follows."""


def tool_call_reply(arguments: str) -> Reply:
    call = {"index": 0, "id": "call_1", "type": "function", "function": {"name": "calculator", "arguments": arguments}}
    return Reply([sse(chunk(role="assistant", tool_calls=[call]), chunk(None, finish="tool_calls"))])


@pytest.fixture
async def server():
    server = RawServer()
    await server.start()
    server.script(tool_call_reply(DISGUISED), Reply([sse(chunk("All done."), chunk(None, finish="stop"))]))
    try:
        yield server
    finally:
        await server.stop()


def ask_args(server: RawServer) -> tuple[str, ...]:
    return ("ask", "--base-url", server.base_url, "--api-key", DEMO_API_KEY, "--model", "gpt-4o")


async def finish(process: asyncio.subprocess.Process) -> dict:
    out = await asyncio.wait_for(process.stdout.read(), 30)  # type: ignore[union-attr]
    await asyncio.wait_for(process.wait(), 30)
    return json.loads(out)


async def test_the_question_shows_the_arguments_that_run(server) -> None:
    args = (*ask_args(server), "--no-save", "--json", "--tools", "calculator", "sum")
    async with at_the_tool_question(*args) as (process, master, seen):
        question = seen[seen.index("Run tool") :]
        os.write(master, b"y\r")
        data = await finish(process)
    assert question.startswith('Run tool calculator({"expression": "6*7"})? [y/N]')
    assert "1+1" not in seen and "\r " not in seen
    assert data["tool_results"][0]["output"] == "42"  # what was shown is what ran


async def test_keys_typed_before_the_question_do_not_answer_it(server) -> None:
    import pty

    master, slave = pty.openpty()
    os.write(master, b"y\ry\r")  # typed ahead, before anything asked
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "chatterm",
        *ask_args(server),
        "--no-save",
        "--json",
        "--tools",
        "calculator",
        "sum",
        stdin=slave,
        stdout=asyncio.subprocess.PIPE,
        stderr=slave,
        env={**os.environ, "TERM": "dumb"},
    )
    os.close(slave)
    loop = asyncio.get_running_loop()
    seen = ""
    try:
        while "[y/N]" not in seen:
            seen += (await asyncio.wait_for(loop.run_in_executor(None, os.read, master, 4096), 30)).decode()
        os.write(master, b"n\r")
        data = await finish(process)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
        os.close(master)
    assert data["tool_results"] == []  # denied: the typed-ahead yes was dropped


class AnsweringScreen(io.StringIO):
    """stderr for `ask_on_terminal`: the moment a question is shown, the user's next
    answer arrives on the pty (typed at once, before it could be read)."""

    def __init__(self, master: int, answers: list[bytes]) -> None:
        super().__init__()
        self.master = master
        self.answers = answers

    def flush(self) -> None:
        if self.getvalue().endswith("[y/N] ") and self.answers:
            os.write(self.master, self.answers.pop(0))


@pytest.mark.parametrize(
    ("answers", "expected", "asked"),
    [([b"y\n", b"n\n"], "n\n", 2), ([b"n\n"], "n\n", 1), ([b"\n"], "\n", 1)],
)
def test_a_yes_quicker_than_reading_is_asked_again_and_a_no_counts_at_once(
    monkeypatch: pytest.MonkeyPatch, answers: list[bytes], expected: str, asked: int
) -> None:
    import pty

    master, slave = pty.openpty()
    screen = AnsweringScreen(master, answers)
    with os.fdopen(slave, "r") as terminal:
        monkeypatch.setattr(sys, "stdin", terminal)
        monkeypatch.setattr(sys, "stderr", screen)
        answer = ask_on_terminal("Run tool calculator({}) [y/N] ")
    os.close(master)
    assert answer == expected
    assert screen.getvalue().count("[y/N]") == asked
    assert (TOO_SOON in screen.getvalue()) == (asked == 2)
