"""User tools named in the config file, loaded when chatterm starts.

`AppContext.tools` builds the built-ins plus the config's files and modules; a file that
fails to import is reported by name and the rest still work. `chatterm ask` (a real
subprocess against the demo gateway) prints the failure on stderr and still answers,
and offers and runs a tool from a config-named file.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import textwrap
from pathlib import Path

from chatterm.config import Config
from chatterm.context import AppContext, build_tools
from chatterm.demo import DEMO_API_KEY

GOOD = """
from chatterm.tools import tool

@tool
def shout(text: str) -> str:
    \"\"\"Upper-case some text.\"\"\"
    return text.upper() + "!"
"""

BROKEN = "from chatterm.tools import tool\nraise RuntimeError('tool file exploded')\n"


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def test_build_tools_loads_config_files_and_reports_a_broken_one(tmp_path: Path) -> None:
    good = write(tmp_path / "good_tools.py", GOOD)
    broken = write(tmp_path / "broken_tools.py", BROKEN)
    registry, errors = build_tools(Config(tools_files=[str(good), str(broken)]))
    assert "shout" in registry
    assert {"current_time", "calculator", "read_file", "list_directory"} <= set(registry.names())
    assert errors == [f"tool file {broken} failed to import: RuntimeError: tool file exploded"]


def test_build_tools_passes_allowed_dirs_to_the_file_tools(tmp_path: Path) -> None:
    notes = tmp_path / "notes"
    write(notes / "a.txt", "hello")
    registry, errors = build_tools(Config(tools_allowed_dirs=[str(notes)]))
    assert errors == []
    assert str(notes.resolve()) in registry.get("read_file").description


def test_context_builds_tools_on_first_use_and_keeps_the_errors(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.py"
    context = AppContext.for_tests("http://127.0.0.1:9/v1", tmp_path, tools_files=[str(missing)])
    assert context.tool_errors == []  # nothing loaded before it is needed
    assert "calculator" in context.tools
    assert context.tool_errors == [f"tool file {missing} not found"]


async def run_chatterm(*args: str, env: dict[str, str]) -> tuple[int, str, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "chatterm",
        *args,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env={**os.environ, **env},
        cwd=str(Path(__file__).resolve().parents[2]),
    )
    out, err = await asyncio.wait_for(process.communicate(b""), 60)
    return process.returncode or 0, out.decode(), err.decode()


async def test_ask_reports_a_failing_tool_file_by_name_and_still_answers(demo_gateway, tmp_path: Path) -> None:
    good = write(tmp_path / "good_tools.py", GOOD)
    broken = write(tmp_path / "broken_tools.py", BROKEN)
    config = write(
        tmp_path / "config.toml",
        f"""
        [tools]
        files = [{json.dumps(str(good))}, {json.dumps(str(broken))}]
    """,
    )
    code, out, err = await run_chatterm(
        "--config",
        str(config),
        "ask",
        "--base-url",
        demo_gateway.base_url,
        "--api-key",
        DEMO_API_KEY,
        "--no-save",
        "--json",
        "--tools",
        "shout",
        "--yes",
        "hello there",
        env={},
    )
    assert code == 0, err
    assert f"tool file {broken} failed to import: RuntimeError: tool file exploded" in err
    data = json.loads(out)
    assert data["content"]
    offered = [t["function"]["name"] for t in demo_gateway.requests[-1].body["tools"]]
    assert offered == ["shout"]


async def test_ask_runs_a_tool_from_a_config_file_when_forced(demo_gateway, tmp_path: Path) -> None:
    """`--tools all` offers the user's tool beside the built-ins; the demo calls the
    calculator, and the user's file tool is in the offer."""
    good = write(tmp_path / "good_tools.py", GOOD)
    config = write(
        tmp_path / "config.toml",
        f"""
        [tools]
        files = [{json.dumps(str(good))}]
    """,
    )
    code, out, err = await run_chatterm(
        "--config",
        str(config),
        "ask",
        "--base-url",
        demo_gateway.base_url,
        "--api-key",
        DEMO_API_KEY,
        "--no-save",
        "--json",
        "--tools",
        "all",
        "--yes",
        "calculate 6*7",
        env={},
    )
    assert code == 0, err
    assert "failed" not in err
    first = demo_gateway.requests[0].body
    assert "shout" in [t["function"]["name"] for t in first["tools"]]
    data = json.loads(out)
    assert data["tool_results"][0]["name"] == "calculator" and data["tool_results"][0]["output"] == "42"


def test_build_tools_loads_the_chatterm_tools_entry_point_group(tmp_path: Path, monkeypatch) -> None:
    """An installed package's `[chatterm.tools]` entry point is picked up at start."""
    write(
        tmp_path / "ep_config_probe.py",
        """
        def probe_triple(n: int) -> int:
            \"\"\"Multiply by three.\"\"\"
            return n * 3
    """,
    )
    info = tmp_path / "ep_config_probe-1.0.dist-info"
    write(info / "METADATA", "Metadata-Version: 2.1\nName: ep-config-probe\nVersion: 1.0\n")
    write(info / "entry_points.txt", "[chatterm.tools]\ntriple = ep_config_probe:probe_triple\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    try:
        registry, errors = build_tools(Config())
        assert errors == []
        assert "probe_triple" in registry and "calculator" in registry
    finally:
        sys.modules.pop("ep_config_probe", None)
