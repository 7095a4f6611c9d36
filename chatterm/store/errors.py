"""The store's exceptions; every message names the database file so the user can act.

StoreError                 anything the store cannot do (unknown chat, bad import file, ...)
├── DamagedStoreError      the file is not a chatterm history: damaged, random bytes,
│   │                      or another application's SQLite database (`.path` is the file)
│   └── ForeignStoreError  another application's SQLite database: never moved aside
├── NewerStoreError        written by a newer chatterm (user_version above ours): refused,
│                          never migrated down
└── UnknownChatError       no chat (or more than one) matches an id or id prefix
                           (also a LookupError)
"""

from __future__ import annotations

from pathlib import Path


class StoreError(Exception):
    """Something the history store cannot do; the message names the file."""


class DamagedStoreError(StoreError):
    """The file is damaged or is not a chatterm history (it is left untouched)."""

    def __init__(self, path: Path, reason: str) -> None:
        self.path = path
        self.reason = reason
        super().__init__(
            f"The history file {path} is damaged or is not a chatterm history ({reason}). "
            "It has not been changed; move it aside to start a fresh history."
        )


class ForeignStoreError(DamagedStoreError):
    """Another application's SQLite database: chatterm neither writes it nor renames it
    ("start fresh" is refused), since that application still needs it where it is."""

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(path, reason)
        self.args = (
            f"The history file {path} is not a chatterm history ({reason}). "
            "chatterm leaves it as it is; pass --history PATH or set CHATTERM_HISTORY to use another file.",
        )

    def __str__(self) -> str:
        return str(self.args[0])


class NewerStoreError(StoreError):
    """The file comes from a newer chatterm; we refuse rather than migrate down."""

    def __init__(self, path: Path, found: int, supported: int) -> None:
        self.path = path
        self.found = found
        self.supported = supported
        super().__init__(
            f"The history file {path} was written by a newer chatterm (schema version {found}; "
            f"this chatterm understands up to {supported}). Upgrade chatterm, or pass "
            "--history PATH to use another file."
        )


class UnknownChatError(StoreError, LookupError):
    """No chat, or more than one, matches the given id or prefix.

    Also a LookupError: callers that only look a chat up (`chatterm --chat ID`,
    `ask --chat ID`) catch it as "not found" without importing the store."""
