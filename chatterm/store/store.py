"""`ChatStore`: the history of every chat in one SQLite file.

It is the engine's `Recorder` (`save_chat`, `save_message`, `append_text`: each call is
one short committed transaction, so a crash loses at most what was not yet handed to the
store; `store/writer.py` runs the same writes from a queue off the event loop) and what the TUI and `chatterm history` read from (`list_chats`, `search`, `load`,
branches, rename/delete, export/import).

Chats are trees: every message keeps `parent_id`; `chats.current_leaf_id` says which
branch is shown, and `load()` walks from that leaf to the root. Message ids are
globally unique (uuid hex), so `siblings(message_id)` needs no chat id.

One connection per ChatStore, serialised by a lock (the TUI may call from a worker
thread). Several processes may share the file: WAL lets readers run beside a writer and
`BEGIN IMMEDIATE` plus the busy timeout queues writers instead of failing. Long writes
(a big import, deleting a big chat) commit in chunks of `CHUNK_ROWS` with a pause
between, so another process waiting for the lock gets its turn.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from chatterm.engine.conversation import ChatSettings, Conversation, Message
from chatterm.media.blobs import BlobStore, images_dir
from chatterm.store import export as export_mod
from chatterm.store import paths
from chatterm.store.codec import (
    CHAT_COLUMNS,
    MESSAGE_COLUMNS,
    chat_params,
    message_params,
    row_to_conversation,
    row_to_message,
)
from chatterm.store.codec import UPSERT_CHAT as _UPSERT_CHAT  # benchmarks/history.py reads it here
from chatterm.store.codec import UPSERT_MESSAGE as _UPSERT_MESSAGE
from chatterm.store.db import BUSY_TIMEOUT_MS, open_database, schema_version, write
from chatterm.store.errors import DamagedStoreError, StoreError, UnknownChatError
from chatterm.store.migrations import PARTS_VERSION
from chatterm.store.ops import AppendParts, SaveChat, SaveMessage, WriteOp, add_parts, apply
from chatterm.store.search import CLOSE_MARK, OPEN_MARK, SearchHit, build_match_query, parse_snippet

if TYPE_CHECKING:
    from chatterm.store.importers.chat import ImportedChat
    from chatterm.store.importers.save import ImportCounts
    from chatterm.store.stats import UsageReport

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class ChatSummary:
    """One line of the history list."""

    id: str
    title: str
    models: list[str]
    """Models that wrote replies in this chat (any branch), in order of first use."""
    updated_at: float
    created_at: float
    message_count: int
    """Prompts and replies stored for the chat, all branches: what a user counts as
    turns. Tool results and system messages are not counted."""
    preset: str | None = None
    """The preset the chat was started from (`ChatSettings.preset`), as saved: outside
    text, made safe by whoever shows it."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "models": list(self.models),
            "updated_at": self.updated_at,
            "created_at": self.created_at,
            "message_count": self.message_count,
        }


PRESET_SQL = "CASE WHEN json_valid(settings) THEN json_extract(settings, '$.preset') END"
"""A chat row's preset name, out of its settings JSON; NULL when the settings are not
JSON (a damaged or hand-edited row must not fail the whole list)."""


def _name(value: object) -> str | None:
    """A saved preset name, if it is one (the JSON may hold anything)."""
    return value if isinstance(value, str) and value else None


UNTITLED = "New chat"
RANK_WINDOW = 5000
"""A search ranks at most this many matches, the newest (see `_rank_floor`)."""
CHUNK_ROWS = 2000
"""Rows a long write (import, delete) commits at a time."""


class ChatStore:
    """Every conversation, saved as it happens; see the module docstring."""

    def __init__(self, path: str | Path, *, read_only: bool = False, busy_timeout_ms: int = BUSY_TIMEOUT_MS) -> None:
        """`read_only`: for reading commands on a file or folder that cannot be written
        (no WAL switch, no migration); `busy_timeout_ms`: how long one write waits for
        another process's lock before it fails."""
        self.path = Path(path).expanduser()
        self.read_only = read_only
        self.chunk_rows = CHUNK_ROWS
        self._lock = threading.RLock()
        self.settle: Callable[[float], bool] | None = None
        """Set by the app to its queued writer's `wait_saved`: reads first give the
        queue up to a second, so a window reads the chat it has just saved."""
        try:
            self._conn: sqlite3.Connection | None = open_database(
                self.path, read_only=read_only, busy_timeout_ms=busy_timeout_ms
            )
            self._has_parts = schema_version(self._conn) >= PARTS_VERSION
        except (sqlite3.Error, OSError) as exc:
            raise StoreError(f"Cannot open the history file {self.path}: {exc}") from exc

    def __repr__(self) -> str:
        return f"ChatStore({str(self.path)!r})"

    # --- plumbing ----------------------------------------------------------------------

    @staticmethod
    def quarantine(path: str | Path) -> Path:
        """Move a damaged file (and its -wal/-shm) aside; returns where it went."""
        return paths.quarantine(path)

    @contextmanager
    def _db(self) -> Iterator[sqlite3.Connection]:
        """The connection, locked, with SQLite errors turned into errors naming the file."""
        if self.settle is not None:
            self.settle(1.0)
        with self._lock:
            if self._conn is None:
                raise StoreError(f"The history file {self.path} is closed")
            try:
                yield self._conn
            except sqlite3.Error as exc:
                name = getattr(exc, "sqlite_errorname", "") or ""
                if name.startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB")):
                    raise DamagedStoreError(self.path, str(exc)) from exc
                raise StoreError(f"History file {self.path}: {exc}") from exc

    def _write(self, work: Callable[[sqlite3.Connection], T]) -> T:
        if self.read_only:
            raise StoreError(f"The history file {self.path} is open read-only")
        with self._db() as conn, write(conn):
            return work(conn)

    def _chunked(self, work: Callable[[sqlite3.Connection], bool]) -> None:
        """Run `work` in one transaction after another until it returns False, pausing
        between them as long as the last one took (at most 0.1 s): a long write never
        holds the lock for long, and a process waiting for it gets in."""
        while True:
            started = time.monotonic()
            more = self._write(work)
            if not more:
                return
            time.sleep(min(0.1, max(0.005, time.monotonic() - started)))

    def write_batch(self, ops: list[WriteOp]) -> None:
        """Several writes in one transaction (the queued writer's batch)."""

        def work(conn: sqlite3.Connection) -> None:
            for op in ops:
                apply(conn, op, self.path)

        self._write(work)

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    def __enter__(self) -> ChatStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- the engine's Recorder ---------------------------------------------------------

    @staticmethod
    def _leaf(conversation: Conversation) -> str | None:
        return conversation.messages[-1].id if conversation.messages else None

    def save_chat(self, conversation: Conversation) -> None:
        """Upsert the chat row: title, settings, times, current leaf."""
        self.write_batch([SaveChat.of(conversation)])

    def save_message(self, conversation: Conversation, message: Message) -> None:
        """Upsert one whole message and its chat row in one committed transaction
        (the parts a streaming reply gained are folded into it)."""
        self.write_batch([SaveMessage.of(conversation, message)])

    def append_text(self, conversation: Conversation, message: Message, content: str, reasoning: str = "") -> None:
        """Add the text a streaming reply gained since it was last saved: one small
        insert, whatever the reply's length (nothing is re-indexed until it is saved)."""
        self.write_batch([AppendParts(message.id, content, reasoning)])

    def save_conversation(self, conversation: Conversation) -> None:
        """Save a whole chat (its row and every message of the current branch) at once."""
        chat = chat_params(conversation, self._leaf(conversation))
        rows = [message_params(conversation.id, m) for m in conversation.messages]

        def work(conn: sqlite3.Connection) -> None:
            conn.execute(_UPSERT_CHAT, chat)
            for row in rows:
                conn.execute(_UPSERT_MESSAGE, row)

        self._write(work)

    # --- reading -----------------------------------------------------------------------

    def list_chats(self, limit: int = 50, offset: int = 0) -> list[ChatSummary]:
        """Chats, most recently updated first."""
        with self._db() as conn:
            rows = conn.execute(
                f"""
                SELECT c.id, c.title, c.updated_at, c.created_at,
                       (SELECT COUNT(*) FROM messages m WHERE m.chat_id = c.id AND m.role IN ('user', 'assistant')),
                       {PRESET_SQL}
                FROM (
                    SELECT id FROM chats ORDER BY updated_at DESC, id DESC LIMIT ? OFFSET ?
                ) AS page JOIN chats c ON c.id = page.id
                ORDER BY c.updated_at DESC, c.id DESC
                """,
                (limit, offset),
            ).fetchall()
            models = self._models_of(conn, [r[0] for r in rows])
        return [ChatSummary(r[0], r[1] or UNTITLED, models.get(r[0], []), r[2], r[3], r[4], _name(r[5])) for r in rows]

    def usage_by_day(self, since: float) -> UsageReport:
        """Chats, replies, tokens and cost per local day since `since` (`stats.py`)."""
        from chatterm.store.stats import usage_by_day

        with self._db() as conn:
            return usage_by_day(conn, since)

    def summary(self, chat_id: str) -> ChatSummary:
        """One chat's list line (an unambiguous id prefix is accepted)."""
        with self._db() as conn:
            full_id = self.resolve_id(chat_id)
            r = conn.execute(
                "SELECT id, title, updated_at, created_at, "
                "(SELECT COUNT(*) FROM messages m WHERE m.chat_id = chats.id AND m.role IN ('user', 'assistant')), "
                f"{PRESET_SQL} FROM chats WHERE id = ?",
                (full_id,),
            ).fetchone()
            models = self._models_of(conn, [full_id])
        return ChatSummary(r[0], r[1] or UNTITLED, models.get(r[0], []), r[2], r[3], r[4], _name(r[5]))

    @staticmethod
    def _models_of(conn: sqlite3.Connection, chat_ids: list[str]) -> dict[str, list[str]]:
        if not chat_ids:
            return {}
        marks = ",".join("?" * len(chat_ids))
        out: dict[str, list[str]] = {}
        for chat_id, model, _first in conn.execute(
            f"""
            SELECT chat_id, model, MIN(seq) AS first FROM messages
            WHERE chat_id IN ({marks}) AND role = 'assistant' AND model IS NOT NULL
            GROUP BY chat_id, model ORDER BY chat_id, first
            """,
            chat_ids,
        ):
            out.setdefault(chat_id, []).append(model)
        return out

    def count_chats(self) -> int:
        with self._db() as conn:
            return int(conn.execute("SELECT COUNT(*) FROM chats").fetchone()[0])

    def search(self, query: str, limit: int = 50) -> list[SearchHit]:
        """Messages matching `query`, best first (bm25; prompt matches weigh double)."""
        match = build_match_query(query)
        if match is None:
            return []
        with self._db() as conn:
            try:
                floor = self._rank_floor(conn, match)
                rows = conn.execute(
                    """
                    SELECT m.chat_id, m.id, c.title, m.role, m.model, m.created_at, f.snip, f.rank
                    FROM (
                        SELECT rowid AS rid, rank,
                               snippet(messages_fts, -1, ?, ?, '…', 16) AS snip
                        FROM messages_fts WHERE messages_fts MATCH ? AND rowid >= ?
                        ORDER BY rank LIMIT ?
                    ) AS f
                    JOIN messages m ON m.rid = f.rid
                    JOIN chats c ON c.id = m.chat_id
                    ORDER BY f.rank
                    """,
                    (OPEN_MARK, CLOSE_MARK, match, floor, limit),
                ).fetchall()
            except sqlite3.OperationalError as exc:
                if "fts5" in str(exc) or "syntax" in str(exc):
                    return []  # defensive: user input never surfaces as an FTS error
                raise
        hits = []
        for chat_id, message_id, title, role, model, created_at, snip, rank in rows:
            text, spans = parse_snippet(snip or "")
            hits.append(SearchHit(chat_id, message_id, title or UNTITLED, role, model, created_at, text, spans, rank))
        return hits

    @staticmethod
    def _rank_floor(conn: sqlite3.Connection, match: str) -> int:
        """The lowest rowid worth ranking: bm25 over every match of a very common word
        costs ~1 us a row, so past RANK_WINDOW matches only the newest are ranked."""
        row = conn.execute(
            "SELECT rowid FROM messages_fts WHERE messages_fts MATCH ? ORDER BY rowid DESC LIMIT 1 OFFSET ?",
            (match, RANK_WINDOW - 1),
        ).fetchone()
        return int(row[0]) if row else 0

    def resolve_id(self, prefix: str) -> str:
        """The full id of the one chat whose id starts with `prefix`."""
        prefix = prefix.strip()
        if not prefix:
            raise UnknownChatError(f"No chat id given (history file {self.path})")
        with self._db() as conn:
            rows = conn.execute(
                "SELECT id FROM chats WHERE id >= ? AND id < ? ORDER BY id LIMIT 2",
                (prefix, prefix + "\U0010ffff"),
            ).fetchall()
        if not rows:
            raise UnknownChatError(f"No chat with id {prefix!r} in {self.path}")
        if len(rows) > 1 and rows[0][0] != prefix:
            raise UnknownChatError(f"Chat id {prefix!r} is ambiguous in {self.path}; give more characters")
        return str(rows[0][0])

    def last_chat_id(self) -> str | None:
        """The most recently updated chat, if any."""
        with self._db() as conn:
            row = conn.execute("SELECT id FROM chats ORDER BY updated_at DESC, id DESC LIMIT 1").fetchone()
        return row[0] if row else None

    def _all_messages(self, conn: sqlite3.Connection, chat_id: str) -> list[Message]:
        messages = [
            row_to_message(r)
            for r in conn.execute(
                f"SELECT {MESSAGE_COLUMNS} FROM messages WHERE chat_id = ? ORDER BY seq",
                (chat_id,),
            )
        ]
        return self._with_parts(conn, messages)

    def _with_parts(self, conn: sqlite3.Connection, messages: list[Message]) -> list[Message]:
        return add_parts(conn, messages) if self._has_parts else messages

    def _chat_row(self, conn: sqlite3.Connection, chat_id: str) -> tuple[Any, ...]:
        row = conn.execute(f"SELECT {CHAT_COLUMNS} FROM chats WHERE id = ?", (chat_id,)).fetchone()
        if row is None:
            raise UnknownChatError(f"No chat with id {chat_id!r} in {self.path}")
        return tuple(row)

    @staticmethod
    def _branch(messages: list[Message], leaf_id: str | None) -> list[Message]:
        """The path root -> leaf (the newest message if the leaf is unknown)."""
        by_id = {m.id: m for m in messages}
        leaf = by_id.get(leaf_id) if leaf_id else None
        if leaf is None:
            if not messages:
                return []
            leaf = messages[-1]
        branch: list[Message] = []
        seen: set[str] = set()
        node: Message | None = leaf
        while node is not None and node.id not in seen:
            seen.add(node.id)
            branch.append(node)
            node = by_id.get(node.parent_id) if node.parent_id else None
        branch.reverse()
        return branch

    def load(self, chat_id: str) -> Conversation:
        """The chat with its current branch (an unambiguous id prefix is accepted)."""
        with self._db() as conn:
            full_id = self.resolve_id(chat_id)
            row = self._chat_row(conn, full_id)
            messages = self._all_messages(conn, full_id)
        return row_to_conversation(row, self._branch(messages, row[6]))

    def settings(self, chat_id: str) -> ChatSettings:
        """A chat's settings without reading its messages (the profile a chat reopened at
        launch was on is known before the chat itself is loaded)."""
        with self._db() as conn:
            row = self._chat_row(conn, self.resolve_id(chat_id))
        return row_to_conversation(row, []).settings

    def siblings(self, message_id: str) -> list[Message]:
        """The message and its alternatives (same parent, same chat), oldest first."""
        with self._db() as conn:
            row = conn.execute("SELECT chat_id, parent_id FROM messages WHERE id = ?", (message_id,)).fetchone()
            if row is None:
                raise StoreError(f"No message with id {message_id!r} in {self.path}")
            chat_id, parent_id = row
            rows = conn.execute(
                f"SELECT {MESSAGE_COLUMNS} FROM messages WHERE chat_id = ? AND parent_id IS ? ORDER BY created_at, seq",
                (chat_id, parent_id),
            ).fetchall()
            return self._with_parts(conn, [row_to_message(r) for r in rows])

    def switch_branch(self, chat_id: str, message_id: str) -> Conversation:
        """Make the branch through `message_id` current, following its newest replies."""

        def work(conn: sqlite3.Connection) -> str:
            full_id = self.resolve_id(chat_id)
            found = conn.execute(
                "SELECT 1 FROM messages WHERE id = ? AND chat_id = ?", (message_id, full_id)
            ).fetchone()
            if found is None:
                raise StoreError(f"Message {message_id!r} is not in chat {full_id!r} ({self.path})")
            leaf = message_id
            seen = {leaf}
            while True:
                child = conn.execute(
                    "SELECT id FROM messages WHERE parent_id = ? AND chat_id = ? ORDER BY seq DESC LIMIT 1",
                    (leaf, full_id),
                ).fetchone()
                if child is None or child[0] in seen:
                    break
                leaf = child[0]
                seen.add(leaf)
            conn.execute("UPDATE chats SET current_leaf_id = ? WHERE id = ?", (leaf, full_id))
            return full_id

        return self.load(self._write(work))

    # --- changing ----------------------------------------------------------------------

    def rename(self, chat_id: str, title: str) -> None:
        """Give the chat a custom title (kept from now on)."""
        title = title.strip()
        if not title:
            raise StoreError("A chat title cannot be empty")

        def work(conn: sqlite3.Connection) -> None:
            full_id = self.resolve_id(chat_id)
            conn.execute("UPDATE chats SET title = ?, title_is_custom = 1 WHERE id = ?", (title, full_id))

        self._write(work)

    def delete(self, chat_id: str) -> None:
        """Delete the chat, its messages and their search entries (triggers), the
        messages `chunk_rows` at a time so a huge chat never holds the lock for long."""
        full_id = self.resolve_id(chat_id)

        def some_messages(conn: sqlite3.Connection) -> bool:
            cur = conn.execute(
                "DELETE FROM messages WHERE rid IN (SELECT rid FROM messages WHERE chat_id = ? LIMIT ?)",
                (full_id, self.chunk_rows),
            )
            if cur.rowcount >= self.chunk_rows:
                return True
            conn.execute("DELETE FROM chats WHERE id = ?", (full_id,))
            return False

        self._chunked(some_messages)

    # --- export / import ---------------------------------------------------------------

    def export_json(self, chat_id: str) -> dict[str, Any]:
        """The whole chat, every branch, as a `chatterm-chat` version 1 document."""
        with self._db() as conn:
            full_id = self.resolve_id(chat_id)
            row = self._chat_row(conn, full_id)
            messages = self._all_messages(conn, full_id)
        conv = row_to_conversation(row, [])
        leaf = self._branch(messages, row[6])
        document = export_mod.chat_to_export(conv, messages, leaf[-1].id if leaf else None)
        if any(m.images for m in messages):
            from chatterm.store.export_images import images_for_export

            document["images"] = images_for_export(messages, self.blobs)
        return document

    def export_markdown(self, chat_id: str, target: Path | None = None) -> str:
        """The current branch as Markdown; with `target` (the .md file to be written),
        its generated images are copied beside it and linked."""
        conv = self.load(chat_id)
        links: dict[str, str] = {}
        if target is not None and any(m.images for m in conv.messages):
            from chatterm.store.export_images import copy_images_beside

            links = copy_images_beside(target, conv.messages, self.blobs)
        return export_mod.chat_to_markdown(conv, links)

    @property
    def blobs(self) -> BlobStore:
        """The generated images of this history (the folder beside its file)."""
        return BlobStore(images_dir(self.path))

    def import_chats(self, chats: Iterable[ImportedChat]) -> ImportCounts:
        """Add chats read from another app (`store/importers/`), `chunk_rows` rows per
        transaction with a pause between (like `_chunked`); ids derived from the source
        make a second run add only what is missing (`importers/save.py`)."""
        from itertools import islice

        from chatterm.store.importers.save import ImportCounts, rows_of, save_rows

        counts = ImportCounts()
        rows = rows_of(chats)
        pause = 0.0
        while batch := list(islice(rows, self.chunk_rows)):  # read outside the lock
            time.sleep(pause)
            started = time.monotonic()
            self._write(lambda conn: save_rows(conn, batch, counts))
            pause = min(0.1, max(0.005, time.monotonic() - started))
        return counts

    def import_json(self, data: dict[str, Any], *, source: str | None = None) -> str:
        """Add an exported chat; returns its id. `source` (the file's name) is what
        an error about the document names; the default names this store.

        Ids are kept when the chat id and all message ids are free (so export -> import
        into another store -> export is identical); otherwise (importing a chat that is
        already here) the chat and its messages get fresh ids, parent links remapped.
        """
        named = source if source is not None else f"The import into {self.path}"
        conv, messages, leaf_id = export_mod.chat_from_export(data, named)
        if isinstance(data, dict) and "images" in data:  # the pictures first: no reference to nothing
            from chatterm.store.export_images import restore_images

            try:
                restore_images(data, self.blobs, named)
            except OSError as exc:
                raise StoreError(f"{named}: cannot save its images: {exc.strerror or exc}") from exc

        def work(conn: sqlite3.Connection) -> str:
            taken = conn.execute("SELECT 1 FROM chats WHERE id = ?", (conv.id,)).fetchone()
            if not taken and messages:
                ids = [m.id for m in messages]
                for start in range(0, len(ids), 500):
                    chunk = ids[start : start + 500]
                    marks = ",".join("?" * len(chunk))
                    if conn.execute(f"SELECT 1 FROM messages WHERE id IN ({marks}) LIMIT 1", chunk).fetchone():
                        taken = True
                        break
            leaf = leaf_id
            if taken or len({m.id for m in messages}) != len(messages):
                leaf = export_mod.give_fresh_ids(conv, messages, leaf_id)
            conn.execute(_UPSERT_CHAT, chat_params(conv, leaf))
            conn.executemany(_UPSERT_MESSAGE, [message_params(conv.id, m) for m in messages[: self.chunk_rows]])
            return conv.id

        chat_id = self._write(work)
        rest = messages[self.chunk_rows :]
        if not rest:
            return chat_id
        # A big import goes on in chunks so that other processes are not starved of
        # the lock; if it cannot finish, the part already written is taken out again.
        done = 0

        def next_chunk(conn: sqlite3.Connection) -> bool:
            nonlocal done
            chunk = rest[done : done + self.chunk_rows]
            conn.executemany(_UPSERT_MESSAGE, [message_params(chat_id, m) for m in chunk])
            done += len(chunk)
            return done < len(rest)

        try:
            self._chunked(next_chunk)
        except BaseException:
            try:
                self.delete(chat_id)
            except StoreError:
                pass  # the first error is the one to report
            raise
        return chat_id
