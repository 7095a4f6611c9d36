"""`chatterm history import --from APP FILE` as a user runs it: a real subprocess, the
database an app wrote (tests/store/fixtures), a real history file."""

from __future__ import annotations

from pathlib import Path

from tests.cli.runner import chatterm
from tests.store.import_fixtures import CHATGPT, load_dump


def test_import_from_each_app_then_again(tmp_path: Path) -> None:
    history = str(tmp_path / "history.db")
    sources = {"elia": load_dump("elia", tmp_path), "oterm": load_dump("oterm", tmp_path), "chatgpt": CHATGPT}
    for app, source in sources.items():
        first = chatterm("--history", history, "history", "import", "--from", app, str(source))
        assert first.code == 0, first.err
        assert first.out.startswith("imported ") and "skipped 0 already imported" in first.out
        again = chatterm("--history", history, "history", "import", "--from", app, str(source))
        assert again.code == 0 and again.out.startswith("imported 0 chats (0 messages), skipped ")
    listed = chatterm("--history", history, "history", "list")
    assert "SQLite WAL notes" in listed.out and "Tardigrades" in listed.out and "Tardigrade facts" in listed.out


def test_wrong_kind_exits_1_and_writes_nothing(tmp_path: Path) -> None:
    history = tmp_path / "history.db"
    run = chatterm("--history", str(history), "history", "import", "--from", "elia", str(CHATGPT))
    assert run.code == 1 and run.out == ""
    assert run.err == f"chatterm: {CHATGPT} is not SQLite: a JSON file (expected an elia database)\n"
    assert not history.exists()


def test_unknown_app_is_a_usage_error(tmp_path: Path) -> None:
    run = chatterm("--history", str(tmp_path / "h.db"), "history", "import", "--from", "claude", str(CHATGPT))
    assert run.code == 2 and "invalid choice: 'claude'" in run.err
