"""chatterm's history: every chat in one SQLite file, searchable, branchable, exportable.

    errors.py      StoreError, DamagedStoreError (ForeignStoreError), NewerStoreError, UnknownChatError
    paths.py       default_path(), quarantine()
    migrations.py  the schema as ordered migrations (PRAGMA user_version)
    db.py          open + check + configure (WAL, busy timeout, foreign keys, 0600,
                   read-only opens); write txns
    codec.py       Message / chat <-> rows
    ops.py         the writes as values (save chat, save message, append a reply's parts)
    writer.py      HistoryWriter: the writes from a queue on a thread, waiting out locks
    search.py      safe FTS5 queries, SearchHit, snippet offsets
    export.py      JSON export/import, Markdown export
    store.py       ChatStore (the engine's Recorder and everything the UI reads)
    importers/     other apps' histories (elia, oterm, ChatGPT, llm) -> chats (`history import --from`)

Imports only the standard library and chatterm's engine/api data types. Names are
loaded on first use (PEP 562), so `chatterm.store.paths` alone (the CLI's default
history path) does not load sqlite3 and the engine.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from chatterm.store.errors import (
        DamagedStoreError,
        NewerStoreError,
        StoreError,
        UnknownChatError,
    )
    from chatterm.store.paths import default_path
    from chatterm.store.search import SearchHit
    from chatterm.store.store import ChatStore, ChatSummary

_HOMES = {
    "ChatStore": "store",
    "ChatSummary": "store",
    "DamagedStoreError": "errors",
    "NewerStoreError": "errors",
    "SearchHit": "search",
    "StoreError": "errors",
    "UnknownChatError": "errors",
    "default_path": "paths",
}

__all__ = [
    "ChatStore",
    "ChatSummary",
    "DamagedStoreError",
    "NewerStoreError",
    "SearchHit",
    "StoreError",
    "UnknownChatError",
    "default_path",
]


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'chatterm.store' has no attribute {name!r}")
    value = getattr(import_module(f"chatterm.store.{home}"), name)
    globals()[name] = value
    return value
