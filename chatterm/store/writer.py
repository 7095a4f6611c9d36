"""`HistoryWriter`: the engine's recorder for the TUI and `ask`, writing from a queue.

The engine hands over a write (`ops.py` copies what it needs at once) and goes on; one
thread writes the queue to the history file in batches. So the event loop never waits
for the disk (a stop is shown at once, however long the reply), and a lock another
process holds for a long time (a 200k-message import, a big delete) costs nothing but
a delay: the writes stay in memory, the thread retries with backoff until the lock
frees, and history is never turned off because of a lock.

Writes that another supersedes are dropped from the queue (a message saved whole makes
its earlier saves and parts moot; text appended twice is one part), so a long wait
holds one entry per message, not one per flush.

`close(wait)` gives the queue up to `wait` seconds to reach the file and says whether
everything did (`ask` reports `"saved": false` when not). Errors that waiting cannot
mend (a damaged file, a message of another chat) drop that write and are told once
through `take_notice()`.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

from chatterm.engine.conversation import Conversation, Message
from chatterm.store.errors import StoreError
from chatterm.store.ops import AppendParts, SaveChat, SaveMessage, WriteOp
from chatterm.store.store import ChatStore

ATTEMPT_MS = 250
"""How long one write waits for another process's lock before the thread backs off."""
FIRST_BACKOFF = 0.05
MAX_BACKOFF = 2.0
TELL_AFTER = 1.0
"""A lock held this long is told to the user (once per wait)."""
SAVE_WAIT_ENV = "CHATTERM_SAVE_WAIT"
DEFAULT_SAVE_WAIT = 60.0
_TRANSIENT = ("SQLITE_BUSY", "SQLITE_LOCKED", "SQLITE_FULL", "SQLITE_IOERR")


def save_wait() -> float:
    """How long a command that ends waits for its writes (a lock held by another
    process): `$CHATTERM_SAVE_WAIT` seconds, default 60."""
    try:
        return max(0.0, float(os.environ.get(SAVE_WAIT_ENV, DEFAULT_SAVE_WAIT)))
    except ValueError:
        return DEFAULT_SAVE_WAIT


def is_transient(error: BaseException) -> bool:
    """A write that may succeed later: a lock, a full disk, a passing I/O error."""
    cause = error.__cause__ if isinstance(error, StoreError) else error
    if isinstance(cause, sqlite3.OperationalError):
        name = getattr(cause, "sqlite_errorname", "") or ""
        text = str(cause)
        return name.startswith(_TRANSIENT) or "locked" in text or "disk is full" in text
    return isinstance(error, OSError)


class HistoryWriter:
    """A `Recorder` (plus `append_text`, `siblings`, `switch_branch`) over its own
    connection to the history file; see the module docstring."""

    def __init__(self, path: str | Path) -> None:
        self.store = ChatStore(path, busy_timeout_ms=ATTEMPT_MS)
        self.path = self.store.path
        self._cond = threading.Condition()
        self._pending: list[WriteOp] = []
        self._writing = 0
        """Writes taken by the thread and not yet committed (or put back)."""
        self._closing = False
        self._abandoned = False
        self._notices: list[str] = []
        self._waiting_since: float | None = None
        self._told_wait = False
        self._last_error: str | None = None
        self._thread = threading.Thread(target=self._run, name="chatterm-history-writer", daemon=True)
        self._thread.start()

    def __repr__(self) -> str:
        return f"HistoryWriter({str(self.path)!r})"

    # --- the engine's Recorder -----------------------------------------------------------

    def save_chat(self, conversation: Conversation) -> None:
        self._put(SaveChat.of(conversation))

    def save_message(self, conversation: Conversation, message: Message) -> None:
        self._put(SaveMessage.of(conversation, message))

    def append_text(self, conversation: Conversation, message: Message, content: str, reasoning: str = "") -> None:
        if content or reasoning:
            self._put(AppendParts(message.id, content, reasoning))

    def take_notice(self) -> str | None:
        """What the user should hear about saving since the last call (or None)."""
        with self._cond:
            if not self._notices:
                return None
            text = " ".join(self._notices)
            self._notices.clear()
            return text

    # --- reads that must see our own writes ----------------------------------------------

    def settle(self, timeout: float) -> bool:
        """Before a read: let the queue reach the file (up to `timeout` s), unless the
        file is locked by another process (then the read goes ahead at once and sees
        the file as it is: a window must not freeze for a lock)."""
        with self._cond:
            if self._waiting_since is not None:
                return False
        return self.wait_saved(timeout)

    def siblings(self, message_id: str) -> list[Message]:
        self.settle(1.0)
        return self.store.siblings(message_id)

    def switch_branch(self, chat_id: str, message_id: str) -> Conversation:
        self.wait_saved(5.0)
        return self.store.switch_branch(chat_id, message_id)

    def __getattr__(self, name: str) -> Any:
        """Everything else of the `ChatStore` (load, summary, search, ...), on the
        writer's connection once the queue has reached the file (up to a second), so a
        caller holding the session's recorder reads what it has just saved."""
        if name.startswith("_") or name == "store":
            raise AttributeError(name)
        self.settle(1.0)
        return getattr(self.store, name)

    # --- waiting and closing -----------------------------------------------------------

    def problem(self, waited: float) -> str:
        """Why writes are still unsaved, for the user."""
        with self._cond:
            error = self._last_error
        if error is not None and "lock" in error:
            return f"the history file {self.path} stayed locked by another process (waited {waited:g} s)"
        return f"the history file {self.path} could not be written ({error or 'still busy'}; waited {waited:g} s)"

    @property
    def unsaved(self) -> int:
        """Writes not yet in the file."""
        with self._cond:
            return len(self._pending) + self._writing

    def wait_saved(self, timeout: float) -> bool:
        """Wait up to `timeout` s for every queued write to reach the file."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while self._pending or self._writing:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._cond.wait(left)
            return True

    def close(self, wait: float = 10.0) -> bool:
        """Write what is queued (waiting up to `wait` s), stop the thread, close the file.
        Returns whether everything was saved."""
        saved = self.wait_saved(wait)
        with self._cond:
            self._closing = True
            self._abandoned = not saved
            self._cond.notify_all()
        self._thread.join(timeout=max(1.0, 4 * ATTEMPT_MS / 1000))
        self.store.close()
        return saved

    # --- the queue -----------------------------------------------------------------------

    def _put(self, op: WriteOp) -> None:
        with self._cond:
            if self._closing:
                raise StoreError(f"The history file {self.path} is closed")
            self._add(op)
            self._cond.notify_all()

    def _add(self, op: WriteOp) -> None:
        """Queue `op`, dropping the queued writes it makes moot (lock held)."""
        pending = self._pending
        if isinstance(op, SaveMessage):
            mid = op.message_id
            pending[:] = [p for p in pending if not (isinstance(p, (SaveMessage, AppendParts)) and _mid(p) == mid)]
        elif isinstance(op, SaveChat):
            pending[:] = [p for p in pending if not (isinstance(p, SaveChat) and p.chat_id == op.chat_id)]
        elif pending and isinstance(last := pending[-1], AppendParts) and last.message_id == op.message_id:
            pending[-1] = AppendParts(op.message_id, last.content + op.content, last.reasoning + op.reasoning)
            return
        pending.append(op)

    def _run(self) -> None:
        backoff = FIRST_BACKOFF
        while True:
            with self._cond:
                while not self._pending and not self._closing:
                    self._cond.wait()
                if self._abandoned or (self._closing and not self._pending):
                    return
                batch, self._pending = self._pending, []
                self._writing = len(batch)
            try:
                self._write(batch)
            except Exception as error:
                if not is_transient(error):
                    self._write_one_by_one(batch)
                    continue
                with self._cond:
                    later, self._pending = self._pending, []
                    for op in [*batch, *later]:
                        self._add(op)
                    self._writing = 0
                    self._last_error = str(error)
                    self._note_waiting(error)
                    self._cond.notify_all()
                    self._cond.wait(backoff)  # close() wakes us early
                backoff = min(MAX_BACKOFF, backoff * 2)
                continue
            backoff = FIRST_BACKOFF
            with self._cond:
                self._writing = 0
                if self._waiting_since is not None and self._told_wait:
                    self._notices.append("History saved: the history file is free again.")
                self._waiting_since = None
                self._told_wait = False
                self._last_error = None
                self._cond.notify_all()

    def _write(self, batch: list[WriteOp]) -> None:
        self.store.write_batch(batch)

    def _write_one_by_one(self, batch: list[WriteOp]) -> None:
        """A batch failed for good: write what can be written, tell about the rest."""
        failed: list[str] = []
        for op in batch:
            try:
                self.store.write_batch([op])
            except Exception as error:
                if is_transient(error):
                    with self._cond:
                        self._add(op)
                else:
                    failed.append(str(error))
        with self._cond:
            self._writing = 0
            if failed:
                self._notices.append(f"History: {len(failed)} write(s) could not be saved: {failed[0]}")
            self._cond.notify_all()

    def _note_waiting(self, error: BaseException) -> None:
        now = time.monotonic()
        if self._waiting_since is None:
            self._waiting_since = now
        if not self._told_wait and now - self._waiting_since >= TELL_AFTER:
            self._told_wait = True
            reason = "is locked by another process" if "lock" in str(error) else f"cannot be written ({error})"
            self._notices.append(
                f"History: the history file {self.path} {reason}; this chat is kept in memory and saved when it frees."
            )


def _mid(op: SaveMessage | AppendParts) -> str:
    return op.message_id
