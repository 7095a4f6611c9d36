"""Two chatterm windows at once: both keep writing, neither loses the other's work."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

from chatterm.store import ChatStore

WRITER = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from chatterm.engine.conversation import Conversation, Message
    from chatterm.store import ChatStore

    db, tag, go = sys.argv[1], sys.argv[2], Path(sys.argv[3])
    store = ChatStore(db)
    Path(f"{go}.{tag}.ready").touch()
    while not go.exists():
        time.sleep(0.005)
    for n in range(4):
        conv = Conversation()
        store.save_message(conv, conv.append(Message("user", f"{tag} prompt {n} wombat")))
        reply = conv.append(Message("assistant", "", model=tag, state="streaming"))
        for k in range(10):   # stream flushes, each its own transaction
            reply.content = f"{tag} reply {n} " + "wombat " * (k + 1)
            store.save_message(conv, reply)
        reply.state = "ok"
        store.save_message(conv, reply)
    store.close()
    print("done")
    """
)


def _check_consistent(db: Path, chats: int, messages: int) -> None:
    raw = sqlite3.connect(db)
    assert raw.execute("SELECT COUNT(*) FROM chats").fetchone() == (chats,)
    assert raw.execute("SELECT COUNT(*) FROM messages").fetchone() == (messages,)
    assert raw.execute("SELECT COUNT(*) FROM messages_fts").fetchone() == (messages,)
    raw.execute("INSERT INTO messages_fts(messages_fts) VALUES ('integrity-check')")
    assert raw.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    raw.close()


def test_two_processes_writing_at_once_both_succeed(tmp_path: Path) -> None:
    db = tmp_path / "history.db"
    ChatStore(db).close()
    go = tmp_path / "go"
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, str(db), tag, str(go)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=Path(__file__).resolve().parents[2],
        )
        for tag in ("left", "right")
    ]
    ready = [tmp_path / f"go.{tag}.ready" for tag in ("left", "right")]
    deadline = time.monotonic() + 60
    while not all(path.exists() for path in ready):  # both have the store open: now race
        assert time.monotonic() < deadline, "the writers never opened the store"
        assert all(p.poll() is None for p in procs), [p.communicate() for p in procs]
        time.sleep(0.01)
    go.touch()
    for p in procs:
        out, err = p.communicate(timeout=60)
        assert p.returncode == 0, err
        assert out.strip() == "done"

    _check_consistent(db, chats=8, messages=16)
    with ChatStore(db) as store:
        assert {c.models[0] for c in store.list_chats()} == {"left", "right"}
        hits = store.search("wombat", limit=100)
        assert len(hits) == 16
        for summary in store.list_chats():
            conv = store.load(summary.id)
            tag = conv.messages[1].model
            assert conv.messages[1].content == f"{tag} reply {conv.messages[0].content.split()[2]} " + "wombat " * 10
            assert conv.messages[1].state == "ok"


def test_two_connections_in_threads(tmp_path: Path) -> None:
    from chatterm.engine.conversation import Conversation, Message

    db = tmp_path / "history.db"
    stores = [ChatStore(db), ChatStore(db)]
    errors: list[BaseException] = []
    start = threading.Barrier(2)

    def work(store: ChatStore, tag: str) -> None:
        try:
            start.wait()
            for n in range(20):
                conv = Conversation()
                store.save_message(conv, conv.append(Message("user", f"{tag} {n} koala")))
                store.save_message(conv, conv.append(Message("assistant", f"{tag} koala reply", model=tag)))
                store.list_chats(5)
                store.search("koala")
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(s, t)) for s, t in zip(stores, ("a", "b"), strict=False)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    for s in stores:
        s.close()
    assert errors == []
    _check_consistent(db, chats=40, messages=80)
