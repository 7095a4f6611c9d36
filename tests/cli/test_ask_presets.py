"""`chatterm ask --preset NAME` against the demo gateway: the request carries the preset's
system prompt, model and sampling settings (and fits the official request schema); flags
given on the command line win over it; an unknown name is a usage error listing the
presets."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.cli.runner import achatterm, gw

CONFIG = """[presets.reviewer]
system = "You review code. Be blunt."
model = "gpt-4o"
temperature = 0.2
top_p = 0.5
max_tokens = 300
tools = ["calculator"]

[presets.plain]
tools = []
"""


def _config(tmp_path: Path) -> str:
    path = tmp_path / "config.toml"
    path.write_text(CONFIG)
    return str(path)


async def test_the_request_has_the_presets_system_prompt_model_and_settings(
    demo_gateway: Any, tmp_path: Path, chat_request_validator: Any
) -> None:
    run = await achatterm(
        "ask", "--config", _config(tmp_path), *gw(demo_gateway), "--no-save", "--preset", "reviewer", "Review: x = 1"
    )
    assert run.code == 0, run.err
    body = demo_gateway.requests[-1].body
    chat_request_validator.validate(body)
    assert body["model"] == "gpt-4o"
    assert body["messages"][0] == {"role": "system", "content": "You review code. Be blunt."}
    assert body["messages"][-1] == {"role": "user", "content": "Review: x = 1"}
    assert (body["temperature"], body["top_p"], body["max_tokens"]) == (0.2, 0.5, 300)
    assert [tool["function"]["name"] for tool in body["tools"]] == ["calculator"]


async def test_flags_win_over_the_preset(demo_gateway: Any, tmp_path: Path, chat_request_validator: Any) -> None:
    run = await achatterm(
        "ask",
        "--config",
        _config(tmp_path),
        *gw(demo_gateway),
        "--no-save",
        "--json",
        "--preset",
        "reviewer",
        "--model",
        "gpt-4o-mini",
        "--temperature",
        "1.1",
        "--system",
        "Be kind.",
        "--tools",
        "current_time",
        "hello",
    )
    assert run.code == 0, run.err
    body = demo_gateway.requests[-1].body
    chat_request_validator.validate(body)
    assert json.loads(run.out)["model"] == "gpt-4o-mini" == body["model"]
    assert body["messages"][0] == {"role": "system", "content": "Be kind."}
    assert (body["temperature"], body["top_p"], body["max_tokens"]) == (1.1, 0.5, 300)  # the rest from the preset
    assert [tool["function"]["name"] for tool in body["tools"]] == ["current_time"]


async def test_a_preset_with_no_tools_offers_none(demo_gateway: Any, tmp_path: Path) -> None:
    run = await achatterm(
        "ask", "--config", _config(tmp_path), *gw(demo_gateway), "--no-save", "--preset", "plain", "hi"
    )
    assert run.code == 0, run.err
    assert "tools" not in demo_gateway.requests[-1].body


async def test_the_chat_saved_from_ask_records_its_preset(demo_gateway: Any, tmp_path: Path) -> None:
    from chatterm.store import ChatStore

    history = tmp_path / "history.db"
    run = await achatterm(
        "ask",
        "--config",
        _config(tmp_path),
        *gw(demo_gateway),
        "--preset",
        "reviewer",
        "hello",
        env={"CHATTERM_HISTORY": str(history)},
    )
    assert run.code == 0, run.err
    store = ChatStore(history)
    try:
        chat_id = store.last_chat_id()
        assert chat_id is not None
        assert store.load(chat_id).settings.preset == "reviewer"
    finally:
        store.close()


async def test_an_unknown_preset_is_a_usage_error_listing_the_presets(demo_gateway: Any, tmp_path: Path) -> None:
    run = await achatterm(
        "ask", "--config", _config(tmp_path), *gw(demo_gateway), "--no-save", "--preset", "reviwer", "hello"
    )
    assert run.code == 2
    assert "--preset: no preset named 'reviwer'; presets: plain, reviewer" in run.err
    assert "Traceback" not in run.err
    assert demo_gateway.requests == []  # nothing sent


async def test_no_presets_at_all_says_where_to_add_one(demo_gateway: Any, tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('model = "gpt-4o-mini"\n')
    run = await achatterm("ask", "--config", str(path), *gw(demo_gateway), "--no-save", "--preset", "x", "hello")
    assert run.code == 2
    assert f"no preset named 'x'; there are no presets yet: add a [presets.x] table to {path}" in run.err
