"""The real `python -m chatterm --demo` in a tmux pane: type a prompt with send-keys,
read the streamed reply back with capture-pane. Skipped where tmux is missing.

HOME and the XDG dirs point into the test's temp dir, so no real config or history is
read or written.
"""

from __future__ import annotations

import shutil
import subprocess
import time
import uuid
from pathlib import Path

import pytest

from .tmux_support import chatterm_command

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")


def capture(session: str) -> str:
    return subprocess.run(
        ["tmux", "capture-pane", "-p", "-t", session], capture_output=True, text=True, check=False
    ).stdout


def wait_for(session: str, text: str, timeout: float = 15.0) -> str:
    deadline = time.monotonic() + timeout
    screen = ""
    while time.monotonic() < deadline:
        screen = capture(session)
        if text in screen:
            return screen
        time.sleep(0.1)
    raise AssertionError(f"{text!r} never appeared; the pane shows:\n{screen}")


def test_demo_app_in_tmux(tmp_path: Path) -> None:
    command = chatterm_command(tmp_path, "--demo")
    session = f"chatterm-test-{uuid.uuid4().hex[:8]}"
    subprocess.run(
        ["tmux", "new-session", "-d", "-s", session, "-x", "100", "-y", "60", command],
        check=True,
        cwd=tmp_path,
    )
    try:
        wait_for(session, "Message…")
        wait_for(session, "on the built-in demo gateway")  # the welcome panel
        subprocess.run(["tmux", "send-keys", "-t", session, "-l", "hello from tmux"], check=True)
        subprocess.run(["tmux", "send-keys", "-t", session, "Enter"], check=True)
        screen = wait_for(session, "That is all from the demo gateway.")
        assert "Echo: hello from tmux" in screen
        assert "glm-5" in screen  # the demo's default model thinks and searches
        assert "Thought for" in screen and "Sources" in screen
        assert "on the built-in demo gateway" not in screen  # the welcome left with the first message
        subprocess.run(["tmux", "send-keys", "-t", session, "C-q"], check=True)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            alive = subprocess.run(["tmux", "has-session", "-t", session], capture_output=True, check=False)
            if alive.returncode != 0:
                break
            time.sleep(0.1)
        else:
            raise AssertionError("chatterm did not quit on Ctrl+Q")
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True, check=False)
    assert (tmp_path / "home/.local/share/chatterm/history.db").exists()  # the chat was saved
