"""`chatterm --preset NAME`, as a user types it: the chat app opens on a chat with that
preset (a real terminal, through tmux); an unknown name is told with the presets there
are, exit 2, before the app starts; `chatterm --preset NAME ask ...` is `ask --preset`."""

from __future__ import annotations

import shutil
import uuid
from pathlib import Path
from typing import Any

import pytest

from tests.cli.runner import achatterm, gw

CONFIG = """[presets.reviewer]
system = "You review code. Be blunt."
model = "gpt-4o-mini"
temperature = 0.2

[presets.plain]
tools = []
"""


def _config(tmp_path: Path) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(CONFIG)
    return path


async def test_an_unknown_preset_is_told_before_the_app_starts(tmp_path: Path) -> None:
    run = await achatterm("--config", str(_config(tmp_path)), "--demo", "--preset", "reviwer")
    assert run.code == 2
    assert run.err == "chatterm: --preset: no preset named 'reviwer'; presets: plain, reviewer\n"
    assert run.out == ""  # no screen drawn


async def test_a_preset_before_another_command_is_refused(tmp_path: Path) -> None:
    run = await achatterm("--config", str(_config(tmp_path)), "--preset", "reviewer", "history", "list")
    assert run.code == 2
    assert "--preset is for the chat app and `ask`, not `history`" in run.err


async def test_a_preset_given_before_ask_is_asks_preset(demo_gateway: Any, tmp_path: Path) -> None:
    run = await achatterm(
        "--config", str(_config(tmp_path)), "--preset", "reviewer", "ask", *gw(demo_gateway), "--no-save", "hi"
    )
    assert run.code == 0, run.err
    body = demo_gateway.requests[-1].body
    assert body["model"] == "gpt-4o-mini" and body["temperature"] == 0.2
    assert body["messages"][0] == {"role": "system", "content": "You review code. Be blunt."}


@pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")
def test_the_app_opens_with_the_preset_in_a_real_terminal(tmp_path: Path) -> None:
    from tests.tui.test_tmux_keys import Pane
    from tests.tui.tmux_support import chatterm_command

    history = tmp_path / "history.db"
    args = ("--demo", "--config", str(_config(tmp_path)), "--history", str(history), "--preset", "reviewer")
    pane = Pane(f"chatterm-preset-{uuid.uuid4().hex[:8]}")
    pane.tmux(
        "-f", "/dev/null", "new-session", "-d", "-s", "app", "-x", "120", "-y", "40", chatterm_command(tmp_path, *args)
    )
    try:
        screen = pane.wait_for("◆ reviewer")
        assert "gpt-4o-mini" in screen
        pane.keys("hello", literal=True)
        pane.keys("Enter")
        pane.wait_for("That is all from the demo gateway.")
        pane.keys("C-q")
        pane.wait_gone("◆ reviewer")
    finally:
        pane.tmux("kill-server")
    from chatterm.store import ChatStore

    with ChatStore(history) as store:
        chat = store.load(store.last_chat_id() or "")
    assert (chat.settings.preset, chat.settings.system_prompt) == ("reviewer", "You review code. Be blunt.")
    assert [(m.role, m.model) for m in chat.messages] == [("user", None), ("assistant", "gpt-4o-mini")]
