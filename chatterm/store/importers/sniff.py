"""What a file is, told by its bytes and (for SQLite) its tables, before anything is read
from it or written anywhere: `check_source` refuses a file of the wrong kind with a
sentence naming what it is ("PATH is oterm's store.db, not an elia database").

SQLite files are opened read-only (`mode=ro`): another app's database is never changed.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from urllib.parse import quote

from chatterm.store.errors import StoreError

SQLITE_MAGIC = b"SQLite format 3\x00"
ZIP_MAGIC = b"PK\x03\x04"
CHATTERM_APPLICATION_ID = 0x63687472

WHAT: dict[str, str] = {
    "elia": "an elia database",
    "oterm": "oterm's store.db",
    "chatgpt": "a ChatGPT export's conversations.json",
    "llm": "llm's logs.db",
    "chatterm": "a chatterm history",
    "chatterm-export": "a chatterm JSON export (import it without --from)",
}
"""Each kind of file, named the way a message says what a file is."""

OWNER = {"elia": "elia's", "oterm": "oterm's", "llm": "llm's"}
"""Whose database a SQLite file of unknown tables is not ("... (not elia's)")."""


class SourceError(StoreError):
    """The file to import from cannot be read, or is not what `--from` says."""


def open_read_only(path: Path) -> sqlite3.Connection:
    """Another app's SQLite file, read-only: no journal, no WAL switch, no lock held
    beyond a read (the app may be running)."""
    uri = f"file:{quote(str(path.resolve()))}?mode=ro"
    return sqlite3.connect(uri, uri=True, check_same_thread=False)


def _columns(conn: sqlite3.Connection, table: str) -> set[str]:
    return {row[1] for row in conn.execute(f'PRAGMA table_info("{table}")')}


def sqlite_kind(conn: sqlite3.Connection) -> tuple[str | None, list[str]]:
    """The app whose database this is (None: unknown) and its tables."""
    app_id = conn.execute("PRAGMA application_id").fetchone()[0]
    tables = sorted(
        row[0]
        for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
    )
    names = set(tables)
    if app_id == CHATTERM_APPLICATION_ID:
        return "chatterm", tables
    if {"chat", "message"} <= names:
        message = _columns(conn, "message")
        if {"role", "content", "chat_id"} <= message and "started_at" in _columns(conn, "chat"):
            return "elia", tables
        if {"author", "text", "chat_id"} <= message and "model" in _columns(conn, "chat"):
            return "oterm", tables
    if "_llm_migrations" in names or {"conversations", "responses"} <= names:
        return "llm", tables
    return None, tables


def _text_kind(head: bytes) -> str:
    """What a file that is not SQLite looks like, from its first bytes."""
    if not head:
        return "an empty file"
    if head.startswith(ZIP_MAGIC):
        return "a zip archive"
    text = head.removeprefix(b"\xef\xbb\xbf").lstrip()
    if text[:1] in (b"[", b"{"):
        return "a JSON file"
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 4:  # not just a character cut by the sample's end
            return "binary data"
    return "a text file"


def identify(path: Path) -> tuple[str | None, str]:
    """(kind, what it is in words): kind is one of WHAT's keys, "json" for JSON that
    still has to be looked into, or None."""
    with path.open("rb") as f:
        head = f.read(4096)
    if head.startswith(SQLITE_MAGIC):
        try:
            conn = open_read_only(path)
            try:
                kind, tables = sqlite_kind(conn)
            finally:
                conn.close()
        except sqlite3.DatabaseError as exc:
            return None, f"a damaged or locked SQLite database ({exc})"
        if kind is not None:
            return kind, WHAT[kind]
        listed = ", ".join(tables[:8]) + (f" and {len(tables) - 8} more" if len(tables) > 8 else "")
        return None, f"a SQLite database with tables {listed}" if tables else "an empty SQLite database"
    what = _text_kind(head)
    return ("json" if what == "a JSON file" else None), what


def check_source(app: str, path: Path) -> Path:
    """The file to read for `--from app PATH`, or SourceError saying what PATH is.
    A folder holding a ChatGPT export's conversations.json stands for that file."""
    if app == "chatgpt" and path.is_dir() and (path / "conversations.json").is_file():
        path = path / "conversations.json"
    if path.is_dir():
        raise SourceError(f"{path} is a folder, not {WHAT[app]}")
    try:
        kind, what = identify(path)
    except OSError as exc:
        raise SourceError(f"Cannot read {path}: {exc.strerror or exc}") from exc
    if kind == app:
        return path
    if app == "chatgpt":
        if kind == "json":
            from chatterm.store.importers.chatgpt import json_kind

            kind, what = json_kind(path)
            if kind == "chatgpt":
                return path
        hint = " (unzip the export and pass its conversations.json)" if what == "a zip archive" else ""
        raise SourceError(f"{path} is {what}, not {WHAT[app]}{hint}")
    if kind in WHAT:
        raise SourceError(f"{path} is {WHAT[kind]}, not {WHAT[app]}")
    if what.startswith(("a SQLite", "an empty SQLite", "a damaged")):
        raise SourceError(f"{path} is {what} (not {OWNER[app]})")
    raise SourceError(f"{path} is not SQLite: {what} (expected {WHAT[app]})")
