"""Opening the SQLite file safely, and short write transactions.

`open_database(path)` refuses anything that is not a chatterm history *before* writing a
byte to it (header check, `application_id`, foreign tables), refuses a newer schema, then
turns on WAL (readers never block the writer; a killed process loses only its
uncommitted transaction), `synchronous=NORMAL` (commits cost no fsync in WAL and stay
crash safe; only a power cut can lose the last commits), foreign keys and a busy
timeout, and migrates.

The file is created 0600 before SQLite opens it (SQLite gives its `-wal` and `-shm` the
database's mode), since a history holds everything the user ever asked.

`open_database(path, read_only=True)` is for reading commands on a file or folder the
user cannot write: a `mode=ro` connection, no WAL switch and no migration (a file one
schema behind is read as it is; older ones ask for a writable open first).

`write(conn)` wraps a block in `BEGIN IMMEDIATE ... COMMIT`: taking the write lock up
front means a second process waits on the busy timeout instead of failing with
"database is locked" when its read transaction tries to upgrade.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from chatterm.store.errors import DamagedStoreError, ForeignStoreError, NewerStoreError, StoreError
from chatterm.store.migrations import APPLICATION_ID, SCHEMA_VERSION, migrate

OLDEST_READABLE = 3
"""The oldest schema a read-only open can read as it is (3 has every message column)."""

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


def _inspect(conn: sqlite3.Connection, path: Path) -> int:
    """Refuse foreign or newer files; reads only. Returns the schema version."""
    app_id = conn.execute("PRAGMA application_id").fetchone()[0]
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    tables = [
        row[0]
        for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
    ]
    if app_id not in (0, APPLICATION_ID):
        raise ForeignStoreError(path, f"it belongs to another application (id {app_id:#x})")
    if app_id == 0 and (version != 0 or tables):
        raise ForeignStoreError(path, "it is another application's SQLite database")
    if version > SCHEMA_VERSION:
        raise NewerStoreError(path, version, SCHEMA_VERSION)
    if version >= 1 and not {"chats", "messages"} <= set(tables):
        raise DamagedStoreError(path, "its chatterm tables are missing")
    return int(version)


def is_read_only(path: Path) -> bool:
    """Whether the history can only be read here (the file or its folder is not writable)."""
    if path.exists():
        return not (os.access(path, os.W_OK) and os.access(path.parent, os.W_OK))
    return False


def _create_private(path: Path) -> None:
    """Create the file 0600 before SQLite does (it would use the umask, often 0644)."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return  # another process made it first
    os.close(fd)


def open_database(path: Path, *, read_only: bool = False, busy_timeout_ms: int = BUSY_TIMEOUT_MS) -> sqlite3.Connection:
    """Open (creating if absent) the history at `path`, checked, configured and migrated;
    `read_only`: open an existing file for reading only (see the module docstring)."""
    if read_only:
        return _open_read_only(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    _check_header(path)
    if not path.exists():
        _create_private(path)
    conn = sqlite3.connect(
        path,
        timeout=busy_timeout_ms / 1000,
        isolation_level=None,  # we issue BEGIN/COMMIT ourselves
        check_same_thread=False,  # ChatStore serialises access with its own lock
    )
    try:
        conn.execute(f"PRAGMA busy_timeout = {busy_timeout_ms}")
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


def refuse_foreign(path: Path) -> None:
    """Raise ForeignStoreError if `path` is another application's SQLite database
    (before "start fresh" renames it); a damaged or unreadable file passes."""
    try:
        conn = _connect_read_only(f"{path.absolute().as_uri()}?mode=ro")
    except sqlite3.Error:
        return
    try:
        _inspect(conn, path)
    except ForeignStoreError:
        raise
    except (StoreError, sqlite3.Error):
        return
    finally:
        conn.close()


def schema_version(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def _open_read_only(path: Path) -> sqlite3.Connection:
    _check_header(path)
    uri = path.absolute().as_uri()
    conn = _connect_read_only(f"{uri}?mode=ro")
    try:
        try:
            conn.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
        except sqlite3.OperationalError:
            # A WAL file in a folder we cannot write has no -shm and cannot get one:
            # nobody can be writing it, so it is read as the unchanging file it is.
            conn.close()
            conn = _connect_read_only(f"{uri}?mode=ro&immutable=1")
        version = _inspect(conn, path)
    except (DamagedStoreError, NewerStoreError):
        conn.close()
        raise
    except sqlite3.DatabaseError as exc:
        conn.close()
        raise DamagedStoreError(path, str(exc)) from exc
    if version < OLDEST_READABLE:
        conn.close()
        raise StoreError(
            f"The history file {path} was written by an older chatterm and must be upgraded once, "
            "which needs write access to it and its folder; it is read-only here."
        )
    return conn


def _connect_read_only(uri: str) -> sqlite3.Connection:
    conn = sqlite3.connect(uri, uri=True, isolation_level=None, check_same_thread=False)
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
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
