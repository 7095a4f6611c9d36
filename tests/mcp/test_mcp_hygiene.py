"""Without a configured MCP server, chatterm never imports the SDK (start-up cost)."""

from __future__ import annotations

import json
import subprocess
import sys


def _sdk_modules_after(code: str) -> list[str]:
    probe = (
        code
        + "\nimport sys, json; print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in ('mcp', 'mcp_types', 'anyio', 'pydantic'))))"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    return list(json.loads(out.strip().splitlines()[-1]))


def test_tools_without_mcp_servers_do_not_import_the_sdk(tmp_path) -> None:
    code = (
        "from pathlib import Path\n"
        "from chatterm.context import AppContext\n"
        "import chatterm.mcp, chatterm.mcp_servers\n"
        f"context = AppContext.for_tests('http://127.0.0.1:9/v1', Path({str(tmp_path)!r}))\n"
        "assert 'current_time' in context.tools and context.wait_for_tools() == []\n"
    )
    assert _sdk_modules_after(code) == []


def test_help_does_not_import_the_sdk() -> None:
    code = "from chatterm.cli import main\ntry:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
    assert _sdk_modules_after(code) == []
