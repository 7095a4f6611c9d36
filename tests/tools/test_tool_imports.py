"""chatterm.tools uses the standard library only (plus chatterm.api.types and the
shared schema checker chatterm.json_schema_subset, which imports nothing else)."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
import time
from pathlib import Path

import chatterm

PACKAGE = Path(chatterm.__file__).resolve().parent
TOOLS = PACKAGE / "tools"
ALLOWED = {"chatterm.api.types", "chatterm.json_schema_subset"}


def parse(source: str) -> ast.Module:
    """`ast.parse`, again after a moment if it hits CPython 3.11's shared AST depth
    counter (gh-106905: a calculator call still parsing in another test's thread)."""
    try:
        return ast.parse(source)
    except SystemError:
        time.sleep(0.5)
        return ast.parse(source)


def imported_modules(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level == 0:
                names.add(node.module or "")
            elif node.level == 1:
                names.add(f"chatterm.tools.{node.module}" if node.module else "chatterm.tools")
            else:  # from ..x import y
                names.add(f"chatterm.{node.module}")
    return names


def test_tools_modules_import_only_stdlib_and_api_types() -> None:
    files = sorted(TOOLS.glob("*.py"))
    assert len(files) >= 7
    for path in files:
        for name in imported_modules(path):
            top = name.split(".")[0]
            ok = top in sys.stdlib_module_names or name.startswith("chatterm.tools") or name in ALLOWED
            assert ok, f"{path.name} imports {name}"


def test_the_shared_schema_checker_keeps_to_the_same_rule() -> None:
    for name in imported_modules(PACKAGE / "json_schema_subset.py"):
        assert name.split(".")[0] in sys.stdlib_module_names or name == "chatterm.api.types", name


PROBE = """
import json, sys
import chatterm.tools as t
from chatterm.tools import builtins, calculator, loader, registry, runner, schema, validate
t.builtin_registry(); t.load_user_tools(t.ToolRegistry(), entry_points=False)
print(json.dumps(sorted(sys.modules)))
"""


def test_no_ui_libraries_get_loaded() -> None:
    out = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, cwd=PACKAGE.parent, check=True
    ).stdout
    top = {name.split(".")[0] for name in json.loads(out)}
    assert "chatterm" in top
    assert not top & {"textual", "rich", "jsonschema"}
