"""A reply that did not end by itself says so: `ask` in plain output notes on stderr a
reply cut at the max-tokens limit (`finish_reason: length`) or stopped by the content
filter (the demo's `!filtered`), keeps stdout the answer alone, and `history export`
keeps the reason (JSON) and says it (Markdown). Subprocesses against the demo gateway,
a real history file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.cli.runner import achatterm, chatterm, gw


def _env(tmp_path: Path) -> dict[str, str]:
    return {"HOME": str(tmp_path / "home"), "XDG_CONFIG_HOME": str(tmp_path / "cfg"), "NO_COLOR": "1"}


async def test_a_reply_cut_by_max_tokens_is_noted_on_stderr_and_kept_in_exports(
    demo_gateway: Any, tmp_path: Path
) -> None:
    db = tmp_path / "history.db"
    run = await achatterm(
        "--history", str(db), "ask", *gw(demo_gateway), "--max-tokens", "6", "Tell me about tea", env=_env(tmp_path)
    )
    assert run.code == 0, run.err
    assert "the reply was cut at the max-tokens limit (finish_reason: length)" in run.err
    assert "max-tokens" not in run.out and run.out.strip()

    listed = chatterm("--history", str(db), "history", "list", "--json")
    [chat] = json.loads(listed.out)
    exported = json.loads(chatterm("--history", str(db), "history", "export", chat["id"], "--format", "json").out)
    assert [m.get("finish_reason") for m in exported["messages"] if m["role"] == "assistant"] == ["length"]
    markdown = chatterm("--history", str(db), "history", "export", chat["id"], "--format", "md").out
    assert "cut at the max-tokens limit" in markdown


async def test_a_filtered_reply_is_noted_and_a_whole_one_is_not(demo_gateway: Any, tmp_path: Path) -> None:
    filtered = await achatterm("ask", *gw(demo_gateway), "--no-save", "tell me !filtered", env=_env(tmp_path))
    assert filtered.code == 0, filtered.err
    assert "stopped by the provider's content filter (finish_reason: content_filter)" in filtered.err
    whole = await achatterm("ask", *gw(demo_gateway), "--no-save", "Tell me about tea", env=_env(tmp_path))
    assert whole.code == 0 and "finish_reason" not in whole.err
