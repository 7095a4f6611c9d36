"""The import rules hold (import-linter, configured in pyproject.toml), and
`chatterm --help` stays light at run time (which no static check can see)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def test_import_contracts_hold() -> None:
    """The layers and the forbidden imports of pyproject's [tool.importlinter] (the core
    never imports textual or rich, demo nothing of chatterm, the TUI never httpx, ask
    never cli): every `import` and `from ... import` counts, lazy ones too."""
    lint_imports = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run([str(lint_imports), "--no-cache"], cwd=REPO, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_help_does_not_import_textual_or_httpx() -> None:
    code = (
        "import sys, json\n"
        "from chatterm.cli import main\n"
        "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
        "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules} & {'textual', 'httpx', 'rich', 'openai', 'tomlkit'})))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert json.loads(out.strip().splitlines()[-1]) == []


def test_help_does_not_load_the_engine() -> None:
    """`--help` names the default history path; finding it must not load the engine
    session (and through it the API layer) or the app context."""
    code = (
        "import sys, json\n"
        "from chatterm.cli import main\n"
        "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.startswith(('chatterm.engine', 'chatterm.context', 'chatterm.api')))))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert json.loads(out.strip().splitlines()[-1]) == []


def test_help_does_not_load_the_history_store() -> None:
    """The `history` subcommand's parser is built for every command; the store itself
    (sqlite3, the engine's types) loads only when a history command runs."""
    code = (
        "import sys, json\n"
        "from chatterm.cli import main\n"
        "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
        "print(json.dumps(sorted(m for m in sys.modules if m in ('sqlite3', 'chatterm.store.store'))))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert json.loads(out.strip().splitlines()[-1]) == []
