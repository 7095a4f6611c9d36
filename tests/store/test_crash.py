"""A process killed mid-reply (SIGKILL) leaves the prompt and the partial reply on disk,
and nothing the engine saves holds the API key.

Runs the real `chatterm ask` against the demo gateway's stall trigger (`!stall`: the reply
streams a little, then hangs), so it needs the lead's `ask` command; skipped until then.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from chatterm.store import ChatStore

ROOT = Path(__file__).resolve().parents[2]


def _cli_ready() -> bool:
    probe = subprocess.run(
        [sys.executable, "-m", "chatterm", "--history", os.devnull, "ask", "--help"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    return probe.returncode == 0 and "--demo" in probe.stdout


pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX"),
]


@pytest.fixture(scope="module")
def cli_ready() -> None:
    if not _cli_ready():
        pytest.skip("chatterm ask --demo / --history are not available yet")


def _env(tmp_path: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("CHATTERM_HISTORY", None)
    env["HOME"] = str(tmp_path / "home")  # no user config or history leaks in
    env["XDG_CONFIG_HOME"] = str(tmp_path / "home" / ".config")
    env["XDG_DATA_HOME"] = str(tmp_path / "home" / ".local" / "share")
    env["NO_COLOR"] = "1"
    return env


def _partial_reply(db: Path) -> str | None:
    if not db.exists():
        return None
    try:
        raw = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1)
        try:
            # A streaming reply's text is its row plus the parts each flush appended.
            row = raw.execute(
                "SELECT COALESCE(m.content, '') || COALESCE((SELECT group_concat(p.content, '') FROM "
                "(SELECT content FROM message_parts WHERE message_id = m.id ORDER BY rid) AS p), '') AS text "
                "FROM messages m WHERE m.role = 'assistant' AND text <> '' LIMIT 1"
            ).fetchone()
        finally:
            raw.close()
    except sqlite3.Error:
        return None  # not created / migrated yet
    return row[0] if row else None


def _all_bytes(db: Path) -> bytes:
    return b"".join(p.read_bytes() for p in db.parent.iterdir() if p.name.startswith(db.name))


def _kill_mid_reply(tmp_path: Path, prompt: str, wait: float = 10) -> None:
    """Run `ask` on `prompt`, SIGKILL it once partial reply text is on disk, check the disk."""
    db = tmp_path / "history.db"
    proc = subprocess.Popen(
        [sys.executable, "-m", "chatterm", "--history", str(db), "ask", "--demo", prompt],
        cwd=ROOT,
        env=_env(tmp_path),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + wait
        partial = None
        while time.monotonic() < deadline and proc.poll() is None:
            partial = _partial_reply(db)
            if partial:
                break
            time.sleep(0.05)
        assert proc.poll() is None, f"ask ended before it was killed: {proc.communicate()}"
        assert partial, "no partial reply text reached the history in time"
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)
        proc.stdout.close()  # type: ignore[union-attr]
        proc.stderr.close()  # type: ignore[union-attr]
    assert proc.returncode == -signal.SIGKILL

    with ChatStore(db) as store:
        chat_id = store.last_chat_id()
        assert chat_id is not None
        conv = store.load(chat_id)
    user, reply = conv.messages[0], conv.messages[-1]
    assert user.role == "user" and user.content == prompt and user.state == "ok"
    assert reply.role == "assistant" and reply.parent_id == user.id
    assert reply.state == "streaming"
    assert reply.content and reply.content.startswith(partial)
    assert conv.title == prompt


def test_sigkill_mid_reply_keeps_prompt_and_partial_reply(tmp_path: Path, cli_ready: None) -> None:
    # !rate=4: the five tokens before the stall take over a second, so flushes happen
    _kill_mid_reply(tmp_path, "!stall !rate=4 hello")


def test_sigkill_after_a_burst_then_stall_keeps_the_burst(tmp_path: Path, cli_ready: None) -> None:
    _kill_mid_reply(tmp_path, "!stall hello", wait=4)


def test_ask_saves_its_exchange_without_the_api_key(tmp_path: Path, cli_ready: None) -> None:
    from chatterm.demo import DEMO_API_KEY  # the key `--demo` sends as Authorization

    db = tmp_path / "history.db"
    done = subprocess.run(
        [sys.executable, "-m", "chatterm", "--history", str(db), "ask", "--demo", "hello there"],
        cwd=ROOT,
        env=_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    with ChatStore(db) as store:
        chats = store.list_chats()
        assert len(chats) == 1
        conv = store.load(chats[0].id)
    assert [m.role for m in conv.messages] == ["user", "assistant"]
    assert conv.messages[0].content == "hello there"
    assert conv.messages[1].state == "ok" and conv.messages[1].content
    assert conv.title == "hello there"
    assert DEMO_API_KEY.encode() not in _all_bytes(db)
    raw = sqlite3.connect(db)
    for table in ("chats", "messages"):
        for row in raw.execute(f"SELECT * FROM {table}"):
            assert not any(isinstance(v, str) and DEMO_API_KEY in v for v in row)
    raw.close()
