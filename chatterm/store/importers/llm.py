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

import json
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
    tables = _tables(conn)
    attached = (
        "(SELECT COUNT(*) FROM prompt_attachments a WHERE a.response_id = r.id)"
        if "prompt_attachments" in tables
        else "0"
    )
    prompt_fragments = _fragments_of("prompt_fragments") if {"prompt_fragments", "fragments"} <= tables else "NULL"
    system_fragments = _fragments_of("system_fragments") if {"system_fragments", "fragments"} <= tables else "NULL"
    rows = conn.execute(
        f"""
        SELECT COALESCE(r.conversation_id, 'response:' || r.id), {names}, r.id, r.model, {resolved},
               r.prompt, r.system, r.response, r.datetime_utc, r.input_tokens, r.output_tokens, r.duration_ms,
               {attached}, {prompt_fragments}, {system_fragments}
        FROM responses r {join}
        ORDER BY COALESCE(r.conversation_id, 'response:' || r.id), r.datetime_utc, r.rowid
        """
    )
    for key, group in groupby(rows, key=lambda r: r[0]):
        yield _chat(str(key), list(group), notes)


def _fragments_of(table: str) -> str:
    """SQL for a response's fragments (`llm -f`, `--sf`) as a JSON list, in order."""
    return (
        f"(SELECT json_group_array(content) FROM (SELECT f.content FROM {table} x "
        f'JOIN fragments f ON f.id = x.fragment_id WHERE x.response_id = r.id ORDER BY x."order"))'
    )


def _loads_list(text: Any) -> list[str]:
    try:
        value = json.loads(text) if isinstance(text, str) else []
    except ValueError:
        return []
    return [as_text(v) for v in value] if isinstance(value, list) else []


def _sent(prompt: Any, system: Any, prompt_fragments: Any, system_fragments: Any) -> tuple[str, str]:
    """The prompt and system prompt as llm sent them: fragments first, joined the way
    llm's `Prompt.prompt` and `Prompt.system` join them."""
    text = "\n".join([*_loads_list(prompt_fragments), *([as_text(prompt)] if prompt else [])])
    bits = [b.strip() for b in [*_loads_list(system_fragments), as_text(system)] if b.strip()]
    return text, "\n\n".join(bits)


def _chat(key: str, rows: list[tuple[Any, ...]], notes: Notes) -> ImportedChat:
    _key, name, chat_model, *_ = rows[0]
    settings = ChatSettings(system_prompt=_sent(None, rows[0][7], None, rows[0][15])[1] or None)
    messages: list[Message] = []
    previous: str | None = None
    system = settings.system_prompt
    for row in rows:
        _k, _n, _m, rid, model, resolved, raw_prompt, raw_system, reply, when_text, tokens_in, tokens_out = row[:12]
        duration, attached, fragments, system_fragments = row[12:16]
        prompt, row_system = _sent(raw_prompt, raw_system, fragments, system_fragments)
        when = utc_seconds(when_text) or (messages[-1].created_at if messages else 0.0)
        if row_system and row_system != system:
            messages.append(Message("system", row_system, id=f"{rid}:system", parent_id=previous, created_at=when))
            previous = messages[-1].id
            system = row_system
        text = prompt
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
