"""`ask` on a terminal: Markdown rendered progressively, every block printed once."""

from __future__ import annotations

import os
import pty
import re
import sys


def run_in_pty(args: list[str]) -> str:
    pid, fd = pty.fork()
    if pid == 0:  # pragma: no cover - the child
        os.execv(sys.executable, [sys.executable, "-m", "chatterm", *args])
    out = b""
    while True:
        try:
            chunk = os.read(fd, 65536)
        except OSError:
            break
        if not chunk:
            break
        out += chunk
    os.waitpid(pid, 0)
    return re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", out.decode(errors="replace"))


def test_ask_on_a_terminal_renders_markdown_and_prints_every_block_once() -> None:
    from chatterm.demo.text import bench_tokens

    sent = "".join(bench_tokens(600))
    screen = run_in_pty(["ask", "--demo", "--no-save", "!tokens=600"])
    assert "## Section" not in screen and "```" not in screen  # rendered, not raw
    for line in ("Section 2", "first item of list 2", "def block_2(x):"):
        assert screen.count(line) == sent.count(line) > 0, line
