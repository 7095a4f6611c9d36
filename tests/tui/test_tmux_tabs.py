"""The tab keys arrive through a real terminal (tmux): Alt+T opens a tab, Ctrl+PgUp and
Ctrl+PgDn switch, Alt+W closes, and a reply keeps streaming in the tab left behind.
A private tmux server with escape-time 0 (as in test_tmux_keys.py). Skipped where tmux
is missing."""

from __future__ import annotations

import shutil
import uuid
from pathlib import Path

import pytest

from .test_tmux_keys import Pane
from .tmux_support import chatterm_command

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")


def test_tab_keys_in_a_real_terminal(tmp_path: Path) -> None:
    command = chatterm_command(tmp_path, "--demo")
    pane = Pane(f"chatterm-tabs-{uuid.uuid4().hex[:8]}")
    pane.tmux("-f", "/dev/null", "new-session", "-d", "-s", "app", "-x", "120", "-y", "40", command)
    pane.tmux("set-option", "-s", "escape-time", "0")
    try:
        pane.wait_for("Message…")
        pane.keys("first tab", literal=True)
        pane.keys("Enter")
        pane.wait_for("That is all from the demo gateway.")
        pane.keys("M-t")
        screen = pane.wait_for("2 New chat")
        assert "1 first tab" in screen and "That is all from the demo gateway." not in screen
        pane.keys("C-PPage")  # Ctrl+PgUp: back to the first tab
        pane.wait_for("That is all from the demo gateway.")
        pane.keys("C-NPage")  # Ctrl+PgDn: the second again
        pane.wait_gone("That is all from the demo gateway.")
        pane.keys("M-w")  # an idle tab closes without asking; one tab left: no strip
        pane.wait_for("That is all from the demo gateway.")
        pane.wait_gone("2 New chat")
    finally:
        pane.tmux("kill-server")
