"""`chatterm history stats`: chats, replies, tokens and cost per local day and in total,
from a real SQLite history holding several days of replies (branches, tool rounds, failed
and unpriced replies, and numbers a damaged row might hold), as the user runs it."""

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from chatterm.api.types import Usage
from chatterm.engine.conversation import Conversation, Message
from chatterm.store import ChatStore
from tests.cli.runner import ROOT, chatterm
from tests.store.test_store_file_safety import _as_a_plain_user

TODAY = dt.date.today()


def _at(days_ago: int, hour: int = 12) -> float:
    """A local time `days_ago` days before today."""
    return dt.datetime.combine(TODAY - dt.timedelta(days=days_ago), dt.time(hour)).timestamp()


def _day(days_ago: int) -> str:
    return (TODAY - dt.timedelta(days=days_ago)).isoformat()


def _reply(
    when: float,
    prompt: int,
    completion: int,
    *,
    reasoning: int | None = None,
    cost: float | None = None,
    state: str = "ok",
    usage: bool = True,
) -> Message:
    return Message(
        "assistant",
        "an answer",
        model="gpt-4o",
        usage=Usage(prompt_tokens=prompt, completion_tokens=completion, reasoning_tokens=reasoning) if usage else None,
        cost=cost,
        state=state,  # type: ignore[arg-type]
        created_at=when,
    )


def _chat(store: ChatStore, *replies: Message) -> Conversation:
    """A chat whose prompts and replies are written at the replies' times."""
    conv = Conversation(title="a chat")
    store.save_chat(conv)
    for reply in replies:
        prompt = conv.append(Message("user", "a question", created_at=reply.created_at))
        store.save_message(conv, prompt)
        store.save_message(conv, conv.append(reply))
    return conv


@pytest.fixture
def history(tmp_path: Path) -> Path:
    db = tmp_path / "data" / "history.db"
    db.parent.mkdir()
    with ChatStore(db) as store:
        # Chat A: a reply three days ago and two today (one a tool round), with reasoning.
        a = _chat(
            store,
            _reply(_at(3), 100, 50, cost=0.001),
            _reply(_at(0, 9), 200, 80, reasoning=30, cost=0.002),
            _reply(_at(0, 10), 300, 20, cost=0.003),
        )
        # A regenerated reply of chat A's last prompt: another branch, paid for too.
        sibling = _reply(_at(0, 11), 300, 40, cost=0.004)
        sibling.parent_id = a.messages[-2].id
        store.save_message(a, sibling)
        # Chat B: yesterday, one reply without a price, one failed with usage, one
        # failed before any usage (not a reply anyone paid for).
        _chat(
            store,
            _reply(_at(1), 10, 5),
            _reply(_at(1, 13), 7, 0, cost=0.0005, state="failed"),
            _reply(_at(1, 14), 0, 0, state="failed", usage=False),
        )
        # Chat C: forty days ago, outside the default thirty.
        _chat(store, _reply(_at(40), 1000, 1000, cost=1.0))
        # Chat D: today, with numbers a damaged or hand-made row could hold.
        d = _chat(store, _reply(_at(0, 15), 1, 1), _reply(_at(0, 16), 2, 2))
    conn = sqlite3.connect(db)
    with conn:
        conn.execute(
            "UPDATE messages SET usage = ?, extra = ? WHERE id = ?",
            ('{"prompt_tokens": -5, "completion_tokens": "lots"}', '{"cost": -3}', d.messages[1].id),
        )
        conn.execute(
            "UPDATE messages SET usage = 'not json', extra = '{\"cost\": \"free\"' WHERE id = ?", (d.messages[3].id,)
        )
    conn.close()
    return db


def _stats(db: Path, *args: str) -> dict:
    run = chatterm("--history", str(db), "history", "stats", "--json", *args)
    assert run.code == 0, run.err
    return json.loads(run.out)


def test_stats_per_day_and_in_total(history: Path) -> None:
    data = _stats(history)
    assert data["days"] == 30 and data["since"] == _day(29)
    by_day = {day["day"]: day for day in data["by_day"]}
    assert list(by_day) == [_day(3), _day(1), _day(0)]  # oldest first; days without replies left out
    assert by_day[_day(3)] | {} == {
        "day": _day(3),
        "chats": 1,
        "replies": 1,
        "tokens_in": 100,
        "tokens_out": 50,
        "tokens_reasoning": 0,
        "cost": 0.001,
        "priced_replies": 1,
    }
    # Yesterday: the unpriced reply and the failed one that reported usage; not the empty failure.
    assert by_day[_day(1)] == {
        "day": _day(1),
        "chats": 1,
        "replies": 2,
        "tokens_in": 17,
        "tokens_out": 5,
        "tokens_reasoning": 0,
        "cost": 0.0005,
        "priced_replies": 1,
    }
    today = by_day[_day(0)]
    # Chat A's three replies today (both branches) and chat D's two (their bad numbers count as nothing).
    assert (today["chats"], today["replies"]) == (2, 5)
    assert (today["tokens_in"], today["tokens_out"], today["tokens_reasoning"]) == (800, 50 + 20 + 40, 30)
    assert today["cost"] == pytest.approx(0.009) and today["priced_replies"] == 3
    total = data["total"]
    assert (total["chats"], total["replies"], total["tokens_in"]) == (2 + 1, 8, 917)
    assert total["cost"] == pytest.approx(0.0105)

    week = _stats(history, "--days", "2")
    assert [day["day"] for day in week["by_day"]] == [_day(1), _day(0)]
    assert _stats(history, "--days", "1")["total"]["replies"] == 5
    everything = _stats(history, "--days", "100000000")
    assert everything["total"]["replies"] == 9 and everything["total"]["cost"] == pytest.approx(1.0105)


def test_stats_as_a_table_with_a_note_on_unpriced_replies(history: Path) -> None:
    run = chatterm("--history", str(history), "history", "stats", "--days", "7")
    assert run.code == 0, run.err
    lines = run.out.splitlines()
    assert lines[0].split() == ["DAY", "CHATS", "REPLIES", "IN", "OUT", "THINK", "COST"]
    assert lines[1].split() == [_day(3), "1", "1", "100", "50", "0", "$0.001"]
    assert lines[2].split() == [_day(1), "1", "2", "17", "5", "0", "$0.0005"]
    assert lines[3].split() == [_day(0), "2", "5", "800", "110", "30", "$0.009"]
    assert lines[4].split() == ["total", "3", "8", "917", "165", "30", "$0.0105"]
    assert "3 of 8 replies have no cost" in run.out


def test_stats_with_no_history_file_and_a_bad_days_value(tmp_path: Path) -> None:
    missing = tmp_path / "none.db"
    run = chatterm("--history", str(missing), "history", "stats")
    assert run.code == 0 and "No replies in the last 30 days" in run.out
    assert not missing.exists()  # a reading command never creates the file
    assert json.loads(chatterm("--history", str(missing), "history", "stats", "--json").out)["by_day"] == []
    bad = chatterm("--history", str(missing), "history", "stats", "--days", "0")
    assert bad.code == 2 and "--days: must be at least 1 (got 0)" in bad.err


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="drops Linux capabilities when run as root")
def test_stats_read_a_history_the_user_cannot_write(history: Path) -> None:
    folder = history.parent
    with ChatStore(history) as store:  # settle the WAL into the file first
        store.count_chats()
    for leftover in folder.glob("history.db-*"):
        leftover.unlink()
    history.chmod(0o444)
    folder.chmod(0o555)
    before = history.read_bytes()
    try:
        done = subprocess.run(
            [sys.executable, "-m", "chatterm", "--history", str(history), "history", "stats", "--json"],
            capture_output=True,
            text=True,
            cwd=ROOT,
            env={**os.environ, "NO_COLOR": "1"},
            preexec_fn=_as_a_plain_user,
            timeout=60,
        )
        assert done.returncode == 0, done.stderr
        assert json.loads(done.stdout)["total"]["replies"] == 8
        assert history.read_bytes() == before
        assert [p.name for p in folder.iterdir()] == ["history.db"]
    finally:
        folder.chmod(0o755)
