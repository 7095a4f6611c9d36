"""A request body as JSON bytes, in slices, for bodies that carry files.

A body with a 50 MB file holds ~67 MB of base64. `json.dumps` escapes a string in one C
call that keeps the GIL (~100-300 ms for that size), so even in a worker thread it
freezes the event loop (the TUI) for that long. Here each string over `BIG` characters
is swapped for a marker, the small rest is encoded as usual, and the big strings are
encoded a slice at a time (escaping is per character, so slices join exactly) and
spliced in where their markers are: the thread gives the GIL back between slices.

The bytes are what httpx would send for `json=body` (UTF-8, no spaces, no NaN).
"""

from __future__ import annotations

import json
import uuid
from typing import Any

BIG = 1_000_000
"""Strings longer than this (characters) are encoded in slices."""
SLICE = 1_000_000


def json_bytes(body: Any) -> bytes:
    nonce = uuid.uuid4().hex
    big: list[str] = []
    light = _swap_big(body, big, nonce)
    rest = _dumps(light).encode("utf-8")
    pieces: list[bytes] = []
    for index, text in enumerate(big):  # markers come in the order they were made
        before, found, rest = rest.partition(_dumps(f"{nonce}:{index}").encode("utf-8"))
        assert found, "a big string's marker is missing"
        pieces += [before, b'"', *_big_string_slices(text), b'"']
    pieces.append(rest)
    return b"".join(pieces)  # the one copy of the whole body


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def _swap_big(node: Any, big: list[str], nonce: str) -> Any:
    if isinstance(node, str) and len(node) > BIG:
        big.append(node)
        return f"{nonce}:{len(big) - 1}"
    if isinstance(node, dict):
        return {key: _swap_big(value, big, nonce) for key, value in node.items()}
    if isinstance(node, list):
        return [_swap_big(value, big, nonce) for value in node]
    return node


def _big_string_slices(text: str) -> list[bytes]:
    """The JSON string's inside, a slice at a time (escaping is per character)."""
    return [_dumps(text[start : start + SLICE])[1:-1].encode("utf-8") for start in range(0, len(text), SLICE)]
