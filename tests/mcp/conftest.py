"""Real MCP servers for the tests: the official `mcp-server-time` and `probe_server.py`
(written with the SDK's server API), each started once per module where a module shares one."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("mcp")

PROBE = Path(__file__).with_name("probe_server.py")


def time_server() -> dict[str, Any]:
    """`mcp-server-time` run by this interpreter (its script may not be on PATH)."""
    return {"command": sys.executable, "args": ["-m", "mcp_server_time", "--local-timezone", "UTC"]}


def probe_server(folder: Path, *extra: str) -> dict[str, Any]:
    return {"command": sys.executable, "args": [str(PROBE), *extra], "env": {"PROBE_DIR": str(folder)}}


@pytest.fixture(scope="module")
def module_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    yield tmp_path_factory.mktemp("mcp")
