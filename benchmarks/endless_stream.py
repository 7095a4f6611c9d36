"""An endless reply into the history store: what it costs on disk and how fast it stops.

    python benchmarks/endless_stream.py [--seconds 20] [--rate MB/s] [--delta 2048] [--db PATH]

A loopback server streams chat-completion chunks of `--delta` characters forever, as
fast as the client reads them (or at `--rate` MB of text a second; the incident in
issue 9 was 172 MB in 20 s, ~8.6 MB/s). The engine (`ChatSession`, flushing every 0.5 s) records
the reply into a real history file through the recorder the app uses (the queued
`HistoryWriter`; a plain `ChatStore` on a chatterm without one). After `--seconds` the
reply is stopped as Esc / Ctrl-C stop it (the task is cancelled). Reported:
    text streamed · history DB + WAL size at the stop · stop latency (cancel -> the
    engine has stopped) · longest event-loop stall while streaming · time until the
    stopped reply is on disk · DB + WAL size then.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from chatterm.api.client import ChatClient
from chatterm.engine.conversation import ChatSettings, Conversation
from chatterm.engine.session import ChatSession, EngineOptions
from chatterm.store import ChatStore

WORDS = [
    "the",
    "history",
    "store",
    "keeps",
    "every",
    "reply",
    "while",
    "it",
    "streams",
    "and",
    "stops",
    "when",
    "asked",
]


def _delta_text(size: int, n: int) -> str:
    words = [WORDS[(n + i) % len(WORDS)] + str(i % 97) for i in range(size // 6 + 1)]
    return " ".join(words)[:size]


async def _serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, delta: int, rate: float) -> None:
    try:
        head = await reader.readuntil(b"\r\n\r\n")
        length = 0
        for line in head.decode("latin-1").split("\r\n"):
            if line.lower().startswith("content-length:"):
                length = int(line.split(":", 1)[1])
        await reader.readexactly(length)
        writer.write(
            b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ncache-control: no-cache\r\n"
            b"connection: close\r\n\r\n"
        )
        frames = [
            b"data: "
            + json.dumps(
                {
                    "id": "c",
                    "object": "chat.completion.chunk",
                    "created": 0,
                    "model": "endless",
                    "choices": [{"index": 0, "delta": {"content": _delta_text(delta, n)}, "finish_reason": None}],
                }
            ).encode()
            + b"\n\n"
            for n in range(16)
        ]
        n = 0
        started = time.monotonic()
        while True:
            writer.write(b"".join(frames[(n + i) % 16] for i in range(8)))
            n += 8
            await writer.drain()
            if rate:
                ahead = n * delta / (rate * 1e6) - (time.monotonic() - started)
                if ahead > 0:
                    await asyncio.sleep(ahead)
    except (ConnectionError, asyncio.IncompleteReadError, asyncio.CancelledError):
        pass
    finally:
        writer.close()


def _size(db: Path) -> int:
    return sum(p.stat().st_size for p in db.parent.glob(db.name + "*") if p.is_file())


def _recorder(db: Path) -> Any:
    try:
        from chatterm.store.writer import HistoryWriter
    except ImportError:  # a chatterm from before the queued writer
        return ChatStore(db)
    return HistoryWriter(db)


BENCH_KEY = "sk-bench-Zq8vX3mT5wLr9pK2Hn7cB4yD6fJ1gS0a"
"""A key of a real key's shape, so the engine's key masking is part of the cost."""


async def run(seconds: float, delta: int, db: Path, rate: float = 0.0) -> dict[str, Any]:
    server = await asyncio.start_server(lambda r, w: _serve(r, w, delta, rate), "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    recorder = _recorder(db)
    session = ChatSession(
        ChatClient(f"http://127.0.0.1:{port}/v1", BENCH_KEY, max_retries=0, read_timeout=60),
        Conversation(settings=ChatSettings(model="endless")),
        recorder=recorder,
        options=EngineOptions(flush_interval=0.5),
    )
    streamed = 0
    stall = 0.0

    async def consume() -> None:
        nonlocal streamed
        async for event in session.send("go on forever"):
            streamed += len(getattr(event, "text", "") or "")

    async def watch_loop() -> None:
        nonlocal stall
        while True:
            before = time.perf_counter()
            await asyncio.sleep(0.01)
            stall = max(stall, time.perf_counter() - before - 0.01)

    task = asyncio.create_task(consume())
    started = time.monotonic()
    while not streamed:  # the first reply's imports and connection are not the stream's
        await asyncio.sleep(0.01)
    watcher = asyncio.create_task(watch_loop())
    await asyncio.sleep(max(0.0, seconds - (time.monotonic() - started)))
    size_at_stop = _size(db)
    watcher.cancel()
    cancelled = time.perf_counter()
    task.cancel()
    try:
        await task
    except asyncio.CancelledError:
        pass
    stop_latency = time.perf_counter() - cancelled
    wait_saved = getattr(recorder, "wait_saved", None)
    if wait_saved is not None:
        wait_saved(600)
    on_disk = time.perf_counter() - cancelled
    await session.client.aclose()
    server.close()
    closer = recorder.close
    closer()
    with ChatStore(db) as store:
        chat_id = store.last_chat_id()
        saved = store.load(chat_id).messages[-1] if chat_id else None
    return {
        "recorder": type(recorder).__name__,
        "streamed_mb": round(streamed / 1e6, 1),
        "db_wal_at_stop_mb": round(size_at_stop / 1e6, 1),
        "stop_latency_s": round(stop_latency, 3),
        "longest_loop_stall_s": round(stall, 3),
        "stopped_reply_on_disk_s": round(on_disk, 2),
        "saved_state": saved.state if saved else None,
        "saved_mb": round(len(saved.content or "") / 1e6, 1) if saved else None,
        "db_after_close_mb": round(_size(db) / 1e6, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--delta", type=int, default=2048, help="characters per streamed chunk")
    parser.add_argument("--rate", type=float, default=0.0, help="MB of text a second (0: as fast as read)")
    parser.add_argument("--db", type=Path, default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = args.db or Path(tmp) / "history.db"
        result = asyncio.run(run(args.seconds, args.delta, db, args.rate))
    for key, value in result.items():
        print(f"{key:28} {value}")


if __name__ == "__main__":
    main()
