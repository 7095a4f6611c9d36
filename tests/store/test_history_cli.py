"""`chatterm history ...` through its own parser (the lead wires it into chatterm.cli)."""

from __future__ import annotations

import argparse
import io
import json
from pathlib import Path

import pytest

from chatterm.history_cli import add_history_parser, run_history
from chatterm.store import ChatStore
from tests.store.store_helpers import rich_conversation, save_all, simple_chat


def _run(db: Path, *argv: str, stdin: str | None = None, monkeypatch: pytest.MonkeyPatch | None = None) -> int:
    parser = argparse.ArgumentParser(prog="chatterm")
    add_history_parser(parser.add_subparsers(dest="command"))
    if stdin is not None and monkeypatch is not None:
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    return run_history(parser.parse_args(["history", *argv]), db)


@pytest.fixture
def filled(db_path: Path):
    with ChatStore(db_path) as store:
        a = simple_chat(store, "How do tardigrades survive?", "They dry out.", model="m-a", updated_at=1000.0)
        b = rich_conversation()
        save_all(store, b)
    return db_path, a, b


def test_list_plain_is_aligned(filled, capsys) -> None:
    db, a, b = filled
    assert _run(db, "list") == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["ID", "UPDATED", "MSGS", "MODELS", "TITLE"]
    assert lines[1].startswith(b.id[:8]) and lines[1].endswith("What time is it in Paris?")
    assert lines[2].startswith(a.id[:8]) and lines[2].endswith("How do tardigrades survive?")
    assert lines[1].index("What time") == lines[2].index("How do")  # aligned columns
    assert "gemini-2.5-pro, gpt-4o" in lines[1]


def test_list_json_and_limit(filled, capsys) -> None:
    db, _a, b = filled
    assert _run(db, "list", "--json", "--limit", "1") == 0
    data = json.loads(capsys.readouterr().out)
    assert [c["id"] for c in data] == [b.id]
    assert data[0]["message_count"] == 5 and data[0]["models"] == ["gemini-2.5-pro", "gpt-4o"]  # not the tool result


def test_search_plain_and_json(filled, capsys) -> None:
    db, a, b = filled
    assert _run(db, "search", "tardigrades") == 0
    out = capsys.readouterr().out
    assert a.id[:8] in out and "«tardigrades»" in out and "\x1b[" not in out
    assert _run(db, "search", "paris", "--json") == 0
    hits = json.loads(capsys.readouterr().out)
    assert hits[0]["chat_id"] == b.id and hits[0]["role"] == "user"
    start, end = hits[0]["highlights"][0]
    assert hits[0]["text"][start:end].lower() == "paris"
    assert _run(db, "search", '"(unbalanced') == 0
    assert "No messages match" in capsys.readouterr().out


def test_show_prints_the_branch(filled, capsys) -> None:
    db, _a, b = filled
    assert _run(db, "show", b.id[:6]) == 0
    out = capsys.readouterr().out
    assert out.startswith("What time is it in Paris?\n")
    assert "[Assistant · gemini-2.5-pro]" in out and "-> current_time(" in out
    assert "[Tool · current_time]" in out and "[Assistant · gpt-4o (failed)]" in out
    assert _run(db, "show", b.id, "--json") == 0
    assert json.loads(capsys.readouterr().out)["chat"]["id"] == b.id


def test_export_to_file_then_import(filled, tmp_path: Path, capsys, monkeypatch) -> None:
    db, a, b = filled
    out_file = tmp_path / "chat.json"
    assert _run(db, "export", b.id[:8], "--format", "json", "-o", str(out_file)) == 0
    other = tmp_path / "other.db"
    assert _run(other, "import", str(out_file)) == 0
    assert capsys.readouterr().out.strip() == b.id
    with ChatStore(other) as store:
        assert store.export_json(b.id) == json.loads(out_file.read_text())
    assert _run(other, "import", "-", stdin=out_file.read_text(), monkeypatch=monkeypatch) == 0
    new_id = capsys.readouterr().out.strip()
    assert new_id != b.id and len(new_id) == 32
    assert _run(db, "export", a.id) == 0
    assert capsys.readouterr().out.startswith("# How do tardigrades survive?")


def test_delete(filled, capsys, monkeypatch) -> None:
    db, a, b = filled
    monkeypatch.setattr("sys.stdin", io.StringIO(""))  # not a terminal
    assert _run(db, "delete", a.id) == 2
    assert "--yes" in capsys.readouterr().err
    assert _run(db, "delete", a.id[:8], "--yes") == 0
    with ChatStore(db) as store:
        assert [c.id for c in store.list_chats()] == [b.id]


@pytest.mark.parametrize(
    "argv, needle",
    [
        (("show", "nope"), "No chat with id 'nope'"),
        (("export", "nope"), "history.db"),
        (("delete", "nope", "--yes"), "No chat"),
    ],
)
def test_errors_name_the_problem(filled, capsys, argv, needle) -> None:
    db, *_ = filled
    assert _run(db, *argv) == 1
    assert needle in capsys.readouterr().err


def test_import_errors(db_path: Path, tmp_path: Path, capsys) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    assert _run(db_path, "import", str(bad)) == 1
    assert "bad.json is not JSON" in capsys.readouterr().err
    bad.write_text('{"format": "other"}')
    assert _run(db_path, "import", str(bad)) == 1
    assert "not a chatterm chat export" in capsys.readouterr().err
    assert _run(db_path, "import", str(tmp_path / "missing.json")) == 1
    assert "missing.json" in capsys.readouterr().err


def test_damaged_store_exits_1_naming_the_file(tmp_path: Path, capsys) -> None:
    db = tmp_path / "history.db"
    db.write_text("not a database at all, just text " * 10)
    assert _run(db, "list") == 1
    assert str(db) in capsys.readouterr().err


def test_usage(db_path: Path, capsys) -> None:
    assert _run(db_path) == 2
    assert "choose a command" in capsys.readouterr().err
    with pytest.raises(SystemExit) as info:
        _run(db_path, "list", "--limit", "many")
    assert info.value.code == 2


def test_empty_list(db_path: Path, capsys) -> None:
    assert _run(db_path, "list") == 0
    assert "No saved chats" in capsys.readouterr().out
