"""Files are written safely (issue 9 item 8, the store's half): the history and its WAL
are private (0600); reading commands work on a history the user cannot write, without
a WAL switch or a migration; an export never leaves half a file where a good one was;
"start fresh" never renames another application's SQLite file."""

from __future__ import annotations

import os
import resource
import signal
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from chatterm.config import Config, Connection
from chatterm.context import AppContext
from chatterm.engine.conversation import Conversation, Message
from chatterm.store import ChatStore, DamagedStoreError, StoreError
from chatterm.store.errors import ForeignStoreError

ROOT = Path(__file__).resolve().parents[2]


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _chat(store: ChatStore, text: str = "the quick zebra") -> str:
    conv = Conversation(title="a chat")
    conv.append(Message("user", text))
    conv.append(Message("assistant", "an answer " * 50))
    store.save_conversation(conv)
    return conv.id


def test_the_history_and_its_wal_are_created_private(tmp_path: Path) -> None:
    old = os.umask(0o022)  # the usual umask: files would be 0644
    try:
        db = tmp_path / "history.db"
        with ChatStore(db) as store:
            _chat(store)
            assert _mode(db) == 0o600
            assert _mode(Path(f"{db}-wal")) == 0o600
            assert _mode(Path(f"{db}-shm")) == 0o600
    finally:
        os.umask(old)


def _version_3_file(db: Path) -> str:
    """A history as the previous chatterm left it: schema 3, rollback journal."""
    with ChatStore(db) as store:
        chat_id = _chat(store)
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("DROP TABLE message_parts")
    conn.execute("PRAGMA user_version = 3")
    conn.execute("PRAGMA journal_mode = DELETE")
    conn.close()
    return chat_id


def test_a_read_only_open_neither_switches_to_wal_nor_migrates(tmp_path: Path) -> None:
    db = tmp_path / "history.db"
    _version_3_file(db)
    before = db.read_bytes()
    with ChatStore(db, read_only=True) as store:
        chat_id = store.last_chat_id()
        assert chat_id is not None
        assert store.load(chat_id).messages[0].content == "the quick zebra"
        assert [h.chat_id for h in store.search("zebra")] == [chat_id]
        with pytest.raises(StoreError, match="read-only"):
            store.rename(chat_id, "new title")
    assert db.read_bytes() == before
    assert not Path(f"{db}-wal").exists()


def _as_a_plain_user() -> None:
    """Root may write anything: drop the capabilities that let it (CAP_DAC_OVERRIDE,
    CAP_DAC_READ_SEARCH) so that file permissions apply to the command, as to a user."""
    if os.geteuid() != 0:
        return
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    for capability in (1, 2):
        if libc.prctl(24, capability, 0, 0, 0) != 0:  # PR_CAPBSET_DROP
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="drops Linux capabilities when run as root")
@pytest.mark.parametrize("wal", [False, True])
def test_history_commands_read_a_history_the_user_cannot_write(tmp_path: Path, wal: bool) -> None:
    folder = tmp_path / "data"
    folder.mkdir()
    db = folder / "history.db"
    if wal:
        with ChatStore(db) as store:
            chat_id = _chat(store)
    else:
        chat_id = _version_3_file(db)
    db.chmod(0o444)
    folder.chmod(0o555)  # no -wal/-shm can be made here
    before = db.read_bytes()
    assert [p.name for p in folder.iterdir()] == ["history.db"]
    try:
        for args in (["list"], ["search", "zebra"], ["show", chat_id], ["export", chat_id]):
            done = subprocess.run(
                [sys.executable, "-m", "chatterm", "--history", str(db), "history", *args],
                capture_output=True,
                text=True,
                cwd=ROOT,
                env={**os.environ, "HOME": str(tmp_path), "NO_COLOR": "1"},
                preexec_fn=_as_a_plain_user,
                timeout=60,
            )
            assert done.returncode == 0, (args, done.stderr)
            assert "Traceback" not in done.stderr
            assert "zebra" in done.stdout or args == ["list"]
        assert db.read_bytes() == before
        assert [p.name for p in folder.iterdir()] == ["history.db"]
    finally:
        folder.chmod(0o755)


def _limit_file_size() -> None:
    """As a full disk does: writes past 64 KB fail (EFBIG), the process lives on."""
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (64 * 1024, 64 * 1024))


@pytest.mark.skipif(os.name != "posix", reason="RLIMIT_FSIZE is POSIX")
def test_an_export_that_cannot_be_written_whole_leaves_the_old_file(tmp_path: Path) -> None:
    db = tmp_path / "history.db"
    with ChatStore(db) as store:
        chat_id = _chat(store, "long " * 40_000)  # ~200 KB of Markdown
    target = tmp_path / "chat.md"
    target.write_text("the good export\n", encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "chatterm", "--history", str(db), "history", "export", chat_id, "-o", str(target)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "HOME": str(tmp_path)},
        preexec_fn=_limit_file_size,
        timeout=60,
    )
    assert done.returncode == 1 and str(target) in done.stderr and "Traceback" not in done.stderr
    assert target.read_text(encoding="utf-8") == "the good export\n"
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith((".chat", "chat"))) == ["chat.md"]


def _other_app(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE notes (body TEXT)")
    conn.execute("INSERT INTO notes VALUES ('not yours')")
    conn.commit()
    conn.close()


def test_start_fresh_never_renames_another_applications_database(tmp_path: Path) -> None:
    db = tmp_path / "history.db"
    _other_app(db)
    before = db.read_bytes()
    context = AppContext(Config(), Connection("", "", "test"), history_path=db, config_path=tmp_path / "c.toml")
    assert context.open_store() is None
    assert isinstance(context.store_error, ForeignStoreError)
    assert "leaves it as it is" in str(context.store_error) and str(db) in str(context.store_error)
    with pytest.raises(ForeignStoreError):
        context.start_fresh_store()
    assert db.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["history.db"]


def test_start_fresh_still_moves_a_damaged_history_aside(tmp_path: Path) -> None:
    db = tmp_path / "history.db"
    db.write_bytes(b"SQLite format 3\x00" + os.urandom(4000))
    context = AppContext(Config(), Connection("", "", "test"), history_path=db, config_path=tmp_path / "c.toml")
    assert context.open_store() is None and isinstance(context.store_error, DamagedStoreError)
    assert context.start_fresh_store() is not None
    assert any(p.name.startswith("history.db.damaged-") for p in tmp_path.iterdir())
    context.finish_saving(1)
