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


async def test_a_key_split_across_flushes_never_reaches_the_file(tmp_path: Path) -> None:
    """Each flush appends only what arrived; a key arriving in pieces too short to be
    masked on their own, one flush each, is still masked (the tail that could grow
    into a key waits for the next piece)."""
    import asyncio
    import json

    db = tmp_path / "history.db"
    pieces = ["Your key is " + KEY[:11], KEY[11:22], KEY[22:33], KEY[33:] + " as you asked. "]
    sent = asyncio.Queue[int]()
    flushed = asyncio.Queue[int]()

    def frame(text: str) -> bytes:
        data = json.dumps({"choices": [{"index": 0, "delta": {"content": text}, "finish_reason": None}]})
        return f"data: {data}\n\n".encode()

    handlers: list[asyncio.Task[None]] = []

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        handlers.append(asyncio.current_task())  # type: ignore[arg-type]
        try:
            head = await reader.readuntil(b"\r\n\r\n")
            length = next(int(h.split(b":")[1]) for h in head.split(b"\r\n") if h.lower().startswith(b"content-length"))
            await reader.readexactly(length)
            writer.write(b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\nconnection: close\r\n\r\n")
            for n, piece in enumerate(pieces):
                writer.write(frame(piece))
                await writer.drain()
                await sent.put(n)
                await flushed.get()  # one flush per piece
            await asyncio.sleep(30)  # then it stalls; the user stops it
        finally:
            writer.close()
            await writer.wait_closed()

    class Store(ChatStore):
        def append_text(self, conversation, message, content, reasoning=""):  # type: ignore[no-untyped-def]
            super().append_text(conversation, message, content, reasoning)
            flushed.put_nowait(1)

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    client = ChatClient(f"http://127.0.0.1:{port}/v1", KEY, max_retries=0)
    store = Store(db)
    session = ChatSession(
        client,
        Conversation(settings=ChatSettings(model="gpt-4o")),
        recorder=store,
        options=EngineOptions(flush_interval=0.02),
    )
    task = asyncio.create_task(collect(session.send("what is my key?")))
    for _ in pieces:
        await asyncio.wait_for(sent.get(), 10)
    while not flushed.empty() or sent.qsize():
        await asyncio.sleep(0.01)
    # What a reader of the file gets while the reply is written (another window, an
    # export, a restart after a crash): the row plus its parts, joined.
    while_streaming = store.load(session.conversation.id).messages[-1].content or ""
    assert while_streaming.startswith("Your key is ")
    for piece in (KEY, KEY[5:17], KEY[16:28], KEY[28:40]):
        assert piece not in while_streaming
        assert piece.encode() not in file_bytes(db)
    task.cancel()
    try:
        await task
    except asyncio.CancelledError:
        pass
    assert store.load(session.conversation.id).messages[-1].content == "Your key is *** as you asked. "
    for piece in (KEY, KEY[5:17], KEY[16:28], KEY[28:40]):
        assert piece.encode() not in file_bytes(db)
    store.close()
    await client.aclose()
    for handler in handlers:  # the stalled connection, closed with its socket
        handler.cancel()
    await asyncio.gather(*handlers, return_exceptions=True)
    server.close()
    await server.wait_closed()
