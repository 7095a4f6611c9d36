#!/usr/bin/env python3
"""Write a long saved conversation into a client's own storage, by script.

The client must have created its (empty) database first with its own CLI
(drive.py profiles run that as a setup step); this script only inserts rows
with the stdlib sqlite3 module and fails loudly if the expected tables are
missing.  Formats:

  elia      elia-chat's SQLite (XDG_DATA_HOME/elia/elia.sqlite): tables chat, message
  oterm     oterm's SQLite (XDG_DATA_HOME/oterm/store.db): tables chat, message
  chatterm  chatterm's JSON chat export (`format: "chatterm-chat"`, version 1), written
            to --out; the profile then loads it with chatterm's own CLI
            (`chatterm history import FILE`), which creates its SQLite store

The conversation alternates user / assistant messages (assistant replies are
Markdown from the fake server's generator: headings, lists, code blocks).  The
LAST message is an assistant reply that ends with --marker, so a driver can
tell when the end of the conversation is on screen.  --messages counts
user+assistant messages (system messages are extra).  With --messages 0 only
the chat itself is created (oterm needs one to open straight into a chat).

For chatterm this script does not touch SQLite at all: it writes the export
document and chatterm's own `history import` puts it into its store, so the
store is always chatterm's own schema.  Messages are one linear branch
(each message's parent is the one before), the last one is the current leaf.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import sqlite3
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from fakeserver import WORDS, make_tokens


def conversation(n: int, marker: str) -> list[tuple[str, str]]:
    rng = random.Random(99)
    out: list[tuple[str, str]] = []
    for i in range(1, n + 1):
        if i % 2 == 1 and i != n:
            words = " ".join(rng.choice(WORDS) for _ in range(rng.randint(6, 20)))
            out.append(("user", f"Question {i}: {words}?"))
        else:
            size = rng.choice((60, 120, 180, 240))
            text = "".join(make_tokens(size, f"reply{i}", seed=i))
            if i == n:
                text += f"\n\nLast message {marker}"
            out.append(("assistant", text))
    return out


def need_tables(con: sqlite3.Connection, tables: set[str], db: Path) -> None:
    have = {r[0] for r in con.execute("select name from sqlite_master where type='table'")}
    missing = tables - have
    if missing:
        sys.exit(f"seed_history: {db} lacks tables {sorted(missing)}; let the client create its database first")


def clear(con: sqlite3.Connection) -> None:
    con.execute("delete from message")
    con.execute("delete from chat")


def seed_elia(a) -> None:
    con = sqlite3.connect(a.db)
    need_tables(con, {"chat", "message"}, a.db)
    if a.replace:
        clear(con)
    t = dt.datetime(2025, 1, 1, 12, 0, 0)
    fmt = "%Y-%m-%d %H:%M:%S.%f"
    cur = con.execute(
        "insert into chat(model, title, started_at, archived) values (?,?,?,0)", (a.model, a.title, t.strftime(fmt))
    )
    chat_id = cur.lastrowid
    con.execute(
        "insert into message(chat_id, role, content, timestamp, meta, model) values (?,?,?,?,?,?)",
        (chat_id, "system", "You are a helpful assistant named Elia.", t.strftime(fmt), "{}", a.model),
    )
    rows = []
    for i, (role, text) in enumerate(conversation(a.messages, a.marker)):
        ts = (t + dt.timedelta(seconds=i + 1)).strftime(fmt)
        rows.append((chat_id, role, text, ts, "{}", a.model))
    con.executemany("insert into message(chat_id, role, content, timestamp, meta, model) values (?,?,?,?,?,?)", rows)
    con.commit()
    print(f"elia: chat {chat_id} with {len(rows)} messages (+1 system) in {a.db}")


def seed_oterm(a) -> None:
    con = sqlite3.connect(a.db)
    need_tables(con, {"chat", "message"}, a.db)
    if a.replace:
        clear(con)
    cur = con.execute(
        "insert into chat(name, model, system, provider, parameters, tools, thinking) values (?,?,NULL,?,'{}','[]',0)",
        (a.title, a.model, a.provider),
    )
    chat_id = cur.lastrowid
    rows = [(chat_id, role, text, "[]") for role, text in conversation(a.messages, a.marker)]
    con.executemany("insert into message(chat_id, author, text, images) values (?,?,?,?)", rows)
    con.commit()
    print(f"oterm: chat {chat_id} ({a.provider} / {a.model}) with {len(rows)} messages in {a.db}")


def seed_chatterm(a) -> None:
    """chatterm's JSON export (chatterm/store/export.py, format "chatterm-chat" v1)."""
    if not a.out:
        sys.exit("seed_history: chatterm needs --out FILE (then: chatterm history import FILE)")
    t0 = (
        dt.datetime.fromisoformat(a.start) if a.start else dt.datetime(2025, 1, 1, 12, 0, 0, tzinfo=dt.UTC)
    ).timestamp()
    msgs = []
    parent = None
    for i, (role, text) in enumerate(conversation(a.messages, a.marker)):
        mid = f"{a.title}-{i + 1:06d}"
        m = {
            "role": role,
            "content": text,
            "tool_calls": [],
            "tool_call_id": None,
            "id": mid,
            "parent_id": parent,
            "name": None,
            "model": a.model if role == "assistant" else None,
            "reasoning": None,
            "usage": None,
            "timings": None,
            "finish_reason": "stop" if role == "assistant" else None,
            "citations": [],
            "state": "ok",
            "error": None,
            "attachments": [],
            "created_at": t0 + i + 1,
        }
        msgs.append(m)
        parent = mid
    doc = {
        "format": "chatterm-chat",
        "version": 1,
        "chat": {
            "id": f"bench-{a.title}",
            "title": a.title,
            "title_is_custom": True,
            "settings": {
                "model": a.model,
                "system_prompt": None,
                "temperature": None,
                "top_p": None,
                "max_tokens": None,
                "thinking": False,
                "search": False,
                "stream": True,
                "response_format": None,
                "disabled_tools": [],
            },
            "created_at": t0,
            "updated_at": t0 + len(msgs) + 1,
            "current_leaf_id": parent,
        },
        "messages": msgs,
    }
    a.out.parent.mkdir(parents=True, exist_ok=True)
    a.out.write_text(json.dumps(doc, ensure_ascii=False, indent=1), encoding="utf-8")
    print(f"chatterm: export of chat {doc['chat']['id']} with {len(msgs)} messages in {a.out}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("format", choices=["elia", "oterm", "chatterm"])
    ap.add_argument("--db", type=Path, help="elia / oterm: the client's SQLite file")
    ap.add_argument("--out", type=Path, help="chatterm: where to write the JSON export")
    ap.add_argument(
        "--start",
        help="chatterm: ISO time of the first message (default 2025-01-01T12:00:00+00:00; one second per message)",
    )
    ap.add_argument("--messages", type=int, default=1000)
    ap.add_argument("--marker", default="HISTEND")
    ap.add_argument("--model", default="bench")
    ap.add_argument("--title", default="bench")
    ap.add_argument("--provider", default="openai-compat/bench", help="oterm only")
    ap.add_argument("--replace", action="store_true", help="delete existing chats first")
    a = ap.parse_args()
    if a.messages % 2:
        sys.exit("seed_history: --messages must be even (the last message is the assistant's)")
    if a.format in ("elia", "oterm") and not a.db:
        ap.error(f"{a.format} needs --db")
    {"elia": seed_elia, "oterm": seed_oterm, "chatterm": seed_chatterm}[a.format](a)


if __name__ == "__main__":
    main()
