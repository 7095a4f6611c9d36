"""`chatterm ask --compare`: one prompt to several models, as a user runs it."""

from __future__ import annotations

import json
import sys

import pytest

from chatterm.demo import DEMO_API_KEY
from tests.api.conftest import RawServer

from .hostile import TITLE, ask_on_a_pty, hostile_stream, injected_in
from .runner import achatterm, gw

MODELS = "gpt-4o,claude-sonnet-4-5-20250929"


async def test_demo_compare_json_is_an_array_in_the_order_given(tmp_path) -> None:
    run = await achatterm(
        "ask", "--demo", "--compare", MODELS, "--json", "hi", env={"CHATTERM_HISTORY": str(tmp_path / "h.db")}
    )
    assert run.code == 0, run.err
    results = json.loads(run.out)
    assert isinstance(results, list) and len(results) == 2
    assert [r["model"] for r in results] == MODELS.split(",")
    for result in results:
        assert "error" not in result and result["content"] and result["finish_reason"] == "stop"
        assert result["usage"]["completion_tokens"] > 0 and result["saved"] is True
    assert f"Model: `{results[1]['model']}`" in results[1]["content"]


async def test_plain_output_puts_each_reply_under_its_model(demo_gateway) -> None:
    run = await achatterm("ask", *gw(demo_gateway), "--no-save", "--compare", "gpt-4o,gpt-4o-mini", "Tell me")
    assert run.code == 0, run.err
    first, second = run.out.index("=== gpt-4o ==="), run.out.index("=== gpt-4o-mini ===")
    assert first < second
    assert "Model: `gpt-4o`" in run.out[first:second] and "Model: `gpt-4o-mini`" in run.out[second:]
    bodies = [r.body for r in demo_gateway.requests if r.method == "POST"]
    assert sorted(b["model"] for b in bodies) == ["gpt-4o", "gpt-4o-mini"]
    assert all(b["messages"][-1]["content"] == "Tell me" for b in bodies)


async def test_one_failing_model_fails_the_run_but_not_the_other_reply(demo_gateway) -> None:
    run = await achatterm("ask", *gw(demo_gateway), "--no-save", "--compare", "no-such-model,gpt-4o", "--json", "hi")
    assert run.code == 1
    failed, ok = json.loads(run.out)
    assert failed["model"] == "no-such-model" and "no-such-model" in failed["error"]["message"]
    assert failed["error"]["status"] == 404
    assert ok["model"] == "gpt-4o" and "error" not in ok and "Echo: hi" in ok["content"]

    plain = await achatterm("ask", *gw(demo_gateway), "--no-save", "--compare", "no-such-model,gpt-4o", "hi")
    assert plain.code == 1
    assert "[failed]" in plain.out.split("=== gpt-4o ===")[0]
    assert "Echo: hi" in plain.out.split("=== gpt-4o ===")[1]


async def test_the_replies_are_siblings_in_history(demo_gateway, tmp_path) -> None:
    history = tmp_path / "h.db"
    env = {"CHATTERM_HISTORY": str(history)}
    run = await achatterm("ask", *gw(demo_gateway), "--compare", MODELS, "--json", "compare me", env=env)
    assert run.code == 0, run.err
    from chatterm.store import ChatStore

    with ChatStore(history) as store:
        chat = store.load(store.last_chat_id())
        siblings = store.siblings(chat.messages[1].id)
    assert [m.model for m in siblings] == MODELS.split(",")
    assert [m.state for m in siblings] == ["ok", "ok"]
    assert chat.messages[1].model == "gpt-4o", "the first model's reply is the current branch"
    hits = await achatterm("history", "search", "compare", env=env)
    assert hits.code == 0 and "compare me" in hits.out


@pytest.mark.parametrize(
    ("flags", "words"),
    [
        (["--compare", "gpt-4o"], "2 to 4 models"),
        (["--compare", "a,b,c,d,e"], "2 to 4 models"),
        (["--compare", "gpt-4o,"], "empty"),
        (["--compare", "gpt-4o,gpt-4o-mini", "--model", "gpt-4o"], "--model and --compare"),
    ],
)
async def test_bad_compare_lists_are_usage_errors(demo_gateway, flags, words) -> None:
    run = await achatterm("ask", *gw(demo_gateway), "--no-save", *flags, "hi")
    assert run.code == 2 and words in run.err
    assert not [r for r in demo_gateway.requests if r.method == "POST"], "nothing was sent"


@pytest.mark.skipif(sys.platform == "win32", reason="needs a pty")
async def test_headers_and_replies_are_made_safe_on_a_terminal() -> None:
    server = RawServer()
    await server.start()
    try:
        server.script(hostile_stream(), hostile_stream())
        evil = f"evil{TITLE}"
        run = await ask_on_a_pty(
            "--base-url",
            server.base_url,
            "--api-key",
            DEMO_API_KEY,
            "--no-save",
            "--compare",
            f"{evil},deepseek-chat",
            "hi",
        )
    finally:
        await server.stop()
    assert injected_in(run.output) == []
    text = run.output.decode(errors="replace")
    assert "=== evil␛]0;pwned␇ ===" in text and "=== deepseek-chat ===" in text
    assert text.count("␛]52;c;aGVsbG8=␇") >= 2


async def test_each_compare_entry_has_the_keys_of_a_single_ask_json_result(demo_gateway, tmp_path) -> None:
    """An entry is the object `ask --json` prints for that model alone: its own images,
    cost and context (with prices configured), and `schema_error` with --schema."""
    config = tmp_path / "config.toml"
    config.write_text(
        '[prices."gpt-4o"]\ninput = 2.5\noutput = 10\n[prices."gemini-2.5-flash-image"]\ninput = 0.3\noutput = 30\n[prices."gpt-4o-mini"]\ninput = 0.15\noutput = 0.6\n'
    )
    env = {"CHATTERM_CONFIG": str(config), "CHATTERM_HISTORY": str(tmp_path / "h.db")}
    prompt = "a kite over the dunes !imgsize=40 !imgheight=20"
    pictures = tmp_path / "pictures"

    alone = {}
    for model in ("gemini-2.5-flash-image", "gpt-4o"):
        single = await achatterm("ask", *gw(demo_gateway), "--json", "-m", model, prompt, env=env)
        assert single.code == 0, single.err
        alone[model] = json.loads(single.out)
    assert {"cost", "context", "images", "saved"} <= set(alone["gpt-4o"])

    run = await achatterm(
        "ask", *gw(demo_gateway), "--json", "--save-images", str(pictures),
        "--compare", "gemini-2.5-flash-image,gpt-4o", prompt, env=env,
    )  # fmt: skip
    assert run.code == 0, run.err
    drawn, text = json.loads(run.out)
    assert set(text) == set(alone["gpt-4o"]) and set(drawn) == set(alone["gemini-2.5-flash-image"])
    assert text["images"] == [] and text["cost"] > 0
    (image,) = drawn["images"]
    assert image["mime"] == "image/png" and (image["width"], image["height"]) == (40, 20)
    assert str(pictures) in image["path"] and drawn["cost"] > 0

    schema = tmp_path / "schema.json"
    schema.write_text('{"type": "object", "properties": {"n": {"type": "integer"}}, "required": ["n"]}')
    single = await achatterm("ask", *gw(demo_gateway), "--json", "--schema", str(schema), "-m", "gpt-4o", "n?", env=env)
    compared = await achatterm(
        "ask", *gw(demo_gateway), "--json", "--schema", str(schema), "--compare", "gpt-4o,gpt-4o-mini", "n?", env=env
    )
    assert single.code == compared.code == 0, compared.err
    alone = json.loads(single.out)
    assert "schema_error" in alone
    assert [set(entry) for entry in json.loads(compared.out)] == [set(alone)] * 2
