"""`AppContext` pieces that need no gateway: the model cache and the history path."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from chatterm.context import AppContext, default_history_path

BASE_URL = "http://127.0.0.1:9/v1"


def test_cached_models_round_trip_and_belong_to_their_gateway(tmp_path: Path) -> None:
    context = AppContext.for_tests(BASE_URL, tmp_path)
    (tmp_path / "models.json").write_text(json.dumps({"base_url": BASE_URL, "models": ["a", 3, "b"]}))
    assert context.cached_models() == ["a", "b"]
    other = AppContext.for_tests("http://127.0.0.1:10/v1", tmp_path)
    assert other.cached_models() == []


@pytest.mark.parametrize("text", ["[]", '"models"', '{"base_url": "http://127.0.0.1:9/v1", "models": 5}', "{"])
def test_a_damaged_model_cache_reads_as_empty(tmp_path: Path, text: str) -> None:
    """A cache file that is JSON but not an object used to raise AttributeError."""
    (tmp_path / "models.json").write_text(text)
    assert AppContext.for_tests(BASE_URL, tmp_path).cached_models() == []


def test_default_history_path_follows_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CHATTERM_HISTORY", str(tmp_path / "h.db"))
    assert default_history_path() == tmp_path / "h.db"
    monkeypatch.delenv("CHATTERM_HISTORY")
    assert default_history_path().name == "history.db" and "chatterm" in str(default_history_path())


async def test_a_base_url_without_a_key_is_used_as_it_is(tmp_path: Path) -> None:
    """A local server that takes no key: no first-run dialog, and requests go without
    an Authorization header (a server that wants one says so on the first reply)."""
    from chatterm.api.errors import AuthenticationError
    from chatterm.api.request import ChatRequest
    from chatterm.config import Config, Connection
    from chatterm.demo import DemoGateway

    gateway = DemoGateway()
    base_url = await gateway.start()
    try:
        context = AppContext(
            Config(),
            Connection(base_url, None, "--base-url"),
            config_path=tmp_path / "c.toml",
            history_path=tmp_path / "h.db",
            cache_path=tmp_path / "m.json",
        )
        assert not context.needs_setup
        with pytest.raises(AuthenticationError):  # the demo gateway does want a key
            await context.client.complete(ChatRequest("gpt-4o", [{"role": "user", "content": "hi"}]))
        assert "authorization" not in {k.lower() for k in gateway.requests[-1].headers}
        await context.aclose()
    finally:
        await gateway.stop()


def test_tools_safe_naming_a_tool_that_cannot_be_safe_is_reported(tmp_path: Path) -> None:
    from chatterm.config import Config
    from chatterm.context import build_tools

    tool_file = tmp_path / "mine.py"
    tool_file.write_text(
        "from chatterm.tools import tool\n\n@tool\ndef shout(text: str) -> str:\n"
        '    """Upper-case the text."""\n    return text.upper()\n'
    )
    config = Config(tools_files=[str(tool_file)], tools_safe=["calculator", "shout", "nope"])
    _, errors = build_tools(config)
    assert any("'shout' is not a built-in read-only tool" in e for e in errors)
    assert any("no tool named 'nope'" in e for e in errors)
    assert not any("calculator" in e for e in errors)
