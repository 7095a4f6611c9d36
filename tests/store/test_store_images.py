"""Generated images through the engine into the history, end to end against the demo
gateway: each image saved once under its hash (0600), the history holding a reference and
never base64 (checked in the SQLite file's bytes and through full-text search), and
exports that carry the pictures (JSON) or put them beside the file (Markdown)."""

from __future__ import annotations

import base64
import json
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from chatterm.api.client import ChatClient
from chatterm.demo import DEMO_API_KEY
from chatterm.demo.png import prompt_png
from chatterm.engine.conversation import ChatSettings, Conversation
from chatterm.engine.events import ImageAdded
from chatterm.engine.session import ChatSession
from chatterm.media.blobs import BlobStore, images_dir
from chatterm.store import ChatStore, StoreError
from tests.open_clients import tracked

PROMPT = "paint the harbour !imgsize=96 !imgheight=64"


async def _chat_with_image(gateway, db: Path, model: str = "nano-banana-pro") -> tuple[Conversation, list[ImageAdded]]:
    store = ChatStore(db)
    conv = Conversation(settings=ChatSettings(model=model))
    session = ChatSession(
        tracked(ChatClient(gateway.base_url, DEMO_API_KEY, max_retries=0)),
        conv,
        recorder=store,
        blobs=store.blobs,
    )
    added = [e async for e in session.send(PROMPT) if isinstance(e, ImageAdded)]
    await session.client.aclose()
    store.close()
    return conv, added


def _all_bytes(db: Path) -> bytes:
    return b"".join(p.read_bytes() for p in db.parent.iterdir() if p.name.startswith(db.name))


@pytest.mark.parametrize("model", ["nano-banana-pro", "gemini-2.5-flash-image"])
async def test_an_image_is_saved_once_by_hash_and_the_history_keeps_a_reference(
    demo_gateway, tmp_path: Path, model: str
) -> None:
    db = tmp_path / "history.db"
    conv, added = await _chat_with_image(demo_gateway, db, model)
    png = prompt_png(PROMPT, 96, 64)
    (event,) = added
    assert event.path is not None and event.path.read_bytes() == png
    assert event.path.parent.parent == images_dir(db)
    assert stat.S_IMODE(event.path.stat().st_mode) == 0o600
    assert stat.S_IMODE(images_dir(db).stat().st_mode) == 0o700
    assert (event.image.width, event.image.height, event.image.mime) == (96, 64, "image/png")

    b64 = base64.b64encode(png).decode()
    assert b64[:40].encode() not in _all_bytes(db)  # no base64 in any SQLite byte
    assert b"data:image" not in _all_bytes(db)
    with ChatStore(db) as store:
        (reply,) = [m for m in store.load(conv.id).messages if m.role == "assistant"]
        assert [r.sha256 for r in reply.images] == [event.image.sha256]
        assert "base64" not in (reply.content or "")
        assert store.search(b64[:20]) == [] and store.search("base64") == []

    await _chat_with_image(demo_gateway, db, model)  # the same picture again: still one file
    assert len(list(images_dir(db).rglob("*.png"))) == 1


async def test_json_export_carries_the_images_and_import_restores_them(demo_gateway, tmp_path: Path) -> None:
    conv, (event,) = await _chat_with_image(demo_gateway, tmp_path / "a" / "history.db")
    with ChatStore(tmp_path / "a" / "history.db") as store:
        document = json.loads(json.dumps(store.export_json(conv.id)))
    assert document["images"][event.image.sha256]["mime"] == "image/png"

    other = tmp_path / "b" / "history.db"
    other.parent.mkdir()
    with ChatStore(other) as store:
        chat_id = store.import_json(document)
        (reply,) = [m for m in store.load(chat_id).messages if m.role == "assistant"]
        restored = store.blobs.path_for(reply.images[0])
        assert restored is not None and restored.read_bytes() == prompt_png(PROMPT, 96, 64)
        assert store.export_json(chat_id) == document  # export -> import -> export: identical


async def test_an_import_whose_image_does_not_match_its_hash_is_refused_whole(demo_gateway, tmp_path: Path) -> None:
    conv, (event,) = await _chat_with_image(demo_gateway, tmp_path / "a" / "history.db")
    with ChatStore(tmp_path / "a" / "history.db") as store:
        document = store.export_json(conv.id)
    document["images"][event.image.sha256]["data"] = base64.b64encode(b"not the picture").decode()
    with ChatStore(tmp_path / "b.db") as store:
        with pytest.raises(StoreError, match="does not match its sha256"):
            store.import_json(document, source="chat.json")
        assert store.list_chats() == []
    assert not BlobStore(images_dir(tmp_path / "b.db")).root.exists()


async def test_markdown_export_writes_the_images_beside_the_file(demo_gateway, tmp_path: Path, monkeypatch) -> None:
    db = tmp_path / "history.db"
    conv, (event,) = await _chat_with_image(demo_gateway, db)
    out = tmp_path / "out" / "chat.md"
    out.parent.mkdir()
    cmd = [sys.executable, "-m", "chatterm", "--history", str(db), "history", "export", conv.id, "--format", "md"]
    result = subprocess.run([*cmd, "--output", str(out)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    link = f"chat-images/{event.image.sha256}.png"
    assert f"![generated image 96x64]({link})" in out.read_text()
    assert (out.parent / link).read_bytes() == prompt_png(PROMPT, 96, 64)
    assert "base64" not in out.read_text()
