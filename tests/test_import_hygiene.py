"""The core layers never import a UI library, and `chatterm --help` stays light."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

CORE = [
    "chatterm.api.client",
    "chatterm.api.shaping",
    "chatterm.engine.session",
    "chatterm.tools",
    "chatterm.store",
    "chatterm.demo",
    "chatterm.context",
    "chatterm.config",
]


def _ui_modules_after(imports: str) -> set[str]:
    code = f"import sys, json, {imports}; print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'rich'))))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    return set(json.loads(out))


@pytest.mark.parametrize("module", CORE)
def test_core_imports_no_ui(module: str) -> None:
    # httpx loads rich for its own optional CLI when `click` is installed (a dev
    # tool such as import-linter brings it): that is httpx's doing, not ours.
    by_httpx = _ui_modules_after("httpx")
    extra = _ui_modules_after(module) - by_httpx
    assert extra == set(), f"{module} imports {sorted(extra)}"
    assert not any(m.startswith("textual") for m in _ui_modules_after(module))


def test_help_does_not_import_textual_or_httpx() -> None:
    code = (
        "import sys, json\n"
        "from chatterm.cli import main\n"
        "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
        "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules} & {'textual', 'httpx', 'rich', 'openai', 'tomlkit'})))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert json.loads(out.strip().splitlines()[-1]) == []


def test_tui_never_imports_httpx_directly() -> None:
    from pathlib import Path

    import chatterm

    tui = Path(chatterm.__file__).parent / "tui"
    offenders = [str(p.name) for p in tui.rglob("*.py") if "import httpx" in p.read_text(encoding="utf-8")]
    assert offenders == []


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
