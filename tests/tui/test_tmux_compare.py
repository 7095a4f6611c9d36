"""Compare mode in the real `chatterm --demo` inside tmux: two models marked in the
picker with Space, their replies streaming side by side (both column headers on one
screen line, both writing), then the second picked with the keyboard and the next
prompt continuing from it. Skipped where tmux is missing."""

from __future__ import annotations

import shutil
import subprocess
import time
import uuid
from pathlib import Path

import pytest

from .test_tmux import capture, wait_for
from .tmux_support import chatterm_command

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")

CLAUDE = "claude-sonnet-4-5-20250929"


def keys(session: str, *names: str, literal: bool = False) -> None:
    subprocess.run(["tmux", "send-keys", "-t", session, *(["-l"] if literal else []), *names], check=True)


def wait_for_line(session: str, test, what: str, timeout: float = 20.0) -> str:
    deadline = time.monotonic() + timeout
    screen = ""
    while time.monotonic() < deadline:
        screen = capture(session)
        if any(test(line) for line in screen.splitlines()):
            return screen
        time.sleep(0.1)
    raise AssertionError(f"{what} never appeared; the pane shows:\n{screen}")


def test_two_replies_side_by_side_then_pick_one_and_continue(tmp_path: Path) -> None:
    command = chatterm_command(tmp_path, "--demo")
    session = f"chatterm-cmp-{uuid.uuid4().hex[:8]}"
    subprocess.run(
        ["tmux", "new-session", "-d", "-s", session, "-x", "150", "-y", "50", command], check=True, cwd=tmp_path
    )
    try:
        wait_for(session, "Message…")
        keys(session, "C-l")
        wait_for(session, "Pick a model")
        keys(session, "gpt-4o", literal=True)
        keys(session, "Space")  # right behind the filter: it marks the filter's first hit
        wait_for(session, "Marked: gpt-4o")
        keys(session, "C-u")
        wait_for(session, "Type to filter")  # a binding's key can land after printable keys sent with it
        keys(session, "claude-sonnet-4-5-2025", literal=True)
        keys(session, "Space")
        wait_for(session, f"Marked: gpt-4o, {CLAUDE}")
        keys(session, "Enter")
        wait_for(session, "COMPARE gpt-4o")

        keys(session, "side by side !tokens=400 !rate=60", literal=True)
        keys(session, "Enter")
        screen = wait_for_line(
            session,
            lambda line: "① gpt-4o · writing…" in line and f"② {CLAUDE} · writing…" in line,
            "two column headers writing on one line",
        )
        head = next(i for i, line in enumerate(screen.splitlines()) if "① gpt-4o" in line)
        body = "\n".join(screen.splitlines()[head + 1 :])
        assert body.strip(), "the replies are on screen under their headers"

        keys(session, "C-DC")  # Ctrl+Delete: stop the first (selected) column alone
        wait_for(session, "① gpt-4o stopped")  # the bar above the prompt: the headers may have scrolled away
        wait_for(session, f"② {CLAUDE} done", timeout=30)
        keys(session, "C-Down")  # the next column
        wait_for(session, f"▸② {CLAUDE}")
        keys(session, "C-End")  # pick it
        wait_for(session, f"Continuing with {CLAUDE}")
        assert "COMPARE" not in capture(session)

        keys(session, "what next", literal=True)
        keys(session, "Enter")
        screen = wait_for(session, "That is all from the demo gateway.", timeout=20)
        assert f"{CLAUDE} ▾" in screen  # the status bar: the picked model is the chat's
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True, check=False)
    from chatterm.store import ChatStore

    with ChatStore(tmp_path / "home/.local/share/chatterm/history.db") as store:
        chat = store.load(store.last_chat_id())
        siblings = store.siblings(chat.messages[1].id)
    assert [m.role for m in chat.messages] == ["user", "assistant", "user", "assistant"]
    assert [m.model for m in siblings] == ["gpt-4o", CLAUDE] and siblings[0].state == "stopped"
    assert chat.messages[1].id == siblings[1].id, "the chat went on from the picked reply"
    assert "Messages in this conversation: 3" in chat.messages[3].text  # prompt, picked reply, prompt
