"""`ask` on a terminal: control sequences from the model or the gateway never reach it.

A scripted loopback server plays the hostile gateway; `ask` runs on a real pty, and
the test reads the bytes the terminal would get."""

from __future__ import annotations

import json
import sys

import pytest

from chatterm.demo import DEMO_API_KEY
from tests.api.conftest import RawServer, Reply

from .hostile import HOSTILE, TITLE, ask_on_a_pty, hostile_stream, injected_in
from .runner import achatterm

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="needs a pty")


@pytest.fixture
async def server():
    server = RawServer()
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


def flags(server: RawServer) -> list[str]:
    return ["--base-url", server.base_url, "--api-key", DEMO_API_KEY, "--model", "deepseek-chat", "--no-save"]


async def test_the_reply_reasoning_and_sources_show_placeholders_not_sequences(server) -> None:
    server.script(hostile_stream())
    run = await ask_on_a_pty(*flags(server), "hi")
    assert run.code == 0, run.output
    assert injected_in(run.output) == []
    text = run.output.decode(errors="replace")
    assert "␛]52;c;aGVsbG8=␇" in text and "␛]0;pwned␇" in text and "␛[2J" in text
    assert "thinking ␛]0;pwned␇ hard" in text  # the reasoning, on stderr
    assert "Src ␛]0;pwned␇" in text  # a citation's title


async def test_a_whole_reply_without_colour_is_safe_too(server) -> None:
    """Not streamed, NO_COLOR and TERM=dumb: the same rule for what reaches the terminal."""
    body = {
        "id": "x",
        "object": "chat.completion",
        "created": 1,
        "model": "deepseek-chat",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": HOSTILE}, "finish_reason": "stop"}],
    }
    server.script(Reply([json.dumps(body).encode()], headers={"content-type": "application/json"}, chunked=False))
    run = await ask_on_a_pty(*flags(server), "--no-stream", "hi", env={"NO_COLOR": "1", "TERM": "dumb"})
    assert run.code == 0, run.output
    assert injected_in(run.output) == []
    assert "␛]52;c;aGVsbG8=␇" in run.output.decode(errors="replace")


async def test_an_error_body_shows_placeholders(server) -> None:
    body = json.dumps({"error": {"message": f"bad {TITLE} model {HOSTILE}", "type": "invalid_request_error"}})
    server.script(
        Reply([body.encode()], status=400, reason="Bad Request", headers={"content-type": "application/json"})
    )
    run = await ask_on_a_pty(*flags(server), "hi")
    assert run.code != 0
    assert injected_in(run.output) == []
    assert "␛]0;pwned␇" in run.output.decode(errors="replace")


async def test_a_pipe_and_json_keep_the_exact_text(server) -> None:
    """Not a terminal: the answer is the model's text, byte for byte; --json is JSON."""
    server.script(hostile_stream(), hostile_stream())
    piped = await achatterm("ask", *flags(server), "hi")
    assert HOSTILE in piped.out
    as_json = await achatterm("ask", *flags(server), "--json", "hi")
    assert json.loads(as_json.out)["content"] == HOSTILE


async def test_models_lists_hostile_ids_with_stand_ins_and_json_exact(server) -> None:
    """`chatterm models` prints the gateway's ids: shown, not obeyed; `--json` exact."""
    listing = json.dumps({"object": "list", "data": [{"id": f"gpt{TITLE}", "object": "model"}]}).encode()
    for _ in range(2):
        server.script(Reply([listing], headers={"content-type": "application/json"}, chunked=False))
    base = ["--base-url", server.base_url, "--api-key", DEMO_API_KEY, "models"]
    plain = await achatterm(*base)
    assert plain.code == 0, plain.err
    assert injected_in(plain.out.encode()) == [] and "gpt␛]0;pwned␇" in plain.out
    assert json.loads((await achatterm(*base, "--json")).out) == [f"gpt{TITLE}"]
