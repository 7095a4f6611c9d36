"""`chatterm history ...` at its edges: mistyped paths, files that are not what they
claim, a reader that goes away. Real subprocesses on real SQLite files."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from chatterm.store import ChatStore
from tests.cli.runner import ROOT, Run, chatterm  # noqa: F401
from tests.store.store_helpers import rich_conversation, save_all


def filled(tmp_path: Path) -> tuple[Path, str]:
    db = tmp_path / "history.db"
    with ChatStore(db) as store:
        conv = rich_conversation()
        save_all(store, conv)
    return db, conv.id


def test_reading_commands_never_create_a_history_file(tmp_path: Path) -> None:
    typo = tmp_path / "no-such-dir" / "histroy.db"
    run = chatterm("--history", str(typo), "history", "list")
    assert run.code == 0 and f"no history file at {typo}" in run.out
    assert json.loads(chatterm("--history", str(typo), "history", "list", "--json").out) == []
    assert json.loads(chatterm("--history", str(typo), "history", "search", "tea", "--json").out) == []
    run = chatterm("--history", str(typo), "history", "show", "abc")
    assert run.code == 1 and "No chat with id 'abc'" in run.err and str(typo) in run.err
    assert not typo.parent.exists()  # before: an empty database and its folders


def test_search_limit_must_be_positive(tmp_path: Path) -> None:
    db, _ = filled(tmp_path)
    for value in ("0", "-1"):
        run = chatterm("--history", str(db), "history", "search", "time", "--limit", value)
        assert run.code == 2 and "argument --limit: must be at least 1" in run.err


def test_import_of_a_non_utf8_file_names_the_file_not_a_traceback(tmp_path: Path) -> None:
    db, _ = filled(tmp_path)
    latin = tmp_path / "latin.json"
    latin.write_bytes(b'{"title": "caf\xe9"}')
    run = chatterm("--history", str(db), "history", "import", str(latin))
    assert run.code == 1 and "Traceback" not in run.err
    assert f"{latin} is not a chatterm JSON export (not UTF-8 text: byte 0xe9 at offset 14)" in run.err


def test_import_errors_name_the_imported_file(tmp_path: Path) -> None:
    db, _ = filled(tmp_path)
    other = tmp_path / "other.json"
    other.write_text('{"format": "something-else"}', encoding="utf-8")
    run = chatterm("--history", str(db), "history", "import", str(other))
    assert run.code == 1 and f"{other} is not a chatterm chat export" in run.err
    assert f"import into {db}" not in run.err
    run = chatterm("--history", str(db), "history", "import", str(tmp_path / "gone.json"))
    assert run.code == 1 and run.err.strip() == (
        f"chatterm history import: cannot read {tmp_path / 'gone.json'}: No such file or directory"
    )


def test_export_to_a_folder_that_does_not_exist_says_so(tmp_path: Path) -> None:
    db, chat_id = filled(tmp_path)
    target = tmp_path / "missing" / "chat.md"
    run = chatterm("--history", str(db), "history", "export", chat_id[:8], "-o", str(target))
    assert run.code == 1
    assert run.err.strip() == f"chatterm history export: cannot write {target}: No such file or directory"


def test_a_reader_that_goes_away_gets_no_traceback(tmp_path: Path) -> None:
    """`chatterm history show ID --json | head -2`."""
    db, chat_id = filled(tmp_path)
    process = subprocess.Popen(
        [sys.executable, "-m", "chatterm", "--history", str(db), "history", "show", chat_id, "--json"],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=ROOT,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},  # every write reaches the pipe at once
    )
    assert process.stdout is not None and process.stderr is not None
    process.stdout.read(2)
    process.stdout.close()
    err = process.stderr.read().decode()
    process.stderr.close()
    process.wait(timeout=60)
    assert "Broken pipe" not in err and "Traceback" not in err
    assert process.returncode in (0, 141)  # 0 when everything fit in the pipe first


def test_markdown_export_numbers_the_sources_and_explains_an_unanswered_prompt(tmp_path: Path) -> None:
    db = tmp_path / "history.db"
    with ChatStore(db) as store:
        conv = rich_conversation()
        save_all(store, conv)
        failed = next(m for m in conv.messages if m.state == "failed")
        prompt = next(m for m in conv.messages if m.id == failed.parent_id)
        prompt.state = "failed"
        store.save_message(conv, prompt)
    run = chatterm("--history", str(db), "history", "export", conv.id)
    assert run.code == 0, run.err
    assert "\n1. [" in run.out and "\n- [" not in run.out
    assert "unknown error" not in run.out
    assert "*(not answered: the request failed)*" in run.out
