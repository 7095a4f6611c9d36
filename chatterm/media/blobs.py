"""Generated images kept once each, named by their content, beside the history.

`BlobStore(root)` writes `<root>/<sha256[:2]>/<sha256>.<ext>` (0600, by temporary file
and rename, so a half-written image never has the final name); the same image saved
twice is one file. The history keeps an `ImageRef` (hash, type, size, or a URL), never
the bytes: the full-text index and the message rows stay small. `images_dir(history)`
is the folder beside a history file, so a test's history in a temporary folder keeps its
images there too.
"""

from __future__ import annotations

import hashlib
import os
import struct
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

_EXTENSIONS = {
    "image/png": "png",
    "image/jpeg": "jpg",
    "image/gif": "gif",
    "image/webp": "webp",
}


def images_dir(history_path: str | Path) -> Path:
    """Where the images of the history at `history_path` live."""
    path = Path(history_path)
    return path.with_name(path.stem + "-images")


def extension_for(mime: str) -> str:
    return _EXTENSIONS.get(mime, "bin")


@dataclass(frozen=True, slots=True)
class ImageRef:
    """A generated image as the history keeps it. `sha256` is empty for an image known
    only by its `url`; width/height are 0 when the header could not be read."""

    mime: str
    sha256: str = ""
    width: int = 0
    height: int = 0
    size: int = 0
    url: str | None = None

    @property
    def file_name(self) -> str:
        return f"{self.sha256}.{extension_for(self.mime)}" if self.sha256 else ""

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"mime": self.mime}
        if self.sha256:
            data.update(sha256=self.sha256, width=self.width, height=self.height, size=self.size)
        if self.url:
            data["url"] = self.url
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ImageRef:
        sha = str(data.get("sha256") or "")
        if sha and not _is_hex64(sha):
            sha = ""  # a hand-edited or foreign file: never a path outside the store
        return cls(
            mime=str(data.get("mime") or "image/png"),
            sha256=sha,
            width=int(data.get("width") or 0),
            height=int(data.get("height") or 0),
            size=int(data.get("size") or 0),
            url=data.get("url") if isinstance(data.get("url"), str) else None,
        )


def _is_hex64(text: str) -> bool:
    return len(text) == 64 and all(c in "0123456789abcdef" for c in text)


class BlobStore:
    """Content-addressed image files under `root` (created 0700 on first save)."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)

    def path_for(self, ref: ImageRef) -> Path | None:
        """The file of a saved image (None for a URL-only image)."""
        if not ref.sha256:
            return None
        return self.root / ref.sha256[:2] / ref.file_name

    def save(self, data: bytes, mime: str) -> ImageRef:
        """Keep `data` (once: an existing file of the same hash is left as it is).
        Blocking: callers on an event loop run it in a worker thread."""
        sha = hashlib.sha256(data).hexdigest()
        width, height = image_size(data)
        ref = ImageRef(mime=sniff_mime(data) or mime, sha256=sha, width=width, height=height, size=len(data))
        path = self.path_for(ref)
        assert path is not None
        if not path.exists():
            self.root.mkdir(parents=True, exist_ok=True, mode=0o700)  # private, like the history
            path.parent.mkdir(exist_ok=True, mode=0o700)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".part-")
            try:
                os.fchmod(fd, 0o600)
                with os.fdopen(fd, "wb") as out:
                    out.write(data)
                os.replace(tmp, path)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
        return ref

    def read(self, ref: ImageRef) -> bytes | None:
        path = self.path_for(ref)
        try:
            return path.read_bytes() if path is not None else None
        except OSError:
            return None


# --- a small header reader (to merge with media/detect.py, the input side's, when both land)


def sniff_mime(data: bytes) -> str | None:
    """The image type by its magic bytes (a server's label can be wrong)."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


def image_size(data: bytes) -> tuple[int, int]:
    """(width, height) from a PNG, GIF or JPEG header; (0, 0) when unknown."""
    if data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) >= 24:
        width, height = struct.unpack(">II", data[16:24])
        return int(width), int(height)
    if data[:6] in (b"GIF87a", b"GIF89a") and len(data) >= 10:
        width, height = struct.unpack("<HH", data[6:10])
        return int(width), int(height)
    if data.startswith(b"\xff\xd8"):
        return _jpeg_size(data)
    return 0, 0


def _jpeg_size(data: bytes) -> tuple[int, int]:
    at = 2
    while at + 9 < len(data):
        if data[at] != 0xFF:
            at += 1
            continue
        marker = data[at + 1]
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7 or marker == 0xFF:
            at += 1 if marker == 0xFF else 2
            continue
        length = struct.unpack(">H", data[at + 2 : at + 4])[0]
        if marker in (0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF):
            height, width = struct.unpack(">HH", data[at + 5 : at + 9])
            return int(width), int(height)
        at += 2 + length
    return 0, 0
