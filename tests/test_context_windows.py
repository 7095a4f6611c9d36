"""`AppContext.context_window`: the gateway's model list (this run's, or the cached one
of the same gateway) wins over the catalogue; another gateway's cache is not used."""

from __future__ import annotations

import json
from pathlib import Path

from chatterm.context import AppContext
from tests.api.conftest import RawServer, Reply

LIST = {
    "object": "list",
    "data": [
        {"id": "local-model", "object": "model", "max_model_len": 32768},
        {"id": "gpt-4o", "object": "model", "context_length": 64000},  # served smaller than published
        {"id": "hostile", "object": "model", "context_length": -7},
    ],
}


async def test_the_gateways_window_wins_and_is_remembered_for_the_next_start(tmp_path: Path) -> None:
    server = RawServer()
    await server.start()
    try:
        server.script(Reply([json.dumps(LIST).encode()], headers={"content-type": "application/json"}, chunked=False))
        context = AppContext.for_tests(server.base_url, tmp_path)
        assert context.context_window("gpt-4o") == 128_000  # nothing listed yet: the catalogue
        await context.refresh_models()
        assert context.context_window("local-model") == 32768
        assert context.context_window("gpt-4o") == 64000
        assert context.context_window("hostile") is None
        await context.aclose()

        # The next start, before any request: the cached list of the same gateway.
        later = AppContext.for_tests(server.base_url, tmp_path)
        assert later.context_window("local-model") == 32768 and later.context_window("gpt-4o") == 64000
        assert len(server.requests) == 1
    finally:
        await server.stop()

    # Another gateway: its own figures only (here the catalogue's).
    other = AppContext.for_tests("http://127.0.0.1:9/v1", tmp_path)
    assert other.context_window("local-model") is None and other.context_window("gpt-4o") == 128_000


def test_a_damaged_cache_of_windows_is_ignored(tmp_path: Path) -> None:
    base_url = "http://127.0.0.1:9/v1"
    cache = {"base_url": base_url, "models": ["m"], "context_windows": {"m": "lots", "n": 10**40, "o": 8192}}
    (tmp_path / "models.json").write_text(json.dumps(cache))
    context = AppContext.for_tests(base_url, tmp_path)
    assert context.context_window("m") is None and context.context_window("n") is None
    assert context.context_window("o") == 8192
    (tmp_path / "models.json").write_text(json.dumps({"base_url": base_url, "context_windows": [1, 2]}))
    assert AppContext.for_tests(base_url, tmp_path).context_window("o") is None
