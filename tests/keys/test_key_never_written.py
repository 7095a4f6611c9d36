"""With the key in the OS keyring (the file-backed test backend) or printed by a command,
no file chatterm writes holds it: the config, the history database, the model cache,
Markdown and JSON exports, and an MCP server's log (the server here writes its whole
environment to that log, so a key handed to child processes would land there).

chatterm runs as a user runs it (subprocesses) against a demo gateway that accepts
only that key, so every reply proves the key was found and sent."""

from __future__ import annotations

import json
import os
import stat
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from chatterm.demo import DemoGateway
from tests.cli.runner import achatterm

from .support import files_holding, gateway_requiring

pytest.importorskip("mcp")

KEY = "sk-held-elsewhere-8e7d6c5b4a39"
PROBE = Path(__file__).parents[1] / "mcp" / "probe_server.py"
ENV_DUMP = (
    "import os, runpy, sys; "
    "print(repr(sorted(os.environ.items())), file=sys.stderr, flush=True); "
    "sys.argv = [sys.argv[1]]; runpy.run_path(sys.argv[0], run_name='__main__')"
)
"""An MCP server (tests/mcp/probe_server.py) that first writes its environment to stderr,
which chatterm keeps in `mcp-logs/<name>.log`."""


@pytest.fixture
async def gateway() -> AsyncIterator[DemoGateway]:
    async with gateway_requiring(KEY) as demo:
        yield demo


async def _chat_in_the_tui(config: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, source: str) -> None:
    """The TUI on the same config: it caches the gateway's model list (models.json)
    and saves a chat."""
    import argparse

    from chatterm.config import load_config
    from chatterm.process import build_context
    from chatterm.tui.app import ChatApp
    from tests.tui.conftest import reply_done, send, wait_until

    if source == "keyring":
        import keyring.core

        from tests.keyring_file_backend import FileKeyring

        monkeypatch.setenv("CHATTERM_TEST_KEYRING", str(tmp_path / "keyring.json"))
        monkeypatch.setattr(keyring.core, "_keyring_backend", FileKeyring())
    context = build_context(argparse.Namespace(), load_config(config))
    cache = context.cache_path
    try:
        app = ChatApp(context)
        async with app.run_test(size=(100, 30)) as pilot:
            await wait_until(pilot, lambda: app.session is not None and cache.exists(), timeout=20)
            await send(pilot, "hello from the TUI")
            await reply_done(pilot)
            assert app.conversation.messages[-1].state == "ok"
    finally:
        context.close()


@pytest.mark.parametrize("source", ["keyring", "command"])
async def test_no_file_chatterm_writes_holds_a_key_kept_elsewhere(
    gateway: DemoGateway, tmp_path: Path, source: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "config.toml"
    env = {
        "CHATTERM_CONFIG": str(config),
        "CHATTERM_TEST_KEYRING": str(tmp_path / "keyring.json"),
        "PYTHON_KEYRING_BACKEND": "tests.keyring_file_backend.FileKeyring",
    }
    script = tmp_path / "print-key"
    args = json.dumps(["-c", ENV_DUMP, str(PROBE)])  # a JSON array of strings is a TOML one
    mcp = f"\n[mcp.servers.envdump]\ncommand = {json.dumps(sys.executable)}\nargs = {args}\n"
    if source == "command":
        script.write_text(f"#!{sys.executable}\nprint('{KEY}')\n", encoding="utf-8")
        script.chmod(script.stat().st_mode | stat.S_IXUSR)
        config.write_text(f'base_url = "{gateway.base_url}"\napi_key_cmd = "{script}"\n' + mcp, encoding="utf-8")
    else:
        config.write_text(f'base_url = "{gateway.base_url}"\n' + mcp, encoding="utf-8")
        stored = await achatterm("key", "set", "--stdin", stdin=f"{KEY}\n".encode(), env=env)
        assert stored.code == 0, stored.err

    run = await achatterm("ask", "--tools", "all", "what time is it?", env=env)
    assert run.code == 0, run.err
    models = await achatterm("models", env=env)
    assert models.code == 0, models.err
    listed = await achatterm("history", "list", "--json", env=env)
    [chat] = json.loads(listed.out)
    exports = []
    for fmt in ("md", "json"):
        exports.append(tmp_path / f"export.{fmt}")
        done = await achatterm("history", "export", chat["id"], "--format", fmt, "-o", str(exports[-1]), env=env)
        assert done.code == 0, done.err

    await _chat_in_the_tui(config, tmp_path, monkeypatch, source)

    home = Path(os.environ["HOME"])
    data = home / ".local/share/chatterm"
    log = data / "mcp-logs" / "envdump.log"
    # Each kind of file was written, so the scan below looks at something.
    for written in (data / "history.db", data / "models.json", log, *exports):
        assert written.exists() and written.stat().st_size > 0, written
    assert "HOME" in log.read_text(encoding="utf-8")  # the server's environment is in its log
    assert files_holding(KEY, home, tmp_path, skip=(tmp_path / "keyring.json", script)) == []
