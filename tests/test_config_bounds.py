"""`[timeouts]` and `[limits]` in the config file reach the client that talks to the gateway."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from chatterm.api.errors import DeadlineError
from chatterm.api.limits import Deadlines, Limits
from chatterm.api.request import ChatRequest
from chatterm.config import ConfigError, Connection, load_config
from chatterm.context import AppContext


def context_for(tmp_path: Path, text: str, base_url: str = "http://127.0.0.1:1/v1") -> AppContext:
    path = tmp_path / "config.toml"
    path.write_text(text)
    config = load_config(path)
    return AppContext(config, Connection(base_url, "k"), history_path=tmp_path / "h.db", cache_path=tmp_path / "m.json")


def test_the_tables_set_the_clients_deadlines_and_limits(tmp_path: Path) -> None:
    text = "[timeouts]\nfirst_byte = 5\nidle = 7.5\ntotal = 90\nconnect = 3\n[limits]\nreply_text = 4096\n"
    client = context_for(tmp_path, text).client
    assert client.deadlines == Deadlines(connect=3, first_byte=5, idle=7.5, total=90)
    assert client.limits == Limits(reply_text=4096)


def test_defaults_and_the_older_keys_keep_their_meaning(tmp_path: Path) -> None:
    assert context_for(tmp_path, "").client.deadlines == Deadlines()
    older = context_for(tmp_path, "read_timeout = 30\nconnect_timeout = 4\n").client
    assert older.deadlines == Deadlines(connect=4, first_byte=30, idle=30)
    both = context_for(tmp_path, "read_timeout = 30\n[timeouts]\nidle = 200\n").client
    assert (both.deadlines.first_byte, both.deadlines.idle) == (30, 200)


@pytest.mark.parametrize(
    "text, said",
    [
        ("[timeouts]\nidle = 0\n", "line 2: timeouts.idle must be between 0.1 and 3600"),
        ('[timeouts]\ntotal = "1h"\n', "line 2: timeouts.total must be of type int or float"),
        ("[limits]\nsse_event = 10\n", "line 2: limits.sse_event must be between 1024 and"),
    ],
)
def test_a_bad_value_names_file_line_and_range(tmp_path: Path, text: str, said: str) -> None:
    path = tmp_path / "config.toml"
    path.write_text(text)
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert str(path) in str(caught.value) and said in str(caught.value)


async def test_a_configured_first_byte_deadline_fires_against_a_silent_server(tmp_path: Path) -> None:
    release = asyncio.Event()

    async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        await release.wait()
        writer.close()

    server = await asyncio.start_server(silent, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    context = context_for(tmp_path, "[timeouts]\nfirst_byte = 0.3\n", f"http://127.0.0.1:{port}/v1")
    try:
        with pytest.raises(DeadlineError) as caught:
            async with asyncio.timeout(10):
                await context.client.complete(ChatRequest("gpt-4o", [{"role": "user", "content": "hi"}]))
    finally:
        release.set()
        await context.aclose()
        server.close()
        await server.wait_closed()
    assert (
        str(caught.value) == "Error: the server accepted the request but sent nothing for 0.3 s (timeouts.first_byte)"
    )
