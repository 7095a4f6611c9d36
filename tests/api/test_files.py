"""Files for /v1/responses: encoding, and refusals before anything is sent.

Big files are sparse (`truncate`), so a 60 MB file costs no disk and no write time;
the size checks use stat and must not read them.
"""

from __future__ import annotations

import base64
import os
import re
import subprocess
from pathlib import Path

import pytest

from chatterm.api import files as files_mod
from chatterm.api.errors import RequestValidationError
from chatterm.api.files import MAX_FILE_BYTES, display_name, encode_files
from chatterm.api.request import ChatRequest
from chatterm.api.shaping import prepare
from chatterm.api.types import FileInput

from .conftest import DemoPair

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16


def sparse(path: Path, size: int) -> Path:
    subprocess.run(["truncate", "-s", str(size), str(path)], check=True)
    return path


def test_local_pdf_becomes_input_file_with_a_data_url(tmp_path: Path) -> None:
    pdf = tmp_path / "Quarterly Report.pdf"
    pdf.write_bytes(b"%PDF-1.7\n%binary\xff\n")
    [part] = encode_files([FileInput(str(pdf))]).parts
    assert part["type"] == "input_file" and part["filename"] == "Quarterly Report.pdf"
    prefix = "data:application/pdf;base64,"
    assert part["file_data"].startswith(prefix)
    assert base64.b64decode(part["file_data"][len(prefix) :]) == pdf.read_bytes()


def test_url_becomes_input_file_with_file_url_and_image_urls_input_image() -> None:
    parts = encode_files(
        [FileInput("https://example.com/papers/a.pdf"), FileInput("https://example.com/cat.webp")]
    ).parts
    assert parts == [
        {"type": "input_file", "file_url": "https://example.com/papers/a.pdf"},
        {"type": "input_image", "image_url": "https://example.com/cat.webp", "detail": "auto"},
    ]
    assert display_name("https://example.com/papers/a.pdf") == "a.pdf"


@pytest.mark.parametrize("suffix", [".png", ".JPG", ".gif", ".webp", ""])
def test_images_become_input_image_data_urls_typed_by_their_bytes(tmp_path: Path, suffix: str) -> None:
    image = tmp_path / f"pic{suffix}"
    image.write_bytes(PNG)
    [part] = encode_files([FileInput(str(image))]).parts
    assert part == {  # a PNG whatever its name says
        "type": "input_image",
        "detail": "auto",
        "image_url": f"data:image/png;base64,{base64.b64encode(PNG).decode()}",
    }


def test_text_files_are_inlined_as_input_text_named(tmp_path: Path) -> None:
    notes = tmp_path / "notes.md"
    notes.write_text("# Plan\nship it ✓\n", encoding="utf-8")
    unknown = tmp_path / "README"
    unknown.write_text("plain words", encoding="utf-8")
    parts = encode_files([FileInput(str(notes)), FileInput(str(unknown))]).parts
    assert parts == [
        {"type": "input_text", "text": '<file name="notes.md">\n# Plan\nship it ✓\n</file>'},
        {"type": "input_text", "text": '<file name="README">\nplain words\n</file>'},
    ]


def test_a_pdf_without_its_suffix_is_recognised_by_its_header(tmp_path: Path) -> None:
    blob = tmp_path / "download"
    blob.write_bytes(b"%PDF-1.5\n\x00\x01binary")
    [part] = encode_files([FileInput(str(blob))]).parts
    assert part["type"] == "input_file" and part["file_data"].startswith("data:application/pdf;base64,")


def test_missing_file_is_refused_by_name(tmp_path: Path) -> None:
    with pytest.raises(RequestValidationError, match=r"file .*nowhere\.pdf: no such file"):
        encode_files([FileInput(str(tmp_path / "nowhere.pdf"))])


def test_directory_is_refused(tmp_path: Path) -> None:
    with pytest.raises(RequestValidationError, match="is a directory"):
        encode_files([FileInput(str(tmp_path))])


@pytest.mark.parametrize("name", ["setup.exe", "archive.zip"])
def test_unsupported_types_are_refused_by_name(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_bytes(b"MZ\x00\x00\xff\xfe binary")
    with pytest.raises(RequestValidationError, match=rf"file {name}: type .* is not taken by the gateway"):
        encode_files([FileInput(str(path))])


def test_unsupported_url_type_is_refused() -> None:
    with pytest.raises(RequestValidationError, match=r"\.zip is not taken"):
        encode_files([FileInput("https://example.com/a.zip")])


def test_one_file_over_50_mb_is_refused_without_reading_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    big = sparse(tmp_path / "huge.pdf", 60 * 1024 * 1024)

    def no_read(self: Path) -> bytes:  # pragma: no cover - failing the test is the point
        raise AssertionError("the size check read the file")

    monkeypatch.setattr(Path, "read_bytes", no_read)
    with pytest.raises(RequestValidationError, match=r"file huge\.pdf: 62\.9 MB is over the 50 MB limit for one file"):
        encode_files([FileInput(str(big))])


def test_a_file_of_exactly_the_limit_is_accepted_by_the_check(tmp_path: Path) -> None:
    edge = sparse(tmp_path / "edge.pdf", MAX_FILE_BYTES)
    [checked] = files_mod.check_files([FileInput(str(edge))])
    assert checked.size == MAX_FILE_BYTES


def test_a_set_over_50_mb_in_total_is_refused_naming_the_files(tmp_path: Path) -> None:
    a = sparse(tmp_path / "a.pdf", 30_000_000)
    b = sparse(tmp_path / "b.pdf", 30_000_000)
    with pytest.raises(
        RequestValidationError, match=r"60\.0 MB in total .* \(a\.pdf \(30\.0 MB\), b\.pdf \(30\.0 MB\)\)"
    ):
        encode_files([FileInput(str(a)), FileInput(str(b))])


def test_prepare_refuses_bad_files_before_building_a_body(tmp_path: Path) -> None:
    req = ChatRequest("gpt-4o", [{"role": "user", "content": "read"}], files=[FileInput(str(tmp_path / "gone.pdf"))])
    with pytest.raises(RequestValidationError, match=r"gone\.pdf: no such file"):
        prepare(req)


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads everything")
def test_unreadable_file_is_refused(tmp_path: Path) -> None:
    locked = tmp_path / "locked.pdf"
    locked.write_bytes(b"%PDF")
    locked.chmod(0)
    try:
        with pytest.raises(RequestValidationError, match="permission denied"):
            encode_files([FileInput(str(locked))])
    finally:
        locked.chmod(0o600)


# --- end to end over loopback TCP against the demo gateway ------------------------------


async def test_files_reach_the_gateway_on_responses_by_name_and_size(tmp_path: Path, demo: DemoPair) -> None:
    gateway, client = demo
    pdf = tmp_path / "brief.pdf"
    pdf.write_bytes(b"%PDF-1.4\n" + b"x" * 991)
    notes = tmp_path / "notes.txt"
    notes.write_text("remember the milk", encoding="utf-8")
    req = ChatRequest(
        "gpt-4o", [{"role": "user", "content": "Summarise these"}], files=[FileInput(str(pdf)), FileInput(str(notes))]
    )
    reply = await client.complete(req)
    [sent] = gateway.requests
    assert sent.path == "/v1/responses"
    parts = sent.body["input"][-1]["content"]
    assert [p["type"] for p in parts] == ["input_file", "input_text", "input_text"]
    assert parts[1]["text"] == '<file name="notes.txt">\nremember the milk\n</file>'
    assert parts[2] == {"type": "input_text", "text": "Summarise these"}
    assert re.search(r"`brief\.pdf` \(application/pdf, 1,?000 bytes\)", reply.content)


async def test_a_refused_file_sends_nothing(tmp_path: Path, demo: DemoPair) -> None:
    gateway, client = demo
    big = sparse(tmp_path / "scan.pdf", 51_000_000)
    req = ChatRequest("gpt-4o", [{"role": "user", "content": "read"}], files=[FileInput(str(big))])
    with pytest.raises(RequestValidationError, match=r"scan\.pdf: 51\.0 MB is over the 50 MB limit"):
        await client.complete(req)
    assert gateway.requests == []
