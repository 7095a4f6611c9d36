"""A body carrying files is serialised in slices, to the bytes httpx would send."""

from __future__ import annotations

import json

import httpx

from chatterm.api.json_body import BIG, json_bytes


def test_a_body_with_big_strings_encodes_as_httpx_would() -> None:
    big_ascii = "QUJD" * (BIG // 2)  # base64, as a file's data URL holds
    big_text = ('a "quoted" line\\ with é, 😀 and a tab\t\n' * (BIG // 30))[: BIG + 7]
    body = {
        "model": "gpt-4o",
        "input": [{"role": "user", "content": [{"type": "input_file", "file_data": big_ascii}]}],
        "text": big_text,
        "marker_like": "0:0",
        "n": [1, 2.5, None, True],
    }
    encoded = json_bytes(body)
    assert encoded == httpx.Request("POST", "http://x", json=body).content
    assert json.loads(encoded) == body
