"""The Ctrl keys of the main actions arrive through a real terminal (tmux): Ctrl+S is
not swallowed as flow control nor Ctrl+\\ as SIGQUIT, and message mode shows itself.
Skipped where tmux is missing."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from .test_tmux import ROOT, capture, wait_for

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")


def keys(session: str, *names: str, literal: bool = False) -> None:
    subprocess.run(["tmux", "send-keys", "-t", session, *(["-l"] if literal else []), *names], check=True)


def gone(session: str, text: str, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while text in capture(session):
        if time.monotonic() > deadline:
            raise AssertionError(f"{text!r} is still shown:\n{capture(session)}")
        time.sleep(0.1)


def test_ctrl_keys_and_message_mode_in_a_real_terminal(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    env = {
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "XDG_DATA_HOME": str(home / ".local/share"),
        "XDG_CACHE_HOME": str(home / ".cache"),
        "PYTHONPATH": str(ROOT),
        "TERM": "xterm-256color",
        "PATH": os.environ.get("PATH", ""),
    }
    command = " ".join([f"{k}={v!r}" for k, v in env.items()] + [sys.executable, "-m", "chatterm", "--demo"])
    session = f"chatterm-keys-{uuid.uuid4().hex[:8]}"
    subprocess.run(
        ["tmux", "new-session", "-d", "-s", session, "-x", "120", "-y", "40", f"env -i {command}"],
        check=True,
        cwd=tmp_path,
    )
    try:
        wait_for(session, "Message…")
        for key, setting in (("C-t", "Thinking"), ("C-s", "Search"), ("C-\\", "Stream")):
            keys(session, key)
            screen = wait_for(session, f"{setting} o")
            assert "for the next reply" in screen
        keys(session, "C-g")
        wait_for(session, "Message mode: copy the message")
        keys(session, "Escape")
        gone(session, "F1 / Esc close")  # a letter right behind Esc would read as Alt+letter
        keys(session, "hello", literal=True)
        keys(session, "Enter")
        wait_for(session, "That is all from the demo gateway.")
        keys(session, "Escape")  # the prompt is empty: message mode
        wait_for(session, "MESSAGE MODE")
        keys(session, "z")  # a letter the mode does not use: back to the prompt, typed
        gone(session, "MESSAGE MODE")
        assert "▊ z" in capture(session)
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True, check=False)
