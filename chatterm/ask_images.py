"""`ask`'s generated images: where they are saved and what `--json` says of them.

`--save-images DIR` copies each image there as `image-<sha256 prefix>.<ext>`; without it
a terminal run saves into the current folder and a pipe saves nothing (a script asks).
The history's own copy (content-addressed, beside the history file) is kept either way
unless `--no-save`, when the images live in a scratch folder removed at the end.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from chatterm.engine.events import ImageAdded
from chatterm.media.blobs import BlobStore, ImageRef, extension_for


def save_target(option: str | None, json_mode: bool) -> Path | None:
    """The folder images are copied to: the option, else the current folder on a terminal."""
    if option:
        return Path(option).expanduser()
    if sys.stdout.isatty() and not json_mode:
        return Path.cwd()
    return None


def scratch_blobs() -> BlobStore:
    """A throwaway store for `--no-save` (removed by `AskImages.close`)."""
    return BlobStore(tempfile.mkdtemp(prefix="chatterm-images-"))


@dataclass(slots=True)
class SavedImage:
    ref: ImageRef
    path: Path | None
    """The copy `ask` wrote (or the history's file when nothing was copied)."""

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "path": str(self.path) if self.path is not None else None,
            "mime": self.ref.mime,
            "width": self.ref.width or None,
            "height": self.ref.height or None,
            "sha256": self.ref.sha256 or None,
        }
        if self.ref.url:
            data["url"] = self.ref.url
        return data


@dataclass(slots=True)
class AskImages:
    target: Path | None
    scratch: BlobStore | None = None
    saved: list[SavedImage] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def add(self, event: ImageAdded) -> SavedImage:
        """Copy one image to the target folder (never over a different file)."""
        path = event.path if self.scratch is None else None
        if event.path is not None and self.target is not None:
            try:
                path = _copy(event.path, self.target, event.image)
            except OSError as exc:
                self.problems.append(f"cannot save an image in {self.target}: {exc.strerror or exc}")
        image = SavedImage(event.image, path)
        self.saved.append(image)
        return image

    def json(self) -> list[dict[str, Any]]:
        return [image.to_json() for image in self.saved]

    def close(self) -> None:
        if self.scratch is not None:
            shutil.rmtree(self.scratch.root, ignore_errors=True)


def _copy(source: Path, folder: Path, ref: ImageRef) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    stem = f"image-{ref.sha256[:12]}"
    target = folder / f"{stem}.{extension_for(ref.mime)}"
    if target.exists() and target.read_bytes() == source.read_bytes():
        return target
    n = 1
    while target.exists():
        target = folder / f"{stem}-{n}.{extension_for(ref.mime)}"
        n += 1
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    with os.fdopen(fd, "wb") as out, source.open("rb") as src:
        shutil.copyfileobj(src, out)
    return target
