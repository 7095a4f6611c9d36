"""llm 0.28+'s message tree in `logs.db` -> chats: one chat per thread.

A thread names its last message (`tip_message_hash`); messages chain back through
`parent_hash`, each holding ordered `parts` (text, reasoning, tool calls and results,
attachments). A part's text is in `parts.text`, or in `payload.text_ref` as literals
and `fragments` (text llm stores once). Each model call is a `turns` row (model, time,
tokens) ending at the reply it wrote. A leading system message is the chat's system
prompt. Ids: the thread's ULID, and each message's content hash.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from typing import Any

from chatterm.api.types import ToolCall, Usage
from chatterm.engine.conversation import ChatSettings, Conversation, Message, Role, Timings
from chatterm.store.importers.chat import ImportedChat, Notes, first_line_title
from chatterm.store.importers.times import utc_seconds

APP = "llm"
_ROLES: dict[str, Role] = {"system": "system", "user": "user", "assistant": "assistant"}


def read_threads(conn: sqlite3.Connection, notes: Notes) -> Iterator[ImportedChat]:
    threads = conn.execute("SELECT id, name, tip_message_hash, datetime_utc FROM threads ORDER BY rowid").fetchall()
    for thread_id, name, tip, started in threads:
        yield _thread(conn, str(thread_id), name, tip, utc_seconds(started), notes)


def _chain(conn: sqlite3.Connection, tip: str | None) -> list[tuple[str, str]]:
    """(hash, role) from the root to the tip."""
    chain: list[tuple[str, str]] = []
    seen: set[str] = set()
    node = tip
    while node and node not in seen:
        seen.add(node)
        row = conn.execute("SELECT hash, parent_hash, role FROM messages WHERE hash = ?", (node,)).fetchone()
        if row is None:
            break
        chain.append((row[0], row[2]))
        node = row[1]
    chain.reverse()
    return chain


def _fragment(conn: sqlite3.Connection, fragment_id: Any) -> str:
    row = conn.execute("SELECT content FROM fragments WHERE id = ?", (fragment_id,)).fetchone()
    return str(row[0]) if row and row[0] is not None else ""


def _part_text(conn: sqlite3.Connection, text: str | None, payload: dict[str, Any]) -> str:
    if text is not None:
        return text
    if isinstance(payload.get("text"), str):
        return str(payload["text"])
    pieces = payload.get("text_ref")
    if isinstance(pieces, list):
        return "".join(
            str(p["literal"]) if "literal" in p else _fragment(conn, p.get("fragment"))
            for p in pieces
            if isinstance(p, dict)
        )
    return ""


def _turns(conn: sqlite3.Connection, thread_id: str) -> dict[str, tuple[Any, ...]]:
    """The model call that wrote each reply (its tip), by message hash."""
    rows = conn.execute(
        "SELECT tip_message_hash, model, resolved_model, datetime_utc, input_tokens, output_tokens, duration_ms "
        "FROM turns WHERE thread_id = ?",
        (thread_id,),
    )
    return {str(r[0]): tuple(r[1:]) for r in rows}


def _thread(
    conn: sqlite3.Connection, thread_id: str, name: str | None, tip: str | None, started: float | None, notes: Notes
) -> ImportedChat:
    turns = _turns(conn, thread_id)
    settings = ChatSettings()
    messages: list[Message] = []
    previous: str | None = None
    when = started or 0.0
    for index, (digest, role) in enumerate(_chain(conn, tip)):
        turn = turns.get(digest)
        if turn is not None:
            when = utc_seconds(turn[2]) or when
        parts = conn.execute(
            "SELECT type, tool_name, text, payload FROM parts WHERE message_hash = ? ORDER BY position", (digest,)
        ).fetchall()
        text: list[str] = []
        reasoning: list[str] = []
        calls: list[ToolCall] = []
        results: list[Message] = []
        for kind, tool_name, part_text, raw in parts:
            payload = json.loads(raw) if raw else {}
            if kind == "text":
                text.append(_part_text(conn, part_text, payload))
            elif kind == "reasoning":
                reasoning.append(_part_text(conn, part_text, payload))
            elif kind == "tool_call":
                arguments = payload.get("arguments")
                calls.append(
                    ToolCall(
                        str(payload.get("tool_call_id") or f"call_{digest[-12:]}_{len(calls)}"),
                        str(tool_name or payload.get("name") or "tool"),
                        arguments if isinstance(arguments, str) else json.dumps(arguments or {}, ensure_ascii=False),
                    )
                )
            elif kind == "tool_result":
                results.append(
                    Message(
                        "tool",
                        str(payload.get("output") or ""),
                        tool_call_id=payload.get("tool_call_id"),
                        name=str(tool_name or payload.get("name") or "tool"),
                        created_at=when,
                    )
                )
            else:
                notes.add(f"llm {kind} parts are not imported: each is marked [{kind} not imported]")
                text.append(f"[{kind} not imported]")
        body = "\n\n".join(t for t in text if t)
        if role == "system" and index == 0 and settings.system_prompt is None:
            settings.system_prompt = body
            continue
        if role == "tool" or (results and not body and not calls):
            for number, result in enumerate(results):
                result.id = f"{digest}#{number}"
                result.parent_id = previous
                messages.append(result)
                previous = result.id
            continue
        chat_role = _ROLES.get(role)
        if chat_role is None:
            notes.add(f"llm messages with role {role!r} are not imported")
            continue
        message = Message(
            chat_role,
            body,
            reasoning="\n\n".join(r for r in reasoning if r) or None,
            tool_calls=calls,
            id=digest,
            parent_id=previous,
            created_at=when,
        )
        if role == "assistant" and turn is not None:
            model, resolved, _at, tokens_in, tokens_out, duration = turn
            message.model = resolved or model
            if tokens_in is not None or tokens_out is not None:
                message.usage = Usage(tokens_in, tokens_out, (tokens_in or 0) + (tokens_out or 0))
            if isinstance(duration, int | float):
                message.timings = Timings(None, duration / 1000)
        messages.append(message)
        previous = message.id
    model = next((m.model for m in reversed(messages) if m.model), None)
    if model:
        settings.model = model
    conversation = Conversation(
        title=name.strip() if isinstance(name, str) and name.strip() else first_line_title(messages),
        settings=settings,
        created_at=started or (messages[0].created_at if messages else 0.0),
        updated_at=max((m.created_at for m in messages), default=started or 0.0),
    )
    return ImportedChat(APP, f"thread:{thread_id}", conversation, messages, previous)
