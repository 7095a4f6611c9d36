"""Running `python -m chatterm ...` as a user would, for the command-line tests."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

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
        input=stdin, capture_output=True, text=True, timeout=60, cwd=ROOT,
        env={**os.environ, **(env or {})},
    )
    return Run(done.returncode, done.stdout, done.stderr)


async def achatterm(*args: str, stdin: bytes = b"", env: dict[str, str] | None = None) -> Run:
    """A run that talks to a demo gateway living in the test's own event loop."""
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "chatterm", *args,
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        cwd=ROOT, env={**os.environ, **(env or {})},
    )
    out, err = await asyncio.wait_for(process.communicate(stdin), 60)
    return Run(process.returncode if process.returncode is not None else 0, out.decode(), err.decode())


def gw(gateway: object) -> list[str]:
    """The flags that point a run at `gateway`."""
    return ["--base-url", gateway.base_url, "--api-key", DEMO_API_KEY]  # type: ignore[attr-defined]
