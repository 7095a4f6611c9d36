"""`chatterm history list/show/search` print saved text with control characters shown,
not obeyed: the history file holds what a model or gateway sent, byte for byte, and
keeps it (`--json` and `export` are exact)."""

from __future__ import annotations

import json
from pathlib import Path

from chatterm.store import ChatStore
from tests.store.store_helpers import simple_chat

from .hostile import HOSTILE, TITLE, injected_in
from .runner import chatterm


def hostile_history(tmp_path: Path) -> tuple[Path, str]:
    db = tmp_path / "history.db"
    with ChatStore(db) as store:
        conv = simple_chat(store, f"Tell me {TITLE} about sloths", HOSTILE, model=f"evil{TITLE}-model")
    return db, conv.id


def test_list_show_and_search_show_placeholders(tmp_path: Path) -> None:
    db, chat_id = hostile_history(tmp_path)
    for args in (("list",), ("show", chat_id), ("search", "sloths"), ("search", "bye")):
        run = chatterm("--history", str(db), "history", *args)
        assert run.code == 0, run.err
        assert injected_in(run.out.encode()) == [], args
        assert "␛]0;pwned␇" in run.out, args
    shown = chatterm("--history", str(db), "history", "show", chat_id).out
    assert "␛]52;c;aGVsbG8=␇" in shown and "␛[2J" in shown


def test_json_and_export_keep_the_exact_text(tmp_path: Path) -> None:
    db, chat_id = hostile_history(tmp_path)
    data = json.loads(chatterm("--history", str(db), "history", "show", chat_id, "--json").out)
    assert [m["content"] for m in data["messages"]][-1] == HOSTILE
    found = json.loads(chatterm("--history", str(db), "history", "search", "sloths", "--json").out)
    assert TITLE in found[0]["text"]
