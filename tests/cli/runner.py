"""Running `python -m chatterm ...` as a user would, for the command-line tests."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from chatterm.ask_approval import ARM_SECONDS
from chatterm.demo import DEMO_API_KEY

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Run:
    code: int
    out: str
    err: str


def chatterm(*args: str, stdin: str = "", env: dict[str, str] | None = None) -> Run:
    """A blocking run, for commands that need no gateway."""
    done = subprocess.run(
        [sys.executable, "-m", "chatterm", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
        env={**os.environ, **(env or {})},
    )
    return Run(done.returncode, done.stdout, done.stderr)


async def achatterm(*args: str, stdin: bytes = b"", env: dict[str, str] | None = None) -> Run:
    """A run that talks to a demo gateway living in the test's own event loop."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "chatterm",
        *args,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        cwd=ROOT,
        env={**os.environ, **(env or {})},
    )
    out, err = await asyncio.wait_for(process.communicate(stdin), 60)
    return Run(process.returncode if process.returncode is not None else 0, out.decode(), err.decode())


def gw(gateway: object) -> list[str]:
    """The flags that point a run at `gateway`."""
    return ["--base-url", gateway.base_url, "--api-key", DEMO_API_KEY]  # type: ignore[attr-defined]


@asynccontextmanager
async def at_the_tool_question(*args: str) -> AsyncIterator[tuple[asyncio.subprocess.Process, int, str]]:
    """`python -m chatterm ask ...` with stdin and stderr on a pty (stdout a pipe), run
    until it asks `[y/N]`: yields (process, the pty's master fd, what it printed so far)."""
    import pty  # POSIX only, and only these tests need it

    master, slave = pty.openpty()
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "chatterm",
        *args,
        stdin=slave,
        stdout=asyncio.subprocess.PIPE,
        stderr=slave,
        cwd=ROOT,
        env={**os.environ, "TERM": "dumb"},
    )
    os.close(slave)
    loop = asyncio.get_running_loop()
    seen = ""
    try:
        while "[y/N]" not in seen:
            chunk = await asyncio.wait_for(loop.run_in_executor(None, os.read, master, 4096), 30)
            if not chunk:
                break
            seen += chunk.decode(errors="replace")
        assert "[y/N]" in seen, seen
        # A yes is taken only once the question has been on screen for ARM_SECONDS (a
        # quicker one was typed before it could be read): answer as a reader would.
        await asyncio.sleep(ARM_SECONDS + 0.25)  # (+ a margin for a loaded machine)
        yield process, master, seen
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
        os.close(master)
