"""A hostile gateway for the terminal-safety tests: replies full of control sequences.

The scripted loopback server of the API tests (`tests/api/conftest.py`) sends the
bytes; these helpers say what a model or gateway that means harm would send, and run
`chatterm ask` with its output on a real pty so the test reads what a terminal gets.
"""

from __future__ import annotations

import asyncio
import os
import sys
from dataclasses import dataclass

from tests.api.conftest import Reply, chunk, sse
from tests.cli.runner import ROOT

CLIPBOARD = "\x1b]52;c;aGVsbG8=\x07"
TITLE = "\x1b]0;pwned\x07"
WIPE = "\x1b[2J"
C1_WIPE = "\x9b2J"
INJECTED = (CLIPBOARD, TITLE, WIPE, C1_WIPE)
"""What must never reach the terminal: clipboard write, window title, screen wipe."""
HOSTILE = f"Hello {CLIPBOARD} and {TITLE} then {WIPE} and {C1_WIPE} bye"


def injected_in(output: bytes) -> list[str]:
    """The injected sequences that reached the terminal (the app's own styling is SGR
    and cursor moves, never these)."""
    return [seq for seq in INJECTED if seq.encode() in output]


def hostile_stream() -> Reply:
    """A streamed reply whose content, reasoning and citation title carry the attack."""
    return Reply(
        [
            sse(
                chunk(role="assistant", reasoning_content=f"thinking {TITLE} hard"),
                chunk(HOSTILE),
                {
                    **chunk(None, finish="stop"),
                    "citations": [],
                    "search_results": [{"title": f"Src {TITLE}", "url": "https://example.com/a"}],
                },
            )
        ]
    )


@dataclass
class TerminalRun:
    code: int
    output: bytes
    """Everything written to the terminal (stdout and stderr share it)."""


async def ask_on_a_pty(*args: str, env: dict[str, str] | None = None) -> TerminalRun:
    """`python -m chatterm ask ...` with stdin, stdout and stderr all on one pty."""
    import pty

    master, slave = pty.openpty()
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "chatterm",
        "ask",
        *args,
        stdin=slave,
        stdout=slave,
        stderr=slave,
        cwd=ROOT,
        env={**os.environ, "TERM": "xterm-256color", "COLUMNS": "100", "LINES": "40", **(env or {})},
    )
    os.close(slave)
    loop = asyncio.get_running_loop()
    output = b""
    try:
        while True:
            try:
                data = await asyncio.wait_for(loop.run_in_executor(None, os.read, master, 65536), 60)
            except OSError:  # EIO: the child closed the pty
                break
            if not data:
                break
            output += data
        code = await asyncio.wait_for(process.wait(), 30)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
        os.close(master)
    return TerminalRun(code, output)
