"""A key the model (or a tool) repeats never reaches the history file: the engine masks
it, and its long pieces, before the store saves a message. Checked on the bytes of the
SQLite file and its WAL, not through the store's own reader."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from chatterm.api.client import ChatClient
from chatterm.engine.conversation import ChatSettings, Conversation
from chatterm.engine.session import ChatSession, EngineOptions
from chatterm.store import ChatStore
from tests.api.conftest import RawServer, Reply, chunk, sse

from .support import collect

KEY = "sk-proj-Zq8vX3mT5wLr9pK2Hn7cB4yD6fJ1gS0a"


@pytest.fixture
async def server() -> AsyncIterator[RawServer]:
    raw = RawServer()
    await raw.start()
    yield raw
    await raw.stop()


def file_bytes(db: Path) -> bytes:
    return b"".join(p.read_bytes() for p in db.parent.iterdir() if p.name.startswith(db.name))


async def run(server: RawServer, db: Path, prompt: str) -> Conversation:
    client = ChatClient(server.base_url, KEY, max_retries=0)
    store = ChatStore(db)
    session = ChatSession(
        client,
        Conversation(settings=ChatSettings(model="gpt-4o")),
        recorder=store,
        options=EngineOptions(flush_interval=0.01),
    )
    try:
        await collect(session.send(prompt))
        return store.load(session.conversation.id)
    finally:
        store.close()
        await client.aclose()


async def test_a_reply_echoing_pieces_of_the_key_is_saved_without_them(server: RawServer, tmp_path: Path) -> None:
    # The pieces arrive split across chunks, as tokens would.
    server.script(
        Reply(
            [
                sse(chunk("Your key begins "), done=False),
                sse(chunk(KEY[:9]), done=False),
                sse(chunk(KEY[9:22] + " and ends "), done=False),
                sse(chunk(KEY[-14:] + ". The whole: " + KEY), chunk(finish="stop")),
            ]
        )
    )
    db = tmp_path / "history.db"
    conversation = await run(server, db, "what is my key?")
    reply = conversation.messages[-1]
    assert reply.content == "Your key begins *** and ends ***. The whole: ***"
    data = file_bytes(db)
    for piece in (KEY, KEY[:12], KEY[9:22], KEY[-12:]):
        assert piece.encode() not in data


async def test_a_prompt_holding_the_key_is_saved_masked_title_too(server: RawServer, tmp_path: Path) -> None:
    server.script(sse(chunk("noted"), chunk(finish="stop")))
    db = tmp_path / "history.db"
    conversation = await run(server, db, f"my key is {KEY} keep it")
    assert conversation.title == "my key is *** keep it"
    assert conversation.messages[0].content == "my key is *** keep it"
    assert KEY[:12].encode() not in file_bytes(db)


async def test_a_failed_reply_keeps_its_partial_text_masked(server: RawServer, tmp_path: Path) -> None:
    server.script(Reply([sse(chunk(f"partial {KEY[4:30]}"), done=False)], end="drop"))
    db = tmp_path / "history.db"
    conversation = await run(server, db, "hi")
    reply = conversation.messages[-1]
    assert reply.state == "failed" and reply.content == "partial ***"
    assert KEY[4:16].encode() not in file_bytes(db)
