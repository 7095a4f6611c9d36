"""Other apps' chat histories -> chatterm's (`chatterm history import --from APP PATH`).

    sniff.py        what a file is; refuses the wrong kind before anything is read or written
    chat.py         ImportedChat (a chat in chatterm's terms with its source ids), ids derived
                    from the source (uuid5), Notes (what was left out, counted)
    save.py         the rows of imported chats -> the store, nothing twice (ImportCounts)
    json_stream.py  a JSON array's items one at a time (a big conversations.json is never whole)
    times.py        the apps' times -> epoch seconds
    elia.py         elia's SQLite database          oterm.py   oterm's store.db
    chatgpt.py      a ChatGPT export's conversations.json (its message tree -> branches)
    llm.py          llm's logs.db (conversations + responses; llm_threads.py: llm 0.28+'s tree)

Readers yield chats one at a time; the store writes them `CHUNK_ROWS` rows a commit.
Text is stored as the app wrote it; `history show/list` and the TUI make it safe to show.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from chatterm.store.importers.chat import ImportedChat, Notes
from chatterm.store.importers.sniff import SourceError, check_source, open_read_only

if TYPE_CHECKING:
    from chatterm.store.importers.save import ImportCounts
    from chatterm.store.store import ChatStore

APPS = ("elia", "oterm", "chatgpt", "llm")

__all__ = ["APPS", "ImportSource", "SourceError", "open_source"]


class ImportSource:
    """A checked file of one app, ready to be read (`chats()`) into a store (`into`)."""

    def __init__(self, app: str, path: Path) -> None:
        self.app = app
        self.path = path
        self.notes = Notes()

    def chats(self) -> Iterator[ImportedChat]:
        if self.app == "chatgpt":
            from chatterm.store.importers import chatgpt

            yield from chatgpt.read(self.path, self.notes)
            return
        try:
            conn = open_read_only(self.path)
        except sqlite3.Error as exc:
            raise SourceError(f"Cannot open {self.path}: {exc}") from exc
        try:
            yield from self._sqlite_chats(conn)
        except sqlite3.Error as exc:
            raise SourceError(f"Cannot read {self.path}: {exc}") from exc
        finally:
            conn.close()

    def _sqlite_chats(self, conn: sqlite3.Connection) -> Iterator[ImportedChat]:
        if self.app == "elia":
            from chatterm.store.importers import elia

            yield from elia.read(conn, self.notes)
        elif self.app == "oterm":
            from chatterm.store.importers import oterm

            yield from oterm.read(conn, self.notes, self.path.stat().st_mtime)
        else:
            from chatterm.store.importers import llm

            yield from llm.read(conn, self.notes)

    def into(self, store: ChatStore) -> ImportCounts:
        counts = store.import_chats(self.chats())
        counts.notes = self.notes.lines()
        return counts


def open_source(app: str, path: str | Path) -> ImportSource:
    """The file `--from app PATH` names, checked: SourceError says what it is otherwise."""
    if app not in APPS:
        raise SourceError(f"Unknown app {app!r}: choose one of {', '.join(APPS)}")
    return ImportSource(app, check_source(app, Path(path).expanduser()))
