"""Helpers for the demo gateway tests: the OpenAI spec schemas and an SSE splitter.

The schemas live in the shared spec folder beside the repository
(`<repo>/../shared/spec`); tests that need them skip when it is absent.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

import pytest

import chatterm

SPEC_DIR = Path(chatterm.__file__).resolve().parents[2] / "shared" / "spec"
AUTH = {"Authorization": "Bearer demo-key"}


@lru_cache(maxsize=None)
def _validator(name: str) -> Any:
    from jsonschema import Draft202012Validator

    path = SPEC_DIR / f"{name}.schema.json"
    if not path.is_file():
        pytest.skip(f"spec schema {path} not available")
    return Draft202012Validator(json.loads(path.read_text()))


def validate(name: str, value: Any) -> None:
    """Raise jsonschema.ValidationError when `value` does not fit `<name>.schema.json`."""
    _validator(name).validate(value)


def sse_events(text: str) -> list[tuple[str | None, str]]:
    """(event, data) pairs of an SSE body, as the demo writes it (LF line ends)."""
    out: list[tuple[str | None, str]] = []
    for block in text.split("\n\n"):
        if not block.strip():
            continue
        event = None
        data: list[str] = []
        for line in block.split("\n"):
            if line.startswith("event: "):
                event = line[7:]
            elif line.startswith("data: "):
                data.append(line[6:])
        out.append((event, "\n".join(data)))
    return out


def chunks(text: str) -> list[dict[str, Any]]:
    """The JSON chunks of a chat completions stream (everything but `[DONE]`)."""
    return [json.loads(data) for _, data in sse_events(text) if data != "[DONE]"]


def content_of(chunk_list: list[dict[str, Any]]) -> str:
    return "".join(
        c["choices"][0]["delta"].get("content") or ""
        for c in chunk_list
        if c.get("choices") and not c["choices"][0]["delta"].get("extra_content")
    )


def user(text: str) -> list[dict[str, Any]]:
    return [{"role": "user", "content": text}]
