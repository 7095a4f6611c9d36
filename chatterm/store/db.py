"""Opening the SQLite file safely, and short write transactions.

`open_database(path)` refuses anything that is not a chatterm history *before* writing a
byte to it (header check, `application_id`, foreign tables), refuses a newer schema, then
turns on WAL (readers never block the writer; a killed process loses only its
uncommitted transaction), `synchronous=NORMAL` (commits cost no fsync in WAL and stay
crash safe; only a power cut can lose the last commits), foreign keys and a busy
timeout, and migrates.

`write(conn)` wraps a block in `BEGIN IMMEDIATE ... COMMIT`: taking the write lock up
front means a second process waits on the busy timeout instead of failing with
"database is locked" when its read transaction tries to upgrade.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from chatterm.store.errors import DamagedStoreError, NewerStoreError
from chatterm.store.migrations import APPLICATION_ID, SCHEMA_VERSION, migrate

SQLITE_MAGIC = b"SQLite format 3\x00"
BUSY_TIMEOUT_MS = 5000


def _check_header(path: Path) -> None:
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        return
    if size == 0:
        return  # SQLite treats an empty file as a new database
    with path.open("rb") as f:
        header = f.read(100)
    if len(header) < 100 or not header.startswith(SQLITE_MAGIC):
        raise DamagedStoreError(path, "not an SQLite database")


def _inspect(conn: sqlite3.Connection, path: Path) -> None:
    """Refuse foreign or newer files; reads only."""
    app_id = conn.execute("PRAGMA application_id").fetchone()[0]
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    tables = [
        row[0]
        for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
    ]
    if app_id not in (0, APPLICATION_ID):
        raise DamagedStoreError(path, f"it belongs to another application (id {app_id:#x})")
    if app_id == 0 and (version != 0 or tables):
        raise DamagedStoreError(path, "it is another application's SQLite database")
    if version > SCHEMA_VERSION:
        raise NewerStoreError(path, version, SCHEMA_VERSION)
    if version >= 1 and not {"chats", "messages"} <= set(tables):
        raise DamagedStoreError(path, "its chatterm tables are missing")


def open_database(path: Path) -> sqlite3.Connection:
    """Open (creating if absent) the history at `path`, checked, configured and migrated."""
    path.parent.mkdir(parents=True, exist_ok=True)
    _check_header(path)
    conn = sqlite3.connect(
        path,
        timeout=BUSY_TIMEOUT_MS / 1000,
        isolation_level=None,  # we issue BEGIN/COMMIT ourselves
        check_same_thread=False,  # ChatStore serialises access with its own lock
    )
    try:
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        _inspect(conn, path)
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("PRAGMA foreign_keys = ON")
        migrate(conn)
    except (DamagedStoreError, NewerStoreError):
        conn.close()
        raise
    except sqlite3.OperationalError:
        conn.close()
        raise
    except sqlite3.DatabaseError as exc:
        conn.close()
        raise DamagedStoreError(path, str(exc)) from exc
    return conn


@contextmanager
def write(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """One short write transaction, holding the write lock from the start."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")
