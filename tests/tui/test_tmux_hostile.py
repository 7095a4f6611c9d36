"""The real app in a tmux pane reopens a saved chat full of control sequences: the
pane's title stays chatterm's, the screen is not wiped, the stand-ins show. Skipped
where tmux is missing.

tmux obeys OSC 0 (it sets `pane_title`), so it tells whether a sequence got through."""

from __future__ import annotations

import shutil
import subprocess
import uuid
from pathlib import Path

import pytest

from chatterm.engine.conversation import Conversation, Message
from chatterm.store import ChatStore
from tests.cli.hostile import HOSTILE, TITLE
from tests.store.store_helpers import save_all

from .test_tmux import wait_for
from .tmux_support import chatterm_command

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")


def pane_title(session: str) -> str:
    return subprocess.run(
        ["tmux", "display-message", "-p", "-t", session, "#{pane_title}"], capture_output=True, text=True, check=False
    ).stdout.strip()


def test_a_hostile_saved_chat_does_not_reach_the_terminal(tmp_path: Path) -> None:
    db = tmp_path / "history.db"
    with ChatStore(db) as store:
        conv = Conversation()
        conv.append(Message("user", f"what is {TITLE} this"))
        conv.append(Message("assistant", f"Here: {HOSTILE}", model="gpt-4o"))
        save_all(store, conv)
    command = chatterm_command(tmp_path, "--demo", "--history", str(db), "-c")
    session = f"chatterm-test-{uuid.uuid4().hex[:8]}"
    subprocess.run(
        ["tmux", "new-session", "-d", "-s", session, "-x", "100", "-y", "40", command],
        check=True,
        cwd=tmp_path,
    )
    try:
        screen = wait_for(session, "Here: Hello")
        assert "␛]52;c;aGVsbG8=␇" in screen and "␛]0;pwned␇" in screen
        assert "what is ␛]0;pwned␇ this" in screen
        assert "pwned" not in pane_title(session), pane_title(session)  # written with the text now on screen
        assert "Message…" in wait_for(session, "Message…")  # the screen was not wiped
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True, check=False)
