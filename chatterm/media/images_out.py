"""Generated images out of a reply, in every shape providers send them.

- `message.images[]` / `delta.images[]` (OpenRouter, the gateway's `nano-banana-pro`):
  `{"type": "image_url", "image_url": {"url": "data:image/png;base64,..."}}`;
- content-part arrays holding `image_url` parts (`image_url` an object or a plain string),
  and Responses `image_generation_call` items (`result`: bare base64);
- Markdown `![alt](data:image/...;base64,...)` inside the text (Gemini's image models
  through compatible gateways): `MarkdownImageStripper` takes the data URL out of the
  text, across any number of chunks, so base64 never reaches the screen, the history's
  full-text index or the reply-size cap;
- plain `https://` image URLs: kept as a URL (`ImageOutput.url`), never fetched here.

Stdlib only (the layer under `api/`, which re-exports `ImageOutput` from `api/types.py`):
the API parsers call it on the event loop's thread or a worker thread alike.
"""

from __future__ import annotations

import binascii
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class ImageOutput:
    """One image the model produced: the decoded bytes of a data URL or base64 field, or
    only a `url` (an `https://` image the server links to; chatterm never fetches it).
    Decoded once, where it is parsed, so no base64 travels further than the API layer."""

    mime: str
    data: bytes = b""
    url: str | None = None

    def __repr__(self) -> str:  # a 20 MB image must not flood a log or a test failure
        return f"ImageOutput(mime={self.mime!r}, {len(self.data)} bytes, url={self.url!r})"


_DATA_PREFIX = "data:image/"
_MAX_ALT = 500
"""Alt text longer than this (or with a line break) is not an image's: the `![` is text."""

_EXTENSION_MIME = {
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
}


_SLICE = 1 << 20
"""Base64 characters decoded per call (a multiple of 4): `a2b_base64` holds the GIL for
the whole call, ~6 ms a megabyte, so a 27 MB image decoded in one call from a worker
thread would still freeze the UI thread for over 100 ms."""


def b64_bytes(payload: str) -> bytes:
    """Base64 text -> bytes, a slice at a time (see `_SLICE`). Raises binascii.Error."""
    payload = payload.strip()
    if len(payload) <= _SLICE:
        return binascii.a2b_base64(payload)
    if any(c in payload for c in " \r\n\t"):  # folded base64: the slices must stay aligned
        payload = "".join(payload.split())
    return b"".join(binascii.a2b_base64(payload[i : i + _SLICE]) for i in range(0, len(payload), _SLICE))


def decode_data_url(url: str) -> ImageOutput | None:
    """`data:image/png;base64,...` -> the image; None for anything else or bad base64."""
    head, comma, payload = url.partition(",")
    if not comma or not head.lower().startswith("data:image/") or not head.lower().endswith(";base64"):
        return None
    mime = head[5:].split(";", 1)[0].strip().lower()
    try:
        data = b64_bytes(payload)
    except (binascii.Error, ValueError):
        return None
    return ImageOutput(mime, data) if data else None


def decode_base64(payload: str, mime: str = "image/png") -> ImageOutput | None:
    """A bare base64 field (Responses `image_generation_call.result`, `b64_json`)."""
    try:
        data = b64_bytes(payload)
    except (binascii.Error, ValueError):
        return None
    return ImageOutput(mime, data) if data else None


def image_from_url(url: str) -> ImageOutput | None:
    """A data URL decoded, or an `https://` URL kept as a reference."""
    url = url.strip()
    if url.lower().startswith("data:"):
        return decode_data_url(url)
    if url.lower().startswith(("https://", "http://")):
        path = url.split("?", 1)[0].lower()
        mime = next((m for ext, m in _EXTENSION_MIME.items() if path.endswith(ext)), "image/*")
        return ImageOutput(mime, b"", url)
    return None


def image_from_part(part: Any) -> ImageOutput | None:
    """One image part in any of the shapes above; None when the part is not an image."""
    if not isinstance(part, dict):
        return None
    kind = part.get("type")
    value = part.get("image_url")
    if value is None and kind in ("image", "output_image"):
        value = part.get("url") or part.get("image")
    if isinstance(value, dict):
        value = value.get("url")
    if isinstance(value, str):
        return image_from_url(value)
    b64 = part.get("b64_json") or (part.get("result") if kind == "image_generation_call" else None)
    if isinstance(b64, str):
        fmt = part.get("output_format")
        return decode_base64(b64, f"image/{fmt}" if isinstance(fmt, str) and fmt else "image/png")
    return None


def images_in(parts: Any) -> list[ImageOutput]:
    """Every image in a list of parts (`delta.images`, a content array); others skipped."""
    if isinstance(parts, dict):
        parts = [parts]
    if not isinstance(parts, list):
        return []
    found = (image_from_part(p) for p in parts)
    return [image for image in found if image is not None]


class MarkdownImageStripper:
    """Streamed text in, text without Markdown data-URL images out, plus the images.

    The text outside an image passes at once, except a possible start of one (`!`,
    `![alt`, `![alt](data:im`), held until it is told apart. Inside a data URL the
    pieces are collected without being joined or rescanned, so an image split over
    thousands of chunks costs what it weighs, not its square.
    """

    def __init__(self) -> None:
        self._held = ""
        """Text that may start an image (short: bounded by `_MAX_ALT`)."""
        self._pieces: list[str] | None = None
        """Inside a data URL: its pieces so far (None outside one)."""

    def feed(self, text: str) -> tuple[str, list[ImageOutput]]:
        out: list[str] = []
        images: list[ImageOutput] = []
        while text:
            if self._pieces is not None:
                end = text.find(")")
                if end < 0:
                    self._pieces.append(text)
                    return "".join(out), images
                self._pieces.append(text[:end])
                image = decode_data_url("".join(self._pieces))
                if image is not None:
                    images.append(image)
                self._pieces = None
                text = text[end + 1 :]
                continue
            text = self._held + text
            self._held = ""
            text = self._scan(text, out)
        return "".join(out), images

    def flush(self) -> tuple[str, list[ImageOutput]]:
        """The end of the reply: held text that never became an image is text; a data URL
        cut before its `)` is decoded if it is whole base64, else dropped (never shown)."""
        held, self._held = self._held, ""
        if self._pieces is not None:
            image = decode_data_url("".join(self._pieces))
            self._pieces = None
            return held, [image] if image is not None else []
        return held, []

    @property
    def holding(self) -> str:
        """Text held back that is not (yet) an image: part of a partial reply."""
        return self._held

    def _scan(self, text: str, out: list[str]) -> str:
        """Pass text up to a possible image; enter one, or hold its undecided start.
        Returns what is left to feed (after an opened data URL), or ""."""
        at = 0
        while True:
            start = text.find("!", at)
            if start < 0:
                out.append(text[at:])
                return ""
            out.append(text[at:start])
            verdict, url_at = _image_start(text, start)
            if verdict == "undecided":
                self._held = text[start:]
                return ""
            if verdict == "data":
                self._pieces = []
                return text[url_at:]
            out.append(text[start:url_at])
            at = url_at


def _image_start(text: str, start: int) -> tuple[str, int]:
    """At `text[start] == "!"`: ("data", where the URL begins) for a data-URL image,
    ("undecided", start) when the text ends too soon to tell, ("text", where to go on)."""
    n = len(text)
    if start + 1 >= n:
        return "undecided", start
    if text[start + 1] != "[":
        return "text", start + 1
    close = text.find("]", start + 2, start + 2 + _MAX_ALT + 1)
    if close < 0:
        alt = text[start + 2 : start + 2 + _MAX_ALT + 1]
        if "\n" in alt or len(alt) > _MAX_ALT:
            return "text", start + 2
        return "undecided", start
    if "\n" in text[start + 2 : close]:
        return "text", start + 2
    if close + 1 >= n:
        return "undecided", start
    if text[close + 1] != "(":
        return "text", close + 1
    url_at = close + 2
    head = text[url_at : url_at + len(_DATA_PREFIX)].lower()
    if len(head) < len(_DATA_PREFIX) and _DATA_PREFIX.startswith(head):
        return "undecided", start
    if head == _DATA_PREFIX:
        return "data", url_at
    return "text", url_at


def strip_markdown_images(text: str) -> tuple[str, list[ImageOutput]]:
    """The whole-text form of `MarkdownImageStripper` (a non-streamed reply)."""
    stripper = MarkdownImageStripper()
    clean, images = stripper.feed(text)
    rest, more = stripper.flush()
    return clean + rest, images + more
