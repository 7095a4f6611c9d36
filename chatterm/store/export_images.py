"""Generated images in exports: carried inside a JSON export, written beside a Markdown one.

JSON: the document gains a top-level `"images"` object, `{sha256: {"mime", "data"}}` with
`data` base64, one entry per distinct image of the chat; an importer that does not know it
ignores it (the messages hold only references). Import checks each entry's hash against
its bytes before saving it, so a damaged or edited file cannot put the wrong picture
behind a reference.

Markdown: each image is copied to `<name>-images/<sha256>.<ext>` beside the `.md` file
and linked from its message by that relative path.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import shutil
from pathlib import Path
from typing import Any

from chatterm.engine.conversation import Message
from chatterm.media.blobs import BlobStore, ImageRef
from chatterm.store.errors import StoreError


def images_for_export(messages: list[Message], blobs: BlobStore) -> dict[str, dict[str, str]]:
    """`{sha256: {"mime", "data"}}` of every saved image the messages reference (an image
    whose file is gone is left out: its reference still says what it was)."""
    found: dict[str, dict[str, str]] = {}
    for message in messages:
        for ref in message.images:
            if not ref.sha256 or ref.sha256 in found:
                continue
            data = blobs.read(ref)
            if data is not None:
                found[ref.sha256] = {"mime": ref.mime, "data": base64.b64encode(data).decode("ascii")}
    return found


def restore_images(document: dict[str, Any], blobs: BlobStore, source: str) -> int:
    """Save the images a JSON export carries; returns how many. Raises StoreError naming
    the entry when its data is not base64 or does not hash to its name."""
    entries = document.get("images")
    if entries is None:
        return 0
    if not isinstance(entries, dict):
        raise StoreError(f'{source}: "images" is not an object of sha256 -> image')
    checked: list[tuple[bytes, str]] = []
    for sha, entry in entries.items():
        if not isinstance(entry, dict) or not isinstance(entry.get("data"), str):
            raise StoreError(f"{source}: image {sha[:12]} has no base64 data")
        try:
            data = base64.b64decode(entry["data"], validate=True)
        except (binascii.Error, ValueError):
            raise StoreError(f"{source}: image {sha[:12]} is not valid base64") from None
        if hashlib.sha256(data).hexdigest() != sha:
            raise StoreError(f"{source}: image {sha[:12]} does not match its sha256 (damaged or edited)")
        checked.append((data, str(entry.get("mime") or "image/png")))
    for data, mime in checked:  # all checked first: a bad entry saves nothing
        blobs.save(data, mime)
    return len(checked)


def images_dir_beside(markdown_path: Path) -> Path:
    return markdown_path.with_name(markdown_path.stem + "-images")


def copy_images_beside(markdown_path: Path, messages: list[Message], blobs: BlobStore) -> dict[str, str]:
    """Copy the branch's images next to `markdown_path`; returns sha256 -> relative link."""
    folder = images_dir_beside(markdown_path)
    links: dict[str, str] = {}
    for message in messages:
        for ref in message.images:
            source = blobs.path_for(ref)
            if source is None or ref.sha256 in links or not source.exists():
                continue
            folder.mkdir(parents=True, exist_ok=True)
            target = folder / ref.file_name
            if not target.exists():
                shutil.copyfile(source, target)
                os.chmod(target, 0o644)
            links[ref.sha256] = f"{folder.name}/{ref.file_name}"
    return links


def image_markdown(ref: ImageRef, links: dict[str, str]) -> str:
    """One image line for a Markdown export: a link to the copied file, or its URL."""
    size = f" {ref.width}x{ref.height}" if ref.width and ref.height else ""
    if ref.sha256 in links:
        return f"![generated image{size}]({links[ref.sha256]})"
    if ref.url:
        return f"![generated image]({ref.url})"
    return f"*(generated image{size}, {ref.sha256[:12]}: file missing)*"
