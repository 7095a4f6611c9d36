"""Attached files -> request content parts, for either endpoint.

The gateway takes at most 50 MB a file and 50 MB for all files of one request.
Everything is checked before a byte is sent: existence and sizes come from `stat`, so
a 4 GB file is refused without being opened, and each message names the file. What a
file is comes from its bytes (`media/detect.py`), not its name: a PNG called `x.jpg`
goes as a PNG, and a text file called `x.png` is refused as "not an image".

    local PDF          responses  {"type": "input_file", "filename", "file_data": "data:application/pdf;base64,..."}
    local image        responses  {"type": "input_image", "image_url": "data:image/png;base64,...", "detail": "auto"}
                       chat       {"type": "image_url", "image_url": {"url": "data:image/png;base64,...", "detail": "auto"}}
    local audio        chat       {"type": "input_audio", "input_audio": {"data": "data:;base64,...", "format": "wav"}}
    local text file    responses  {"type": "input_text", "text": "<file name=...>\\n...\\n</file>"}
    URL (http/https)   responses  {"type": "input_file", "file_url"}  (image URLs: an image part holding the URL,
                                  on either endpoint)

PDFs, text files and file URLs go only to `/v1/responses` (the gateway documents files
there); audio only to chat completions (Qwen's omni/ASR models, the audio shape of
DashScope's compatible mode); images to either (`endpoints_for`).

Images larger than `max_side` pixels are scaled down first (`media/prepare.py`); an
image must then be at most `MAX_IMAGE_BYTES`.

Text files are inlined as `input_text` rather than sent as `input_file`: the gateway
documents `input_file` for PDFs only, while inlined text works with every model
behind it, costs no server-side parsing, and the model still sees the file name.
"""

from __future__ import annotations

import base64
import codecs
import os
import stat as stat_mode
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlparse

from chatterm.api.errors import RequestValidationError
from chatterm.api.types import FileInput
from chatterm.media.detect import AUDIO_LABELS, IMAGE_LABELS, SNIFF_BYTES, Media, sniff

MAX_FILE_BYTES = 50_000_000
"""Per file and per request. "50 MB" read as decimal megabytes, the smaller reading,
so chatterm never sends a file the gateway might refuse."""
MAX_TOTAL_BYTES = 50_000_000
MAX_IMAGE_BYTES = 20_000_000
"""Per image, as sent (after scaling): OpenAI's documented limit for one image input,
the strictest of the providers behind the gateway."""

PDF_TYPES = {".pdf": "application/pdf"}
IMAGE_TYPES = {
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
}
"""Names of image URLs (a URL's bytes are not fetched to be judged)."""
AUDIO_SUFFIXES = frozenset({".wav", ".mp3", ".m4a", ".aac", ".flac", ".ogg", ".opus", ".oga"})
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
SUPPORTED_TEXT = f"PDF, {IMAGE_LABELS} image, {AUDIO_LABELS} audio or a UTF-8 text file"

_SNIFF_BYTES = 8192

Kind = Literal["pdf", "image", "audio", "text", "url-file", "url-image"]
RESPONSES_ONLY: frozenset[str] = frozenset({"pdf", "text", "url-file"})
CHAT_ONLY: frozenset[str] = frozenset({"audio"})


@dataclass(frozen=True, slots=True)
class _Checked:
    source: str
    path: Path | None
    size: int
    kind: Kind
    mime: str | None
    media: Media | None = None


@dataclass(slots=True)
class Encoded:
    """Content parts for the last user message, and what to tell the user once."""

    parts: list[dict[str, Any]] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)


def is_url(source: str) -> bool:
    return urlparse(source).scheme in ("http", "https")


def display_name(source: str) -> str:
    """What the user sees for an attachment (the file name, or the URL's last part)."""
    if is_url(source):
        tail = urlparse(source).path.rstrip("/").rsplit("/", 1)[-1]
        return tail or source
    return Path(source).name or source


def check_files(files: list[FileInput], *, max_side: int = 0) -> list[_Checked]:
    """Refuse missing, oversized or unsupported files (stat and the first bytes only).

    An image over `MAX_IMAGE_BYTES` passes when it will be scaled (`max_side` > 0); its
    scaled size is checked when it is encoded."""
    checked: list[_Checked] = []
    for item in files:
        checked.append(_check_one(item.source, max_side))
    total = sum(c.size for c in checked)
    if total > MAX_TOTAL_BYTES:
        names = ", ".join(f"{display_name(c.source)} ({_mb(c.size)})" for c in checked if c.path)
        raise RequestValidationError(f"files: {_mb(total)} in total is over the 50 MB limit for one request ({names})")
    return checked


def endpoints_for(kinds: set[str]) -> tuple[str, ...]:
    """The endpoints that can carry these attachments: ("chat", "responses") for images
    alone, one of them otherwise; () when none can carry them all."""
    if kinds & RESPONSES_ONLY and kinds & CHAT_ONLY:
        return ()
    if kinds & CHAT_ONLY:
        return ("chat",)
    if kinds & RESPONSES_ONLY:
        return ("responses",)
    return ("chat", "responses")


def encode_files(files: list[FileInput], protocol: str = "responses", *, max_side: int = 0) -> Encoded:
    """Content parts for the last user message on `protocol`, in the order given."""
    encoded = Encoded()
    sent = 0
    for c in check_files(files, max_side=max_side):
        part, size = _encode(c, protocol, max_side, encoded.notices)
        sent += size
        if sent > MAX_TOTAL_BYTES:
            raise RequestValidationError(f"files: {_mb(sent)} in total is over the 50 MB limit for one request")
        encoded.parts.append(part)
    return encoded


def _check_one(source: str, max_side: int) -> _Checked:
    if "://" in source and not is_url(source):
        scheme = source.split("://", 1)[0]
        raise RequestValidationError(f"file {source}: only http:// and https:// URLs can be sent, not {scheme}://")
    if is_url(source):
        suffix = Path(urlparse(source).path).suffix.lower()
        if suffix in IMAGE_TYPES:
            return _Checked(source, None, 0, "url-image", IMAGE_TYPES[suffix])
        if suffix and suffix not in PDF_TYPES and suffix not in TEXT_SUFFIXES:
            raise RequestValidationError(
                f"file {source}: type {suffix} is not taken by URL (send a PDF, a text file or an "
                f"{IMAGE_LABELS} image by URL; attach audio as a local file)"
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
    head = _head(path)
    media = sniff(head[:SNIFF_BYTES])
    if media is not None and media.kind == "image":
        if stat.st_size > MAX_IMAGE_BYTES and max_side <= 0:
            raise RequestValidationError(
                f"file {name}: {_mb(stat.st_size)} is over the 20 MB limit for one image "
                "(set images.max_side to send it scaled down)"
            )
        return _Checked(source, path, stat.st_size, "image", media.mime, media)
    if media is not None:
        return _Checked(source, path, stat.st_size, "audio", media.mime, media)
    if suffix in PDF_TYPES or head.startswith(b"%PDF-"):
        return _Checked(source, path, stat.st_size, "pdf", "application/pdf")
    if suffix in IMAGE_TYPES or suffix in AUDIO_SUFFIXES:
        what = "image" if suffix in IMAGE_TYPES else "audio"
        labels = IMAGE_LABELS if what == "image" else AUDIO_LABELS
        raise RequestValidationError(f"file {name}: named {suffix} but its bytes are not a {labels} {what}")
    if suffix in TEXT_SUFFIXES or _looks_like_text(head):
        return _Checked(source, path, stat.st_size, "text", "text/plain")
    raise RequestValidationError(
        f"file {name}: type {suffix or '(no extension, not text)'} is not taken by the gateway (send a {SUPPORTED_TEXT})"
    )


def _encode(c: _Checked, protocol: str, max_side: int, notices: list[str]) -> tuple[dict[str, Any], int]:
    """One content part and the bytes it carries."""
    if c.kind == "url-image":
        if protocol == "chat":
            return {"type": "image_url", "image_url": {"url": c.source, "detail": "auto"}}, 0
        return {"type": "input_image", "image_url": c.source, "detail": "auto"}, 0
    if c.kind == "url-file":
        return {"type": "input_file", "file_url": c.source}, 0
    assert c.path is not None
    data = _read(c)
    if c.kind == "text":
        try:
            text = _utf8_text(data)
        except UnicodeDecodeError:
            raise RequestValidationError(f"file {c.path.name}: not UTF-8 text, so it cannot be sent as text") from None
        body = text[:-1] if text.endswith("\n") else text  # its own last newline ends the line
        return {"type": "input_text", "text": f'<file name="{c.path.name}">\n{body}\n</file>'}, len(data)
    if c.kind == "audio":
        assert c.media is not None
        url = _base64_text(data, prefix="data:;base64,")
        return {"type": "input_audio", "input_audio": {"data": url, "format": c.media.wire_format}}, len(data)
    if c.kind == "image":
        assert c.media is not None
        data, media = _fitted(c, data, max_side, notices)
        url = _base64_text(data, prefix=f"data:{media.mime};base64,")
        if protocol == "chat":
            return {"type": "image_url", "image_url": {"url": url, "detail": "auto"}}, len(data)
        return {"type": "input_image", "image_url": url, "detail": "auto"}, len(data)
    url = _base64_text(data, prefix=f"data:{c.mime};base64,")
    return {"type": "input_file", "filename": c.path.name, "file_data": url}, len(data)


def _fitted(c: _Checked, data: bytes, max_side: int, notices: list[str]) -> tuple[bytes, Media]:
    """The image scaled to `max_side` when it is larger, then held to the per-image limit."""
    assert c.media is not None and c.path is not None
    from chatterm.media.prepare import fit

    fitted = fit(data, c.media, max_side)
    if fitted.notice and fitted.notice not in notices:
        notices.append(fitted.notice)
    if len(fitted.data) > MAX_IMAGE_BYTES:
        scaled = f" after scaling to {max_side} px" if fitted.scaled_from else ""
        raise RequestValidationError(
            f"file {c.path.name}: {_mb(len(fitted.data))}{scaled} is over the 20 MB limit for one image"
        )
    return fitted.data, fitted.media


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
