"""`chatterm history ...`, `ask --continue/--chat/--no-save` and `chatterm -c/--chat` as the
user runs them: real subprocesses (`python -m chatterm --history DB ...`), a real SQLite
file, and the demo gateway on loopback TCP where a reply is needed."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from chatterm.store import ChatStore
from tests.cli.runner import ROOT, Run, achatterm, chatterm, gw  # noqa: F401
from tests.store.store_helpers import rich_conversation, save_all, simple_chat


@pytest.fixture
def filled(tmp_path: Path):
    """Three chats: two simple ones (old, older) and a rich one (newest) with reasoning,
    a tool round trip, citations, a model switch and a failed reply."""
    db = tmp_path / "history.db"
    with ChatStore(db) as store:
        older = simple_chat(
            store, "How do tardigrades survive?", "They dry out into tuns.", model="m-a", updated_at=1000.0
        )
        old = simple_chat(
            store, "Explain WAL mode\nin SQLite please", "Readers never block writers.", model="m-b", updated_at=2000.0
        )
        rich = rich_conversation()
        save_all(store, rich)
    return db, older, old, rich


# --- list / search / show -------------------------------------------------------------------


def test_list_newest_first_plain_json_and_limit(filled) -> None:
    db, older, old, rich = filled
    run = chatterm("--history", str(db), "history", "list")
    assert run.code == 0, run.err
    lines = run.out.splitlines()
    assert lines[0].split() == ["ID", "UPDATED", "MSGS", "MODELS", "TITLE"]
    assert [line.split()[0] for line in lines[1:]] == [rich.id[:8], old.id[:8], older.id[:8]]
    assert lines[2].endswith("Explain WAL mode")  # the first line of the first prompt

    data = json.loads(chatterm("--history", str(db), "history", "list", "--json").out)
    assert [c["id"] for c in data] == [rich.id, old.id, older.id]
    assert data[0]["title"] == "What time is it in Paris?"
    assert (
        data[0]["models"] == ["gemini-2.5-pro", "gpt-4o"] and data[0]["message_count"] == 5
    )  # the tool result is not a turn
    assert set(data[0]) == {"id", "title", "models", "updated_at", "created_at", "message_count"}

    limited = json.loads(chatterm("--history", str(db), "history", "list", "--json", "--limit", "2").out)
    assert [c["id"] for c in limited] == [rich.id, old.id]


def test_search_plain_marks_the_match_and_json_gives_offsets(filled) -> None:
    db, older, old, _rich = filled
    run = chatterm("--history", str(db), "history", "search", "tardigrade")
    assert run.code == 0, run.err
    assert run.out.splitlines()[0].startswith(older.id[:8])
    assert "«tardigrades»" in run.out  # prefix match, marked in a pipe
    assert "\x1b[" not in run.out

    hits = json.loads(chatterm("--history", str(db), "history", "search", "writers", "--json").out)
    assert len(hits) == 1
    hit = hits[0]
    assert (hit["chat_id"], hit["role"], hit["model"]) == (old.id, "assistant", "m-b")
    start, end = hit["highlights"][0]
    assert hit["text"][start:end] == "writers"

    run = chatterm("--history", str(db), "history", "search", "terse")  # system prompts are not searched
    assert run.code == 0 and "No messages match" in run.out


def test_show_plain_and_json(filled) -> None:
    db, _older, _old, rich = filled
    run = chatterm("--history", str(db), "history", "show", rich.id[:6])  # a prefix is enough
    assert run.code == 0, run.err
    out = run.out
    assert out.startswith("What time is it in Paris?\n")
    for piece in (
        "[System]\nYou are terse.",
        "[You]\nWhat time is it in Paris?\nBe precise.",
        "[Assistant · gemini-2.5-pro]",
        "(reasoning) I should call the clock tool.",
        '-> current_time({"tz": "Europe/Paris"})',
        "[Tool · current_time]",
        "source: Paris time <https://time.example/paris>",
        "[Assistant · gpt-4o (failed)]",
        "error: HTTP 502: upstream died",
    ):
        assert piece in out, piece
    data = json.loads(chatterm("--history", str(db), "history", "show", rich.id, "--json").out)
    assert (data["format"], data["version"]) == ("chatterm-chat", 1)
    assert [m["role"] for m in data["messages"]] == [m.role for m in rich.messages]


def test_unknown_or_ambiguous_ids_exit_1_naming_the_problem(filled) -> None:
    db, *_ = filled
    for command in (["show", "nope"], ["export", "nope"], ["delete", "nope", "--yes"]):
        run = chatterm("--history", str(db), "history", *command)
        assert run.code == 1
        assert "No chat with id 'nope'" in run.err and str(db) in run.err


# --- export / import ---------------------------------------------------------------------------


def test_json_export_import_export_is_identical(filled, tmp_path: Path) -> None:
    db, _older, _old, rich = filled
    first = tmp_path / "chat.json"
    run = chatterm("--history", str(db), "history", "export", rich.id, "--format", "json", "-o", str(first))
    assert run.code == 0 and f"Exported to {first}" in run.err
    other = tmp_path / "other.db"
    run = chatterm("--history", str(other), "history", "import", str(first))
    assert run.code == 0, run.err
    assert run.out.strip() == rich.id  # ids are kept in a store that does not have them
    again = chatterm("--history", str(other), "history", "export", rich.id, "--format", "json")
    assert again.out == first.read_text(encoding="utf-8")
    # the export is the gateway's format plus chatterm's metadata
    data = json.loads(again.out)
    call = data["messages"][1]["tool_calls"][0]
    assert call == {
        "id": "call_1",
        "type": "function",
        "function": {"name": "current_time", "arguments": '{"tz": "Europe/Paris"}'},
        "extra_content": {"google": {"thought_signature": "c2lnbmF0dXJl"}},
    }
    # importing into the same store again makes a copy with fresh ids
    copy = chatterm("--history", str(db), "history", "import", "-", stdin=first.read_text(encoding="utf-8"))
    assert copy.code == 0 and copy.out.strip() != rich.id
    assert len(json.loads(chatterm("--history", str(db), "history", "list", "--json").out)) == 4


def test_markdown_export_reads_well(filled, tmp_path: Path) -> None:
    db, _older, _old, rich = filled
    run = chatterm("--history", str(db), "history", "export", rich.id)
    assert run.code == 0, run.err
    md = run.out
    assert md.startswith("# What time is it in Paris?\n")
    assert "## You\n\nWhat time is it in Paris?\nBe precise." in md
    assert "## Assistant · gemini-2.5-pro" in md and "## Assistant · gpt-4o" in md
    assert "<details>\n<summary>Reasoning</summary>\n\nI should call the clock tool.\n\n</details>" in md
    assert '<summary>Tool call: current_time</summary>\n\n```json\n{"tz": "Europe/Paris"}\n```' in md
    assert "<summary>Tool result: current_time</summary>" in md
    out = tmp_path / "chat.md"
    assert chatterm("--history", str(db), "history", "export", rich.id, "--format", "md", "-o", str(out)).code == 0
    assert out.read_text(encoding="utf-8") == md


def test_import_of_a_bad_file_says_why(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    run = chatterm("--history", str(tmp_path / "h.db"), "history", "import", str(bad))
    assert run.code == 1 and f"{bad} is not JSON" in run.err
    bad.write_text('{"format": "something-else"}', encoding="utf-8")
    run = chatterm("--history", str(tmp_path / "h.db"), "history", "import", str(bad))
    assert run.code == 1 and "not a chatterm chat export" in run.err


# --- delete ------------------------------------------------------------------------------------


def test_delete_needs_yes_in_a_pipe_then_removes_messages_and_search_hits(filled) -> None:
    db, older, old, rich = filled
    run = chatterm("--history", str(db), "history", "delete", older.id)
    assert run.code == 2 and "--yes" in run.err
    assert chatterm("--history", str(db), "history", "search", "tardigrades", "--json").out.count(older.id) == 1

    run = chatterm("--history", str(db), "history", "delete", older.id[:8], "--yes")
    assert run.code == 0 and run.out.strip() == f"Deleted {older.id}"
    ids = [c["id"] for c in json.loads(chatterm("--history", str(db), "history", "list", "--json").out)]
    assert ids == [rich.id, old.id]
    assert json.loads(chatterm("--history", str(db), "history", "search", "tardigrades", "--json").out) == []
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT COUNT(*) FROM messages WHERE chat_id = ?", (older.id,)).fetchone()[0] == 0


# --- where the history lives -------------------------------------------------------------------


def test_chatterm_history_env_names_the_file(filled) -> None:
    db, _older, _old, _rich = filled
    run = chatterm("history", "list", "--json", env={"CHATTERM_HISTORY": str(db)})
    assert run.code == 0, run.err
    assert len(json.loads(run.out)) == 3


def test_damaged_file_is_named_and_left_alone(tmp_path: Path) -> None:
    db = tmp_path / "history.db"
    db.write_bytes(b"this is not sqlite" * 20)
    run = chatterm("--history", str(db), "history", "list")
    assert run.code == 1 and str(db) in run.err and "damaged" in run.err
    assert db.read_bytes() == b"this is not sqlite" * 20


# --- ask and history together ---------------------------------------------------------------------


async def test_ask_saves_then_history_shows_and_ask_chat_id_continues_that_chat(demo_gateway, tmp_path: Path) -> None:
    db = str(tmp_path / "history.db")
    first = await achatterm("--history", db, "ask", *gw(demo_gateway), "  Apples or pears?\nthink hard")
    assert first.code == 0, first.err
    second = await achatterm("--history", db, "ask", *gw(demo_gateway), "Tell me about plums")
    assert second.code == 0, second.err
    chats = json.loads(chatterm("--history", db, "history", "list", "--json").out)
    assert [c["title"] for c in chats] == ["Tell me about plums", "Apples or pears?"]
    assert chats[1]["models"] == ["gpt-4o-mini"] and chats[1]["message_count"] == 2
    apples = chats[1]["id"]

    # --chat ID continues that chat, not the newest
    run = await achatterm("--history", db, "ask", *gw(demo_gateway), "--chat", apples[:8], "and cherries?")
    assert run.code == 0, run.err
    sent = demo_gateway.requests[-1].body["messages"]
    assert [m["role"] for m in sent] == ["user", "assistant", "user"]
    assert sent[0]["content"] == "  Apples or pears?\nthink hard" and sent[2]["content"] == "and cherries?"
    shown = chatterm("--history", db, "history", "show", apples).out
    assert "and cherries?" in shown and shown.startswith("Apples or pears?\n")
    # the continued chat is now the newest; its title did not change
    chats = json.loads(chatterm("--history", db, "history", "list", "--json").out)
    assert chats[0]["id"] == apples and chats[0]["title"] == "Apples or pears?" and chats[0]["message_count"] == 4

    # --continue takes the newest chat (now the apples chat again)
    run = await achatterm("--history", db, "ask", *gw(demo_gateway), "-c", "last one")
    assert run.code == 0, run.err
    assert len(demo_gateway.requests[-1].body["messages"]) == 5


async def test_ask_no_save_leaves_history_alone(demo_gateway, tmp_path: Path) -> None:
    db = tmp_path / "history.db"
    run = await achatterm("--history", str(db), "ask", *gw(demo_gateway), "--no-save", "do not keep this")
    assert run.code == 0, run.err
    assert not db.exists()
    with ChatStore(db) as store:
        simple_chat(store, "kept", "yes")
    run = await achatterm("--history", str(db), "ask", *gw(demo_gateway), "--no-save", "nor this")
    assert run.code == 0, run.err
    assert [c["title"] for c in json.loads(chatterm("--history", str(db), "history", "list", "--json").out)] == ["kept"]


async def test_ask_continue_errors_are_usage_errors(demo_gateway, tmp_path: Path) -> None:
    db = str(tmp_path / "history.db")
    run = await achatterm("--history", db, "ask", *gw(demo_gateway), "--continue", "hi")
    assert run.code == 2 and "no saved chat" in run.err
    run = await achatterm("--history", db, "ask", *gw(demo_gateway), "--chat", "deadbeef", "hi")
    assert run.code == 2 and "No chat with id 'deadbeef'" in run.err
    run = await achatterm("--history", db, "ask", *gw(demo_gateway), "--no-save", "--continue", "hi")
    assert run.code == 2 and "history is off" in run.err
    assert demo_gateway.requests == []


def test_tui_continue_and_chat_exit_before_starting_when_there_is_nothing_to_open(tmp_path: Path) -> None:
    db = str(tmp_path / "history.db")
    url = ["--base-url", "http://127.0.0.1:9/v1", "--api-key", "k"]
    run = chatterm("--history", db, *url, "-c")
    assert run.code == 2 and "no saved chat to continue" in run.err
    run = chatterm("--history", db, *url, "--chat", "deadbeef")
    assert run.code == 2 and "No chat with id 'deadbeef'" in run.err and db in run.err


async def test_ask_with_a_damaged_history_still_answers_and_names_the_file(demo_gateway, tmp_path: Path) -> None:
    db = tmp_path / "history.db"
    db.write_bytes(b"garbage, not a database" * 10)
    run = await achatterm("--history", str(db), "ask", *gw(demo_gateway), "hello")
    assert run.code == 0, run.err
    assert run.out.strip()
    assert "history not saved" in run.err and str(db) in run.err
    assert db.read_bytes() == b"garbage, not a database" * 10
