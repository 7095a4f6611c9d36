"""The Ctrl keys of the main actions arrive through a real terminal (tmux): Ctrl+S is
not swallowed as flow control nor Ctrl+\\ as SIGQUIT, and message mode shows itself
and ends on a typed letter. A private tmux server (its own socket) with escape-time 0,
so an Esc followed by a letter is not read as Alt+letter. Skipped where tmux is missing."""

from __future__ import annotations

import shutil
import subprocess
import time
import uuid
from pathlib import Path

import pytest

from .tmux_support import chatterm_command

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")


class Pane:
    def __init__(self, socket: str) -> None:
        self.socket = socket

    def tmux(self, *args: str) -> str:
        done = subprocess.run(["tmux", "-L", self.socket, *args], capture_output=True, text=True, check=False)
        return done.stdout

    def keys(self, *names: str, literal: bool = False) -> None:
        self.tmux("send-keys", "-t", "app", *(["-l"] if literal else []), *names)

    def screen(self) -> str:
        return self.tmux("capture-pane", "-p", "-t", "app")

    def wait_for(self, text: str, timeout: float = 15.0) -> str:
        deadline = time.monotonic() + timeout
        while text not in (screen := self.screen()):
            if time.monotonic() > deadline:
                raise AssertionError(f"{text!r} never appeared; the pane shows:\n{screen}")
            time.sleep(0.1)
        return screen

    def wait_gone(self, text: str, timeout: float = 10.0) -> str:
        deadline = time.monotonic() + timeout
        while text in (screen := self.screen()):
            if time.monotonic() > deadline:
                raise AssertionError(f"{text!r} is still shown:\n{screen}")
            time.sleep(0.1)
        return screen


def test_ctrl_keys_and_message_mode_in_a_real_terminal(tmp_path: Path) -> None:
    command = chatterm_command(tmp_path, "--demo")
    pane = Pane(f"chatterm-keys-{uuid.uuid4().hex[:8]}")
    pane.tmux("-f", "/dev/null", "new-session", "-d", "-s", "app", "-x", "120", "-y", "40", command)
    pane.tmux("set-option", "-s", "escape-time", "0")
    try:
        pane.wait_for("Message…")
        for key, setting in (("C-t", "Thinking"), ("C-s", "Search"), ("C-\\", "Stream")):
            pane.keys(key)
            assert "for the next reply" in pane.wait_for(f"{setting} o")
        pane.keys("C-g")
        pane.wait_for("Every key (this list)")  # the help, whatever its length
        pane.keys("Escape")
        pane.wait_gone("Every key (this list)")
        pane.keys("hello", literal=True)
        pane.keys("Enter")
        pane.wait_for("That is all from the demo gateway.")
        pane.keys("Escape")  # the prompt is empty: message mode
        pane.wait_for("MESSAGE MODE")
        pane.keys("z")  # a letter the mode does not use: back to the prompt, typed
        pane.wait_for("▊ z")
        pane.wait_gone("MESSAGE MODE")
    finally:
        pane.tmux("kill-server")
