"""Files for the Responses API: `FileInput` -> Responses input content parts.

The gateway takes files only on `POST /v1/responses` (never chat completions), at most
50 MB a file and 50 MB for all files of one request. Everything is checked before a
byte is read or sent: existence and sizes come from `stat`, so a 4 GB file is refused
without being opened, and each message names the file.

    local PDF          {"type": "input_file", "filename", "file_data": "data:application/pdf;base64,..."}
    local image        {"type": "input_image", "image_url": "data:image/png;base64,...", "detail": "auto"}
    local text file    {"type": "input_text", "text": "<file name=...>\\n...\\n</file>"}
    URL (http/https)   {"type": "input_file", "file_url"}  (image URLs: input_image with image_url)

Text files are inlined as `input_text` rather than sent as `input_file`: the gateway
documents `input_file` for PDFs only, while inlined text works with every model
behind it, costs no server-side parsing, and the model still sees the file name.
"""

from __future__ import annotations

import base64
import codecs
import os
import stat as stat_mode
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from chatterm.api.errors import RequestValidationError
from chatterm.api.types import FileInput

MAX_FILE_BYTES = 50_000_000
"""Per file and per request. "50 MB" read as decimal megabytes, the smaller reading,
so chatterm never sends a file the gateway might refuse."""
MAX_TOTAL_BYTES = 50_000_000

PDF_TYPES = {".pdf": "application/pdf"}
IMAGE_TYPES = {
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
}
TEXT_SUFFIXES = frozenset(
    {
        ".txt",
        ".md",
        ".markdown",
        ".rst",
        ".csv",
        ".tsv",
        ".json",
        ".jsonl",
        ".yaml",
        ".yml",
        ".toml",
        ".ini",
        ".cfg",
        ".xml",
        ".html",
        ".htm",
        ".css",
        ".log",
        ".py",
        ".js",
        ".ts",
        ".tsx",
        ".jsx",
        ".java",
        ".c",
        ".h",
        ".cpp",
        ".hpp",
        ".rs",
        ".go",
        ".rb",
        ".php",
        ".sh",
        ".sql",
        ".tex",
        ".swift",
        ".kt",
        ".cs",
        ".lua",
        ".r",
    }
)
SUPPORTED_TEXT = "PDF, PNG, JPEG, GIF, WebP or a UTF-8 text file"

_SNIFF_BYTES = 8192


@dataclass(frozen=True, slots=True)
class _Checked:
    source: str
    path: Path | None
    size: int
    kind: str  # "pdf" | "image" | "text" | "url-file" | "url-image"
    mime: str | None


def is_url(source: str) -> bool:
    return urlparse(source).scheme in ("http", "https")


def display_name(source: str) -> str:
    """What the user sees for an attachment (the file name, or the URL's last part)."""
    if is_url(source):
        tail = urlparse(source).path.rstrip("/").rsplit("/", 1)[-1]
        return tail or source
    return Path(source).name or source


def check_files(files: list[FileInput]) -> list[_Checked]:
    """Refuse missing, oversized or unsupported files (stat only; nothing is read
    except a small head of files with no known suffix)."""
    checked: list[_Checked] = []
    for item in files:
        checked.append(_check_one(item.source))
    total = sum(c.size for c in checked)
    if total > MAX_TOTAL_BYTES:
        names = ", ".join(f"{display_name(c.source)} ({_mb(c.size)})" for c in checked if c.path)
        raise RequestValidationError(f"files: {_mb(total)} in total is over the 50 MB limit for one request ({names})")
    return checked


def encode_files(files: list[FileInput]) -> list[dict[str, Any]]:
    """Content parts for a Responses user message, in the order given."""
    return [_encode(c) for c in check_files(files)]


def _check_one(source: str) -> _Checked:
    if "://" in source and not is_url(source):
        scheme = source.split("://", 1)[0]
        raise RequestValidationError(f"file {source}: only http:// and https:// URLs can be sent, not {scheme}://")
    if is_url(source):
        suffix = Path(urlparse(source).path).suffix.lower()
        if suffix in IMAGE_TYPES:
            return _Checked(source, None, 0, "url-image", IMAGE_TYPES[suffix])
        if suffix and suffix not in PDF_TYPES and suffix not in TEXT_SUFFIXES:
            raise RequestValidationError(
                f"file {source}: type {suffix} is not taken by /v1/responses (send a {SUPPORTED_TEXT})"
            )
        return _Checked(source, None, 0, "url-file", None)
    path = Path(source).expanduser()
    name = path.name or source
    try:
        stat = path.stat()
    except FileNotFoundError:
        raise RequestValidationError(f"file {source}: no such file") from None
    except OSError as exc:
        raise RequestValidationError(f"file {source}: cannot read it ({exc.strerror})") from None
    if path.is_dir():
        raise RequestValidationError(f"file {source}: is a directory, not a file")
    if not stat_mode.S_ISREG(stat.st_mode):
        # A pipe (`--file <(cmd)`), FIFO or device: its size is unknown, a read may
        # block for ever, and it cannot be read twice (once to check, once to send).
        raise RequestValidationError(f"file {source}: not a regular file (a pipe or device); save it to a file first")
    if stat.st_size == 0:
        raise RequestValidationError(f"file {name}: is empty, nothing to send")
    if stat.st_size > MAX_FILE_BYTES:
        raise RequestValidationError(f"file {name}: {_mb(stat.st_size)} is over the 50 MB limit for one file")
    if not os.access(path, os.R_OK):
        raise RequestValidationError(f"file {source}: permission denied")
    suffix = path.suffix.lower()
    if suffix in PDF_TYPES:
        return _Checked(source, path, stat.st_size, "pdf", PDF_TYPES[suffix])
    if suffix in IMAGE_TYPES:
        return _Checked(source, path, stat.st_size, "image", IMAGE_TYPES[suffix])
    if suffix in TEXT_SUFFIXES:
        return _Checked(source, path, stat.st_size, "text", "text/plain")
    head = _head(path)
    if head.startswith(b"%PDF-"):
        return _Checked(source, path, stat.st_size, "pdf", "application/pdf")
    if _looks_like_text(head):
        return _Checked(source, path, stat.st_size, "text", "text/plain")
    raise RequestValidationError(
        f"file {name}: type {suffix or '(no extension, not text)'} is not taken by "
        f"/v1/responses (send a {SUPPORTED_TEXT})"
    )


def _encode(c: _Checked) -> dict[str, Any]:
    if c.kind == "url-image":
        return {"type": "input_image", "image_url": c.source, "detail": "auto"}
    if c.kind == "url-file":
        return {"type": "input_file", "file_url": c.source}
    assert c.path is not None
    data = _read(c)
    if c.kind == "text":
        try:
            text = _utf8_text(data)
        except UnicodeDecodeError:
            raise RequestValidationError(f"file {c.path.name}: not UTF-8 text, so it cannot be sent as text") from None
        body = text[:-1] if text.endswith("\n") else text  # its own last newline ends the line
        return {"type": "input_text", "text": f'<file name="{c.path.name}">\n{body}\n</file>'}
    url = _base64_text(data, prefix=f"data:{c.mime};base64,")
    if c.kind == "image":
        return {"type": "input_image", "image_url": url, "detail": "auto"}
    return {"type": "input_file", "filename": c.path.name, "file_data": url}


SLICE = 3 * 1024 * 1024
"""Bytes encoded or decoded per call (a multiple of 3, so base64 slices join exactly).
One call over 50 MB keeps the GIL ~100 ms; the client prepares files in a worker thread,
and slices let the event loop (the TUI) run between them."""


def _base64_text(data: bytes, prefix: str = "") -> str:
    view = memoryview(data)
    slices = (base64.b64encode(view[i : i + SLICE]).decode("ascii") for i in range(0, len(data), SLICE))
    return "".join([prefix, *slices])


def _utf8_text(data: bytes) -> str:
    decoder = codecs.getincrementaldecoder("utf-8")()
    view = memoryview(data)
    text = "".join(decoder.decode(view[i : i + SLICE]) for i in range(0, len(data), SLICE))
    return text + decoder.decode(b"", final=True)


def _read(c: _Checked) -> bytes:
    assert c.path is not None
    try:
        data = c.path.read_bytes()
    except OSError as exc:
        raise RequestValidationError(f"file {c.source}: cannot read it ({exc.strerror})") from None
    if len(data) > MAX_FILE_BYTES:  # grew between stat and read
        raise RequestValidationError(f"file {c.path.name}: {_mb(len(data))} is over the 50 MB limit for one file")
    return data


def _head(path: Path) -> bytes:
    try:
        with path.open("rb") as fh:
            return fh.read(_SNIFF_BYTES)
    except OSError as exc:
        raise RequestValidationError(f"file {path}: cannot read it ({exc.strerror})") from None


def _looks_like_text(head: bytes) -> bool:
    if b"\x00" in head:
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        # A multi-byte character cut at the sniff boundary is still text.
        return exc.start >= len(head) - 3
    return True


def _mb(size: int) -> str:
    if size < 1_000:
        return f"{size} bytes"
    if size < 1_000_000:
        return f"{size / 1_000:.1f} KB"
    return f"{size / 1_000_000:.1f} MB"
