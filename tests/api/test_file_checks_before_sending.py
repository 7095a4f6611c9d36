"""Files and structured output: what the checks refuse before sending.

Pipes and FIFOs (`--file <(cmd)`) used to be read once to sniff their type and again
to send, so the model got an empty file (or the read blocked for ever on a FIFO with
no writer); an empty file was sent as an empty PDF; `ftp://` was "no such file".
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from chatterm.api.errors import RequestValidationError
from chatterm.api.files import check_files
from chatterm.api.structured import check_schema_of, load_schema, response_format_for_schema, validate_reply
from chatterm.api.types import FileInput


def test_a_fifo_is_refused_without_being_opened(tmp_path: Path) -> None:
    fifo = tmp_path / "stream.pdf"
    os.mkfifo(fifo)  # no writer: opening it for reading would block for ever
    with pytest.raises(RequestValidationError, match=r"stream\.pdf: not a regular file \(a pipe or device\)"):
        check_files([FileInput(str(fifo))])


def test_an_empty_file_is_refused(tmp_path: Path) -> None:
    empty = tmp_path / "empty.pdf"
    empty.write_bytes(b"")
    with pytest.raises(RequestValidationError, match=r"empty\.pdf: is empty"):
        check_files([FileInput(str(empty))])


def test_a_url_that_is_not_http_is_named_as_such() -> None:
    with pytest.raises(RequestValidationError, match=r"only http:// and https:// URLs.*not ftp://"):
        check_files([FileInput("ftp://example.com/a.pdf")])


def test_the_total_names_small_files_in_readable_units(tmp_path: Path) -> None:
    big = tmp_path / "big.pdf"
    subprocess.run(["truncate", "-s", "49000000", str(big)], check=True)
    small = tmp_path / "small.pdf"
    small.write_bytes(b"%PDF-1.4\n" + b"x" * 1_991_000)
    tiny = tmp_path / "tiny.pdf"
    tiny.write_bytes(b"%PDF-1.4\n")
    with pytest.raises(RequestValidationError) as caught:
        check_files([FileInput(str(p)) for p in (big, small, tiny)])
    message = str(caught.value)
    assert "big.pdf (49.0 MB)" in message and "small.pdf (2.0 MB)" in message
    assert "tiny.pdf (9 bytes)" in message and "0.0 MB" not in message


def test_a_schema_file_with_a_byte_order_mark_is_read(tmp_path: Path) -> None:
    path = tmp_path / "win.json"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps({"type": "object"}).encode())
    assert load_schema(path) == {"type": "object"}


def test_a_schema_that_is_a_folder_says_so(tmp_path: Path) -> None:
    with pytest.raises(RequestValidationError, match=r"is a directory, not a file$"):
        response_format_for_schema(tmp_path)


def test_json_mode_replies_must_be_objects() -> None:
    schema = check_schema_of({"type": "json_object"})
    assert schema == {"type": "object"}
    outcome = validate_reply('["not", "an", "object"]', schema)
    assert not outcome.ok and outcome.error_path == "$" and "object" in (outcome.message or "")
    assert validate_reply('{"a": 1}', schema).ok
    assert check_schema_of(None) is None
