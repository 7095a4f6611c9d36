"""llm's `logs.db` (simonw/llm) -> chats.

Up to llm 0.27 every model call is a row of `responses` (its prompt, system prompt,
reply, model, time, tokens) in a `conversations` row (name, model): each response
becomes a prompt and a reply. The first response's system prompt is the chat's; a
later response with a different one gets it as a system message before its prompt.
Times are UTC. Ids are llm's ULIDs, unique everywhere. A response without a
conversation is a chat of its own.

llm 0.28 and later log to a message tree instead (`threads`, `turns`, `messages`,
`parts`; see `llm_threads.py`); a file may hold both, and both are read.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from itertools import groupby
from typing import Any

from chatterm.api.types import Usage
from chatterm.engine.conversation import ChatSettings, Conversation, Message, Timings
from chatterm.store.importers.chat import ImportedChat, Notes, as_text, first_line_title
from chatterm.store.importers.times import utc_seconds

APP = "llm"


def _tables(conn: sqlite3.Connection) -> set[str]:
    return {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'view')")}


def read(conn: sqlite3.Connection, notes: Notes) -> Iterator[ImportedChat]:
    tables = _tables(conn)
    if "responses" in tables:
        yield from read_responses(conn, notes, has_conversations="conversations" in tables)
    if {"threads", "turns", "messages", "parts"} <= tables:
        from chatterm.store.importers.llm_threads import read_threads

        yield from read_threads(conn, notes)


def read_responses(conn: sqlite3.Connection, notes: Notes, *, has_conversations: bool) -> Iterator[ImportedChat]:
    """One chat per conversation, read in one scan of `responses` ordered by conversation."""
    columns = {r[1] for r in conn.execute('PRAGMA table_info("responses")')}
    resolved = "resolved_model" if "resolved_model" in columns else "NULL"
    names = "c.name, c.model" if has_conversations else "NULL, NULL"
    join = "LEFT JOIN conversations c ON c.id = r.conversation_id" if has_conversations else ""
    attached = (
        "(SELECT COUNT(*) FROM prompt_attachments a WHERE a.response_id = r.id)"
        if "prompt_attachments" in _tables(conn)
        else "0"
    )
    rows = conn.execute(
        f"""
        SELECT COALESCE(r.conversation_id, 'response:' || r.id), {names}, r.id, r.model, {resolved},
               r.prompt, r.system, r.response, r.datetime_utc, r.input_tokens, r.output_tokens, r.duration_ms,
               {attached}
        FROM responses r {join}
        ORDER BY COALESCE(r.conversation_id, 'response:' || r.id), r.datetime_utc, r.rowid
        """
    )
    for key, group in groupby(rows, key=lambda r: r[0]):
        yield _chat(str(key), list(group), notes)


def _chat(key: str, rows: list[tuple[Any, ...]], notes: Notes) -> ImportedChat:
    _key, name, chat_model, *_ = rows[0]
    settings = ChatSettings(system_prompt=rows[0][7] or None)  # the first response's system
    messages: list[Message] = []
    previous: str | None = None
    system = settings.system_prompt
    for row in rows:
        (
            _k,
            _n,
            _m,
            rid,
            model,
            resolved,
            prompt,
            row_system,
            reply,
            when_text,
            tokens_in,
            tokens_out,
            duration,
            attached,
        ) = row
        when = utc_seconds(when_text) or (messages[-1].created_at if messages else 0.0)
        if row_system and row_system != system:
            messages.append(Message("system", row_system, id=f"{rid}:system", parent_id=previous, created_at=when))
            previous = messages[-1].id
            system = row_system
        text = as_text(prompt)
        if attached:
            notes.add("llm attachments are not imported: each prompt notes how many it had")
            text += f"\n\n[{attached} attachment{'s' if attached > 1 else ''} not imported]"
        messages.append(Message("user", text, id=f"{rid}:prompt", parent_id=previous, created_at=when))
        usage = None
        if tokens_in is not None or tokens_out is not None:
            total = (tokens_in or 0) + (tokens_out or 0)
            usage = Usage(tokens_in, tokens_out, total)
        reply_at = when + (duration or 0) / 1000
        messages.append(
            Message(
                "assistant",
                as_text(reply),
                model=resolved or model or chat_model,
                usage=usage,
                timings=Timings(None, duration / 1000) if isinstance(duration, int | float) else None,
                id=f"{rid}:reply",
                parent_id=messages[-1].id,
                created_at=reply_at,
            )
        )
        previous = messages[-1].id
    model = next((m.model for m in reversed(messages) if m.role == "assistant" and m.model), None) or chat_model
    if model:
        settings.model = str(model)
    conversation = Conversation(
        title=name.strip() if isinstance(name, str) and name.strip() else first_line_title(messages),
        settings=settings,
        created_at=messages[0].created_at,
        updated_at=messages[-1].created_at,
    )
    return ImportedChat(APP, key, conversation, messages, previous)
