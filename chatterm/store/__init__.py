"""chatterm's history: every chat in one SQLite file, searchable, branchable, exportable.

    errors.py      StoreError, DamagedStoreError, NewerStoreError, UnknownChatError
    paths.py       default_path(), quarantine()
    migrations.py  the schema as ordered migrations (PRAGMA user_version)
    db.py          open + check + configure (WAL, busy timeout, foreign keys); write txns
    codec.py       Message / chat <-> rows
    search.py      safe FTS5 queries, SearchHit, snippet offsets
    export.py      JSON export/import, Markdown export
    store.py       ChatStore (the engine's Recorder and everything the UI reads)

Imports only the standard library and chatterm's engine/api data types.
"""

from chatterm.store.errors import (
    DamagedStoreError,
    NewerStoreError,
    StoreError,
    UnknownChatError,
)
from chatterm.store.search import SearchHit
from chatterm.store.store import ChatStore, ChatSummary, default_path

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
