"""`ask --json` says what a reply cost and how full its context window is, from the
config's price and the usage the demo gateway reports; the cost is saved with the reply,
so the history keeps what it cost when it was written."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from chatterm.store import ChatStore
from tests.cli.runner import achatterm, chatterm, gw

PRICES = '[prices."gpt-4o"]\ninput = 2.5\noutput = 10\ncached_input = 1.25\n'


def _env(tmp_path: Path, config: str) -> dict[str, str]:
    path = tmp_path / "config.toml"
    path.write_text(config)
    return {"CHATTERM_CONFIG": str(path), "CHATTERM_HISTORY": str(tmp_path / "history.db")}


async def test_ask_json_gives_the_cost_and_context_of_a_priced_model(demo_gateway, tmp_path: Path) -> None:
    env = _env(tmp_path, PRICES)
    run = await achatterm("ask", *gw(demo_gateway), "--json", "-m", "gpt-4o", "How big is the sea?", env=env)
    assert run.code == 0, run.err
    data = json.loads(run.out)
    usage = data["usage"]
    assert usage["prompt_tokens"] > 0 and usage["completion_tokens"] > 0
    expected = (usage["prompt_tokens"] * 2.5 + usage["completion_tokens"] * 10) / 1e6  # nothing cached: one turn
    assert data["cost"] == pytest.approx(expected)
    used = usage["prompt_tokens"] + usage["completion_tokens"]
    assert data["context"] == {"used": used, "window": 128_000, "percent": round(100 * used / 128_000, 1)}
    # The existing fields are all still there.
    assert {"model", "content", "reasoning", "tool_calls", "finish_reason", "usage", "citations", "saved"} <= set(data)

    # Saved with the reply: a later price does not rewrite what it cost.
    with ChatStore(tmp_path / "history.db") as store:
        chat = store.load(store.last_chat_id() or "")
    reply = chat.messages[-1]
    assert reply.cost == pytest.approx(expected) and reply.context_window == 128_000


async def test_no_price_no_cost_and_no_known_window_no_context(demo_gateway, tmp_path: Path) -> None:
    env = _env(tmp_path, PRICES)
    run = await achatterm("ask", *gw(demo_gateway), "--json", "--no-save", "-m", "glm-5", "hi", env=env)
    assert run.code == 0, run.err
    data = json.loads(run.out)
    assert data["usage"]["prompt_tokens"] > 0
    assert "cost" not in data and "context" not in data


def test_ask_demo_json_with_a_price_has_a_cost(tmp_path: Path) -> None:
    """The issue's own command line, on the embedded demo gateway."""
    env = _env(tmp_path, PRICES)
    run = chatterm("ask", "--demo", "--json", "--no-save", "-m", "gpt-4o", "hi", env=env)
    assert run.code == 0, run.err
    data = json.loads(run.out)
    assert data["cost"] > 0 and data["context"]["window"] == 128_000
