"""`chatterm ask --file` / `--json-object` / `--schema`, as subprocesses
on the demo gateway: refusals happen before any request; JSON mode checks the reply."""

from __future__ import annotations

import json
import os
from pathlib import Path

from .runner import achatterm, gw


async def test_a_pipe_given_as_file_is_refused_before_sending(demo_gateway, tmp_path: Path) -> None:
    fifo = tmp_path / "piped"
    os.mkfifo(fifo)
    run = await achatterm("ask", *gw(demo_gateway), "--no-save", "--file", str(fifo), "summarise")
    assert run.code == 2
    assert "not a regular file (a pipe or device); save it to a file first" in run.err
    assert not [r for r in demo_gateway.requests if r.method == "POST"]


async def test_an_empty_file_is_refused_before_sending(demo_gateway, tmp_path: Path) -> None:
    (tmp_path / "empty.pdf").write_bytes(b"")
    run = await achatterm("ask", *gw(demo_gateway), "--no-save", "--file", str(tmp_path / "empty.pdf"), "hi")
    assert run.code == 2 and "empty.pdf: is empty" in run.err
    assert not [r for r in demo_gateway.requests if r.method == "POST"]


async def test_json_object_reply_that_is_not_an_object_is_flagged(demo_gateway) -> None:
    run = await achatterm("ask", *gw(demo_gateway), "--no-save", "--json-object", "give me !badjson")
    assert run.code == 0, run.err
    assert json.loads(run.out) == ["not", "an", "object"]  # stdout stays pure JSON
    assert "$: expected object, got array" in run.err

    run = await achatterm("ask", *gw(demo_gateway), "--no-save", "--json-object", "--json", "!badjson")
    data = json.loads(run.out)
    assert data["schema_error"] == {"path": "$", "message": "expected object, got array"}

    run = await achatterm("ask", *gw(demo_gateway), "--no-save", "--json-object", "--json", "a fine one")
    assert json.loads(run.out)["schema_error"] is None
    assert demo_gateway.requests[-1].body["response_format"] == {"type": "json_object"}


async def test_a_schema_file_saved_with_a_bom_is_used(demo_gateway, tmp_path: Path) -> None:
    schema = {
        "type": "object",
        "properties": {"n": {"type": "integer"}},
        "required": ["n"],
        "additionalProperties": False,
    }
    path = tmp_path / "win.json"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps(schema).encode())
    run = await achatterm("ask", *gw(demo_gateway), "--no-save", "--schema", str(path), "a number")
    assert run.code == 0, run.err
    assert isinstance(json.loads(run.out)["n"], int)
    assert demo_gateway.requests[-1].body["response_format"]["json_schema"]["schema"] == schema
