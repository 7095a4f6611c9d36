"""`ask --json` carries reasoning, citations and usage for every family's shape."""

from __future__ import annotations

import json

import pytest

from tests.cli.test_ask import chatterm, gw_args

THINKING = [
    "deepseek-v3",  # thinking: {type: enabled} -> reasoning_content
    "claude-sonnet-4-5-20250929",  # thinking with budget_tokens
    "qwen3-coder-plus",  # parameters.enable_thinking
    "gemini-3-pro-preview",  # -thinking variant, thought parts in extra_content
    "glm-5",  # `reasoning` field
    "kimi-k2.5",
    "doubao-seed-1-8-251228",
    "o4-mini",  # /v1/responses with reasoning summaries
]


@pytest.mark.parametrize("model", THINKING)
async def test_thinking_reaches_json_output(demo_gateway, model: str) -> None:
    run = await chatterm(
        "ask", *gw_args(demo_gateway), "--no-save", "--json", "--thinking", "--model", model, "Why is the sky blue?"
    )
    assert run.code == 0, run.err
    data = json.loads(run.out)
    assert data["reasoning"], f"{model}: no reasoning in {data}"
    assert "<thought>" not in data["reasoning"] and "<thought>" not in data["content"]
    assert data["content"] and data["usage"]["completion_tokens"]


@pytest.mark.parametrize("model", ["deepseek-v3", "glm-5", "qwen3-coder-plus"])
async def test_thinking_off_sends_no_reasoning(demo_gateway, model: str) -> None:
    run = await chatterm("ask", *gw_args(demo_gateway), "--no-save", "--json", "--model", model, "Why is the sky blue?")
    assert run.code == 0, run.err
    assert json.loads(run.out)["reasoning"] is None


async def test_grok_reasoning_tokens_are_counted(demo_gateway) -> None:
    run = await chatterm("ask", *gw_args(demo_gateway), "--no-save", "--json", "--model", "grok-4-fast-reasoning", "hi")
    assert run.code == 0, run.err
    usage = json.loads(run.out)["usage"]
    assert usage["reasoning_tokens"] and usage["completion_tokens"] > usage["reasoning_tokens"]


@pytest.mark.parametrize("model", ["qwen3-coder-plus", "grok-3", "glm-5", "gpt-4o-search-preview"])
async def test_search_citations_reach_json_output(demo_gateway, model: str) -> None:
    run = await chatterm(
        "ask", *gw_args(demo_gateway), "--no-save", "--json", "--search", "--model", model, "latest sqlite release"
    )
    assert run.code == 0, run.err
    citations = json.loads(run.out)["citations"]
    assert citations and all(url.startswith("http") for url in citations)


async def test_grok4_search_no_longer_supported_answers_without_search(demo_gateway) -> None:
    run = await chatterm("ask", *gw_args(demo_gateway), "--no-save", "--search", "--model", "grok-4", "latest news")
    assert run.code == 0, run.err
    assert "search" in run.err.lower() and run.out.strip()
    bodies = [r.body for r in demo_gateway.requests]
    assert "search_parameters" in bodies[0] and "search_parameters" not in bodies[-1]


async def test_structured_output_is_validated(demo_gateway, tmp_path) -> None:
    schema = {
        "type": "object",
        "properties": {"name": {"type": "string"}, "age": {"type": "integer"}},
        "required": ["name", "age"],
    }
    path = tmp_path / "person.json"
    path.write_text(json.dumps(schema))
    run = await chatterm("ask", *gw_args(demo_gateway), "--no-save", "--schema", str(path), "a person")
    assert run.code == 0, run.err
    assert set(json.loads(run.out)) >= {"name", "age"}
    assert demo_gateway.requests[-1].body["response_format"]["type"] == "json_schema"
    run = await chatterm("ask", *gw_args(demo_gateway), "--no-save", "--json", "--schema", str(path), "!badjson person")
    data = json.loads(run.out)
    assert data["schema_error"] and data["schema_error"]["path"].startswith("$")


async def test_schema_path_with_a_tilde_is_read_once_and_checked(demo_gateway, tmp_path) -> None:
    """`--schema=~/person.json` (no shell expands that tilde) used to be shaped into the
    request and then read again without `~` expanded: a FileNotFoundError traceback."""
    schema = {"type": "object", "properties": {"name": {"type": "string"}}, "required": ["name"]}
    (tmp_path / "person.json").write_text(json.dumps(schema))
    run = await chatterm(
        "ask",
        *gw_args(demo_gateway),
        "--no-save",
        "--json",
        "--schema=~/person.json",
        "!badjson person",
        env={"HOME": str(tmp_path)},
    )
    assert run.code == 0, run.err
    assert json.loads(run.out)["schema_error"]["path"].startswith("$")
    assert demo_gateway.requests[-1].body["response_format"]["json_schema"]["schema"] == schema


async def test_file_goes_to_responses(demo_gateway, tmp_path) -> None:
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(b"%PDF-1.4\n" + b"x" * 1000)
    run = await chatterm("ask", *gw_args(demo_gateway), "--no-save", "--json", "--file", str(pdf), "Summarise the file")
    assert run.code == 0, run.err
    assert demo_gateway.requests[-1].path.endswith("/responses")
    assert "report.pdf" in json.loads(run.out)["content"]


async def test_missing_file_is_refused_before_sending(demo_gateway, tmp_path) -> None:
    run = await chatterm("ask", *gw_args(demo_gateway), "--no-save", "--file", str(tmp_path / "nope.pdf"), "hi")
    assert run.code == 2 and "nope.pdf" in run.err
    assert demo_gateway.requests == []
