"""Context windows: a server's `/v1/models` fields win over the catalogue, hostile values
are ignored (never guessed from), and a model nobody states stays unknown.

The model lists are served over real loopback TCP: a raw server for the fields real
servers use (and values a hostile one might send), the demo gateway for a list that
states none.
"""

from __future__ import annotations

import json

import pytest

from chatterm.api.catalogue import context_window
from chatterm.api.client import ChatClient
from chatterm.api.context_window import context_use, window_for
from chatterm.api.types import Usage

from .conftest import DemoPair, RawServer, Reply

LISTED = [
    {"id": "vllm/served", "max_model_len": 32768, "context_length": 131072},
    {"id": "openrouter/model", "context_length": 200000, "top_provider": {"context_length": 163840}},
    {"id": "groq-model", "context_window": 131072},
    {"id": "lmstudio-model", "max_context_length": 32768, "loaded_context_length": 4096},
    {"id": "llama.cpp-model", "meta": {"n_ctx_train": 8192}},
    {"id": "digits-as-text", "context_length": "65536"},
    {"id": "whole-float", "context_length": 16384.0},
    {"id": "bad-first-good-next", "max_model_len": -1, "context_length": 4096},
    # Hostile or broken values: each is ignored.
    {"id": "negative", "context_length": -4096},
    {"id": "zero", "context_length": 0},
    {"id": "tiny", "context_length": 3},
    {"id": "huge", "context_length": 10**30},
    {"id": "boolean", "context_length": True},
    {"id": "words", "context_length": "lots"},
    {"id": "arabic-digits", "context_length": "\u0661\u0662\u0663\u0664\u0665"},
    {"id": "fraction", "context_length": 4096.5},
    {"id": "object", "context_length": {"tokens": 4096}},
    {"id": "list", "context_window": [4096]},
    {"id": "meta-not-object", "meta": "n_ctx_train=8192"},
    # A known model with a nonsense figure keeps the catalogue's.
    {"id": "gpt-4o", "context_length": -1},
    "plain-string-entry",
]


async def _listed(raw_server: RawServer, extra_text: str = "") -> dict[str, int]:
    body = json.dumps({"object": "list", "data": LISTED})
    if extra_text:  # JSON Python's encoder will not write (1e400 reads as infinity)
        body = body[:-2] + ", " + extra_text + "]}"
    raw_server.script(Reply([body.encode()], headers={"content-type": "application/json"}, chunked=False))
    async with ChatClient(raw_server.base_url, "k", max_retries=0) as client:
        models = await client.list_models()
        assert "vllm/served" in models and "plain-string-entry" in models
        return client.context_windows


async def test_the_window_fields_servers_use_are_read_from_the_model_list(raw_server: RawServer) -> None:
    listed = await _listed(raw_server)
    assert window_for("vllm/served", listed) == 32768  # the served limit before the model's maximum
    assert window_for("openrouter/model", listed) == 163840  # the provider requests go to
    assert window_for("groq-model", listed) == 131072
    assert window_for("lmstudio-model", listed) == 4096  # what is loaded, not what could be
    assert window_for("llama.cpp-model", listed) == 8192
    assert window_for("digits-as-text", listed) == 65536
    assert window_for("whole-float", listed) == 16384
    assert window_for("bad-first-good-next", listed) == 4096


async def test_hostile_window_values_are_ignored_not_guessed_from(raw_server: RawServer) -> None:
    listed = await _listed(
        raw_server, '{"id": "infinite", "context_length": 1e400}, {"id": "nan", "max_model_len": NaN}'
    )
    for name in (
        "negative",
        "zero",
        "tiny",
        "huge",
        "boolean",
        "words",
        "arabic-digits",
        "fraction",
        "object",
        "list",
        "meta-not-object",
        "infinite",
        "nan",
        "plain-string-entry",
    ):
        assert name not in listed, name
        assert window_for(name, listed) is None, name
    assert window_for("gpt-4o", listed) == 128_000  # the catalogue's published figure


async def test_a_list_without_window_fields_leaves_the_catalogue_to_answer(demo: DemoPair) -> None:
    _, client = demo
    models = await client.list_models()
    assert "gpt-4o" in models and client.context_windows == {}
    assert window_for("gpt-4o", client.context_windows) == 128_000
    assert window_for("glm-5", client.context_windows) is None  # not sure of it: not shown


@pytest.mark.parametrize(
    "model, window",
    [
        ("gpt-4o", 128_000),
        ("gpt-4o-mini", 128_000),
        ("openai/gpt-4o-mini", 128_000),
        ("gpt-4.1", 1_047_576),
        ("gpt-3.5-turbo", 16_385),
        ("gpt-5-chat", 128_000),
        ("gpt-5.1", 400_000),
        ("o3-mini", 200_000),
        ("o1-mini", 128_000),
        ("claude-sonnet-4-5-20250929", 200_000),
        ("claude-3-haiku-20240307", 200_000),
        ("grok-4", 256_000),
        ("grok-4-fast-reasoning", 2_000_000),
        ("grok-3", 131_072),
        ("gemini-3-pro-preview", 1_048_576),
        ("gemini-3-pro-preview-thinking", 1_048_576),
        ("gemini-1.5-pro", 2_097_152),
        # Not known for sure: not shown.
        ("gemini-2.5-flash-image", None),
        ("nano-banana-pro", None),
        ("claude-opus-4-6", None),
        ("deepseek-v3", None),
        ("glm-5", None),
        ("my-local-model", None),
    ],
)
def test_the_catalogue_knows_published_windows_and_nothing_else(model: str, window: int | None) -> None:
    assert context_window(model) == window


def test_how_full_the_window_is_counts_the_prompt_and_the_reply() -> None:
    use = context_use(Usage(prompt_tokens=9_000, completion_tokens=1_000, reasoning_tokens=200), 100_000)
    assert use is not None and (use.used, use.window, use.percent) == (10_000, 100_000, 10.0)
    # Reasoning counted apart from the completion (more of it than completion tokens): added.
    use = context_use(Usage(prompt_tokens=1_000, completion_tokens=10, reasoning_tokens=990), 4_000)
    assert use is not None and use.used == 2_000
    assert context_use(Usage(prompt_tokens=None, completion_tokens=5), 4_000) is None
    assert context_use(Usage(prompt_tokens=10, completion_tokens=5), None) is None
