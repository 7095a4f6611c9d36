"""`ask` and the history file it saves to (issue 9 items 6 and 7): a lock held by another
process is waited out and the chat saved when it frees; a chat that could not be saved
is said on stderr and in --json (`"saved": false`), and `--require-save` makes that exit
1; a damaged page with `-c`/`--chat` is a message naming the file, not a traceback.
`ask` runs as a subprocess against the demo gateway; the lock is a second connection
holding `BEGIN IMMEDIATE` on the real file."""

from __future__ import annotations

import asyncio
import json
import os
import sqlite3
import sys
from pathlib import Path

from chatterm.engine.conversation import Conversation, Message
from chatterm.store import ChatStore
from tests.cli.runner import ROOT, achatterm, gw


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    return {
        "HOME": str(tmp_path / "home"),
        "XDG_CONFIG_HOME": str(tmp_path / "home" / ".config"),
        "XDG_DATA_HOME": str(tmp_path / "home" / ".local" / "share"),
        "NO_COLOR": "1",
        **extra,
    }


def _locked(db: Path) -> sqlite3.Connection:
    ChatStore(db).close()  # the file exists, migrated
    other = sqlite3.connect(db, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    return other


async def test_a_chat_ask_could_not_save_is_said_and_require_save_fails(demo_gateway, tmp_path: Path) -> None:
    db = tmp_path / "history.db"
    lock = _locked(db)
    try:
        env = _env(tmp_path, CHATTERM_SAVE_WAIT="0.5")
        run = await achatterm("--history", str(db), "ask", *gw(demo_gateway), "--json", "hello", env=env)
        assert run.code == 0, run.err  # a script that did not ask for saving still gets its answer
        data = json.loads(run.out)
        assert data["content"] and data["saved"] is False
        assert "not saved" in run.err and str(db) in run.err and "locked" in run.err

        run = await achatterm("--history", str(db), "ask", *gw(demo_gateway), "--require-save", "hello", env=env)
        assert run.code == 1 and run.out.strip()  # the answer was printed; the exit says it was not kept
        assert "not saved" in run.err
    finally:
        lock.execute("ROLLBACK")
        lock.close()


async def test_a_saved_chat_says_so_in_json(demo_gateway, tmp_path: Path) -> None:
    db = tmp_path / "history.db"
    run = await achatterm(
        "--history", str(db), "ask", *gw(demo_gateway), "--json", "--require-save", "hi", env=_env(tmp_path)
    )
    assert run.code == 0, run.err
    assert json.loads(run.out)["saved"] is True


async def test_ask_waits_out_a_lock_and_saves_when_it_frees(demo_gateway, tmp_path: Path) -> None:
    db = tmp_path / "history.db"
    lock = _locked(db)
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "chatterm",
        "--history",
        str(db),
        "ask",
        *gw(demo_gateway),
        "--json",
        "remember me",
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        cwd=ROOT,
        env={**os.environ, **_env(tmp_path, CHATTERM_SAVE_WAIT="60")},
    )
    try:
        assert process.stderr is not None
        lines: list[bytes] = []  # (the --api-key warning may come first)
        while not lines or b"waiting for the history file" not in lines[-1]:
            lines.append(await asyncio.wait_for(process.stderr.readline(), 30))
            assert lines[-1], lines  # it tells why it has not ended, before its stderr ends
    except BaseException:
        process.kill()  # no process or pipe left behind for a later test to trip on
        await process.communicate()
        raise
    finally:
        lock.execute("COMMIT")  # the other process finishes its long write
        lock.close()
    out, err = await asyncio.wait_for(process.communicate(), 30)
    assert process.returncode == 0, err
    assert json.loads(out)["saved"] is True
    with ChatStore(db) as store:
        chat_id = store.last_chat_id()
        assert chat_id is not None
        messages = store.load(chat_id).messages
    assert [m.role for m in messages] == ["user", "assistant"] and messages[0].content == "remember me"


def _damage_a_message_page(db: Path) -> None:
    """A history whose header and schema are fine but whose message pages are not."""
    with ChatStore(db) as store:
        conv = Conversation(title="big")
        for n in range(200):
            conv.append(Message("user" if n % 2 == 0 else "assistant", f"line {n} " * 200))
        store.save_conversation(conv)
        store._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # type: ignore[union-attr]
    data = bytearray(db.read_bytes())
    page = 4096
    for start in range(2 * page, len(data), page):  # the schema (page 1) stays readable
        data[start : start + page] = b"\xa5" * page
    db.write_bytes(bytes(data))


async def test_a_damaged_page_with_continue_is_a_message_naming_the_file(demo_gateway, tmp_path: Path) -> None:
    db = tmp_path / "history.db"
    _damage_a_message_page(db)
    before = db.read_bytes()
    env = _env(tmp_path)
    for args in (["ask", *gw(demo_gateway), "-c", "go on"], ["-c"], ["--chat", "0"]):
        run = await achatterm("--history", str(db), *args, env=env)
        assert run.code == 1, (args, run.err)
        assert "Traceback" not in run.err
        assert str(db) in run.err and "damaged" in run.err
        assert db.read_bytes() == before  # nothing lost, nothing overwritten
    run = await achatterm("--history", str(db), "ask", *gw(demo_gateway), "--json", "-c", "go on", env=env)
    assert run.code == 1 and json.loads(run.out)["error"]["type"] == "StoreError"
