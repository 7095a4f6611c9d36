"""Issue 10 item 19: `config.toml` holds a default system prompt and sampling values,
and every new chat starts with them, in the TUI and in `ask`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from chatterm.config import load_config

from .conftest import reply_done, send, wait_until

CONFIG = """\
system_prompt = "Answer like a pirate."
temperature = 0.3
top_p = 0.9
max_tokens = 321
"""


def _chat_bodies(gateway: Any) -> list[dict[str, Any]]:
    return [r.body for r in gateway.requests if r.path.endswith("/chat/completions")]


async def test_a_new_tui_chat_sends_the_configured_defaults(demo_gateway: Any, tmp_path: Path) -> None:
    from chatterm.config import Connection
    from chatterm.context import AppContext
    from chatterm.demo import DEMO_API_KEY
    from chatterm.tui.app import ChatApp

    path = tmp_path / "config.toml"
    path.write_text(CONFIG + 'model = "gpt-4o"\n', encoding="utf-8")
    context = AppContext(
        load_config(path),
        Connection(demo_gateway.base_url, DEMO_API_KEY, "demo gateway"),
        config_path=path,
        history_path=tmp_path / "history.db",
        cache_path=tmp_path / "models.json",
    )
    app = ChatApp(context)
    async with app.run_test(size=(100, 30)) as pilot:
        await send(pilot, "hello")
        await reply_done(pilot)
        await app.run_action("new_chat")
        await wait_until(pilot, lambda: not app.conversation.messages)
        await send(pilot, "again")
        await reply_done(pilot)
    bodies = _chat_bodies(demo_gateway)
    assert len(bodies) == 2
    for body in bodies:
        assert body["messages"][0] == {"role": "system", "content": "Answer like a pirate."}
        assert body["temperature"] == 0.3
        assert body["top_p"] == 0.9
        assert body.get("max_tokens", body.get("max_completion_tokens")) == 321


async def test_ask_sends_the_configured_defaults_and_flags_override(demo_gateway: Any, tmp_path: Path) -> None:
    from tests.cli.runner import achatterm, gw

    path = tmp_path / "config.toml"
    path.write_text(CONFIG, encoding="utf-8")
    env = {"CHATTERM_CONFIG": str(path), "CHATTERM_HISTORY": str(tmp_path / "h.db")}
    run = await achatterm("ask", *gw(demo_gateway), "-m", "gpt-4o", "hi", env=env)
    assert run.code == 0, run.err
    run = await achatterm("ask", *gw(demo_gateway), "-m", "gpt-4o", "--temperature", "1.5", "hi", env=env)
    assert run.code == 0, run.err
    first, second = _chat_bodies(demo_gateway)
    assert first["messages"][0] == {"role": "system", "content": "Answer like a pirate."}
    assert (first["temperature"], first["top_p"]) == (0.3, 0.9)
    assert first.get("max_tokens", first.get("max_completion_tokens")) == 321
    assert second["temperature"] == 1.5


def test_a_bad_default_is_refused_naming_the_key(tmp_path: Path) -> None:
    import pytest

    from chatterm.config import ConfigError

    path = tmp_path / "config.toml"
    path.write_text("temperature = 7\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="temperature"):
        load_config(path)
