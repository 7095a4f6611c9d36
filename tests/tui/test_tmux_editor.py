"""The prompt in `$EDITOR` in a real terminal (tmux): Alt+E hands the terminal to the
editor (the app leaves its screen, the editor's output shows and it reads the keyboard),
and when the editor ends the app comes back whole, with the edited text in the prompt box,
and takes keys again; the same for an earlier prompt being edited (message mode's `e`,
then Ctrl+_). The editor is a small script that prints a line, waits for Enter and
rewrites the file. A private tmux server with escape-time 0. Skipped where tmux is missing."""

from __future__ import annotations

import shlex
import shutil
import sys
import uuid
from pathlib import Path

import pytest

from .test_tmux_keys import Pane
from .tmux_support import chatterm_command

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")

EDITOR_SCRIPT = """\
import sys
path = sys.argv[-1]
text = open(path, encoding="utf-8").read()
print("FAKE EDITOR on the terminal; Enter to save")
sys.stdin.readline()
with open(path, "w", encoding="utf-8") as out:
    out.write(text.upper() + " via editor\\n")
"""


def test_the_editor_takes_the_terminal_and_gives_it_back(tmp_path: Path) -> None:
    script = tmp_path / "fake_editor.py"
    script.write_text(EDITOR_SCRIPT)
    editor = f"{shlex.quote(sys.executable)} {shlex.quote(str(script))}"
    temp = tmp_path / "tmp"
    temp.mkdir()
    env = {"EDITOR": editor, "TMPDIR": str(temp)}
    command = chatterm_command(tmp_path, "--demo", "--model", "gpt-4o-mini", env=env)
    pane = Pane(f"chatterm-editor-{uuid.uuid4().hex[:8]}")
    pane.tmux("-f", "/dev/null", "new-session", "-d", "-s", "app", "-x", "120", "-y", "40", command)
    pane.tmux("set-option", "-s", "escape-time", "0")
    try:
        pane.wait_for("Message…")
        pane.keys("hello editor", literal=True)
        pane.wait_for("hello editor")
        pane.keys("M-e")
        screen = pane.wait_for("FAKE EDITOR on the terminal")
        assert "Message…" not in screen and "gpt-4o-mini" not in screen  # the app's screen is gone
        pane.keys("Enter")
        screen = pane.wait_for("HELLO EDITOR via editor")  # back, with the edited prompt
        assert "FAKE EDITOR" not in screen  # the app's own screen again, whole
        assert "gpt-4o-mini" in screen and "Stream" in screen  # the status bar too
        pane.keys("Enter")  # keys reach the app again: the edited prompt is sent
        pane.wait_for("Echo: HELLO EDITOR via editor")
        pane.wait_for("That is all from the demo gateway.")
        # An earlier prompt: message mode, up to the prompt, e, then the editor on it.
        pane.keys("Escape")
        pane.wait_for("MESSAGE MODE")
        pane.wait_for("r Regenerate")  # the footer: the reply has the focus
        pane.keys("Up")
        pane.wait_for("e Edit")  # the footer: the prompt above has it
        pane.keys("e")
        pane.wait_for("Editing a sent prompt")
        pane.keys("C-_")
        pane.wait_for("FAKE EDITOR on the terminal")
        pane.keys("Enter")
        screen = pane.wait_for("HELLO EDITOR VIA EDITOR via editor")
        assert "Editing a sent prompt" in screen  # still an edit: Enter resends it as a branch
        pane.keys("Enter")
        pane.wait_for("Echo: HELLO EDITOR VIA EDITOR via editor")
        pane.wait_for("2/2")  # the edited prompt is a second branch of the first turn
        assert list(temp.iterdir()) == []  # each temporary file removed after its edit
    finally:
        pane.tmux("kill-server")


def test_alt_p_opens_the_presets_in_a_real_terminal_and_types_nothing(tmp_path: Path) -> None:
    config = tmp_path / "home/.config/chatterm/config.toml"
    config.parent.mkdir(parents=True)
    config.write_text('[presets.reviewer]\nmodel = "gpt-4o"\nsystem = "You review code."\ntemperature = 0.2\n')
    pane = Pane(f"chatterm-presets-{uuid.uuid4().hex[:8]}")
    command = chatterm_command(tmp_path, "--demo", "--model", "gpt-4o-mini")
    pane.tmux("-f", "/dev/null", "new-session", "-d", "-s", "app", "-x", "120", "-y", "40", command)
    pane.tmux("set-option", "-s", "escape-time", "0")
    try:
        pane.wait_for("Message…")
        pane.keys("M-p")
        pane.wait_for("gpt-4o · temperature 0.2")
        pane.wait_for("system: You review code.")
        pane.keys("Enter")
        screen = pane.wait_for("◆ reviewer")
        assert "gpt-4o ▾" in screen
        assert "Message…" in screen  # Alt+P typed no "p" into the prompt
    finally:
        pane.tmux("kill-server")
