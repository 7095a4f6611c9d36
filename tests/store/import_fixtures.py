"""The databases the real apps wrote (tests/store/fixtures/, see its README), loaded
from their SQL dumps into SQLite files, and the CLI run the way a user runs it."""

from __future__ import annotations

import argparse
import sqlite3
from pathlib import Path

from chatterm.history_cli import add_history_parser, run_history

FIXTURES = Path(__file__).parent / "fixtures"
DUMPS = {
    "elia": ("elia-1.10.0.sql", "elia.sqlite"),
    "oterm": ("oterm-0.26.1.sql", "store.db"),
    "llm": ("llm-0.27.1.sql", "logs.db"),
    "llm-0.36": ("llm-0.36.sql", "logs.db"),
}
CHATGPT = FIXTURES / "chatgpt-conversations.json"


def load_dump(which: str, folder: Path) -> Path:
    """The app's database as a file in `folder` (a folder of its own per app)."""
    dump, name = DUMPS[which]
    target = folder / which / name
    target.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(target)
    try:
        conn.executescript((FIXTURES / dump).read_text(encoding="utf-8"))
    finally:
        conn.close()
    return target


def source_rows(path: Path, sql: str, *params: object) -> list[tuple[object, ...]]:
    """What the app's database holds (what the imported chats must match)."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return [tuple(r) for r in conn.execute(sql, params)]
    finally:
        conn.close()


def run_cli(history: Path, *argv: str) -> int:
    parser = argparse.ArgumentParser(prog="chatterm")
    add_history_parser(parser.add_subparsers(dest="command"))
    return run_history(parser.parse_args(["history", *argv]), history)
