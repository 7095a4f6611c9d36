"""History store speed on a big store: 10,000 chats, 200,000 messages.

    python benchmarks/history.py [--chats 10000] [--messages 200000] [--db PATH] [--runs 9]

Builds the store through the real schema (migrations, FTS triggers) with one
`executemany` transaction, then times, median of several runs:
    list 50 newest · an FTS search · open a 1,000-message chat · append a message
    (save_message, committed) · stream-flush of a growing reply (save_message update)
    · the TUI history screen's first page (push to rows on screen)
Targets: each store call under 50 ms; the history screen's first page under 100 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from chatterm.engine.conversation import Conversation, Message, new_id
from chatterm.store import ChatStore
from chatterm.store.codec import MESSAGE_COLUMNS, chat_params, message_params
from chatterm.store.codec import UPSERT_CHAT as _UPSERT_CHAT

WORDS = [
    "python",
    "rust",
    "sqlite",
    "terminal",
    "stream",
    "token",
    "model",
    "gateway",
    "reply",
    "prompt",
    "search",
    "index",
    "branch",
    "history",
    "export",
    "import",
    "zebra",
    "async",
    "await",
    "thread",
    "process",
    "kernel",
    "memory",
    "cache",
    "vector",
    "matrix",
    "tensor",
    "graph",
    "network",
    "latency",
    "throughput",
    "database",
    "query",
    "schema",
    "table",
    "column",
    "row",
    "commit",
    "rollback",
    "transaction",
    "lock",
    "retry",
    "timeout",
    "error",
    "warning",
    "notice",
    "function",
    "class",
    "method",
    "module",
    "package",
    "install",
    "build",
    "test",
    "benchmark",
    "profile",
    "optimise",
    "the",
    "a",
    "of",
    "to",
    "and",
    "in",
    "is",
    "it",
    "that",
    "for",
    "on",
    "with",
    "as",
    "this",
    "be",
    "at",
    "by",
    "from",
    "or",
    "an",
    "are",
]


def sentence(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n)) + "."


def build(path: Path, chats: int, messages: int, big_chat: int, seed: int = 1) -> str:
    """Fill a fresh store; returns the id of the chat with `big_chat` messages."""
    rng = random.Random(seed)
    store = ChatStore(path)
    now = time.time()
    per_chat = max(2, (messages - big_chat) // max(1, chats - 1))
    chat_rows, msg_rows = [], []
    big_id = ""
    for i in range(chats):
        conv = Conversation(title=sentence(rng, 6)[:60], created_at=now - (chats - i) * 60)
        conv.updated_at = conv.created_at + 30
        count = big_chat if i == chats // 2 else per_chat
        if i == chats // 2:
            big_id = conv.id
        parent = None
        last = None
        for j in range(count):
            role = "user" if j % 2 == 0 else "assistant"
            m = Message(
                role,
                sentence(rng, 12 if role == "user" else 60),
                model="gpt-4o-mini" if role == "assistant" else None,
                id=new_id(),
                parent_id=parent,
                created_at=conv.created_at + j,
            )
            row = message_params(conv.id, m)
            row["seq"] = j + 1
            msg_rows.append(row)
            parent = last = m.id
        chat_rows.append(chat_params(conv, last))
    conn = store._conn
    assert conn is not None
    cols = "chat_id, " + MESSAGE_COLUMNS + ", seq"
    names = ", ".join(":" + c.strip() for c in cols.split(","))
    conn.execute("BEGIN IMMEDIATE")
    conn.executemany(_UPSERT_CHAT, chat_rows)
    conn.executemany(f"INSERT INTO messages ({cols}) VALUES ({names})", msg_rows)
    conn.execute("COMMIT")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.execute("ANALYZE")
    store.close()
    return big_id


def timed(fn, runs: int) -> float:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


async def tui_first_page(store: ChatStore, runs: int) -> float:
    """Push the HistoryScreen and wait until its first page of rows is on screen."""
    from textual.app import App

    from chatterm.tui.screens.history import HistoryScreen

    samples, settled = [], []
    app: App[None] = App()
    async with app.run_test(size=(120, 40)) as pilot:
        for _ in range(runs + 1):
            start = time.perf_counter()
            screen = HistoryScreen(store)
            await app.push_screen(screen)  # mount, query, layout and the first frame
            shown = time.perf_counter()
            await pilot.pause()  # + the test harness's idle wait
            done = time.perf_counter()
            assert screen.table.row_count == 50
            samples.append((shown - start) * 1000)
            settled.append((done - start) * 1000)
            app.pop_screen()
            await pilot.pause()
    # the first push also parses the screen's CSS; report it apart
    print(f"{'TUI first push (CSS parse included)':34s} {samples[0]:8.2f} ms (once)")
    print(f"{'TUI push + pilot.pause() settle':34s} {statistics.median(settled[1:]):8.2f} ms")
    return statistics.median(samples[1:])


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--chats", type=int, default=10_000)
    ap.add_argument("--messages", type=int, default=200_000)
    ap.add_argument("--big-chat", type=int, default=1_000)
    ap.add_argument("--runs", type=int, default=9)
    ap.add_argument("--db", type=Path, help="create the store in this file (default: a temp dir)")
    ap.add_argument("--no-tui", action="store_true", help="skip the Textual history screen timing")
    args = ap.parse_args()

    tmp = None
    if args.db is None:
        tmp = tempfile.TemporaryDirectory()
        args.db = Path(tmp.name) / "history.db"
    start = time.perf_counter()
    big_id = build(args.db, args.chats, args.messages, args.big_chat)
    built = time.perf_counter() - start
    size_mb = args.db.stat().st_size / 1e6
    print(f"built {args.chats} chats / ~{args.messages} messages in {built:.1f} s ({size_mb:.0f} MB) at {args.db}")

    start = time.perf_counter()
    store = ChatStore(args.db)
    print(f"{'open store':34s} {(time.perf_counter() - start) * 1000:8.2f} ms (once)")
    conv = store.load(big_id)
    results = {
        "list 50 newest": timed(lambda: store.list_chats(50), args.runs),
        "list 50, page 100 (offset 5000)": timed(lambda: store.list_chats(50, 5000), args.runs),
        "search 'zebra' (common word)": timed(lambda: store.search("zebra"), args.runs),
        "search 'kernel latency' (2 terms)": timed(lambda: store.search("kernel latency"), args.runs),
        "search 'rollb' (prefix)": timed(lambda: store.search("rollb"), args.runs),
        f"open a {len(conv.messages)}-message chat": timed(lambda: store.load(big_id), args.runs),
    }

    def append() -> None:
        m = conv.append(Message("user", "one more question about zebras"))
        store.save_message(conv, m)

    results["append a message (save_message)"] = timed(append, args.runs)
    reply = conv.append(Message("assistant", "", model="gpt-4o-mini", state="streaming"))

    def flush() -> None:
        reply.content = (reply.content or "") + sentence(random.Random(), 40)
        store.save_message(conv, reply)

    results["stream flush (update growing reply)"] = timed(flush, args.runs * 3)
    if not args.no_tui:
        results["TUI history screen: first frame"] = asyncio.run(tui_first_page(store, args.runs))
    for name, ms in results.items():
        flag = "ok" if ms < (100 if name.startswith("TUI") else 50) else "SLOW"
        print(f"{name:34s} {ms:8.2f} ms  {flag}")
    store.close()
    if tmp is not None:
        tmp.cleanup()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
