"""User tools from files, modules and entry points; failures are reported, not raised."""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

import pytest

from chatterm.api.types import ToolCall
from chatterm.tools import ToolRegistry, builtin_registry, load_user_tools, run_tool_call


def write(path: Path, source: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(source), encoding="utf-8")
    return path


GOOD = """
    from typing import Literal
    from chatterm.tools import Tool, tool

    @tool
    def shout(text: str) -> str:
        \"\"\"Repeat the text in capitals.\"\"\"
        return text.upper()

    @tool(name="whisper", safe=True)
    def quiet(text: str) -> str:
        return text.lower()

    def _double(n: int) -> int:
        return 2 * n

    def register(registry):
        registry.register(_double, name="double")

    tools = [Tool("constant", "Always 42.", {"type": "object", "properties": {}}, lambda: 42)]
"""


async def test_a_working_tool_file(tmp_path: Path) -> None:
    path = write(tmp_path / "mytools.py", GOOD)
    reg = builtin_registry()
    errors = load_user_tools(reg, files=[str(path)], entry_points=False)
    assert errors == []
    assert reg.names()[4:] == ["shout", "whisper", "constant", "double"]
    assert reg.get("whisper").safe is True  # type: ignore[union-attr]
    assert reg.get("shout").description == "Repeat the text in capitals."  # type: ignore[union-attr]
    result = await run_tool_call(reg, ToolCall("1", "shout", '{"text": "hi"}'))
    assert (result.ok, result.output) == (True, "HI")
    result = await run_tool_call(reg, ToolCall("2", "double", '{"n": 21}'))
    assert result.output == "42"
    # Loading the same file again (a second session) replaces, it does not clash.
    assert load_user_tools(reg, files=[str(path)], entry_points=False) == []
    assert len(reg) == 8


def test_a_failing_tool_file_is_reported_by_name(tmp_path: Path) -> None:
    good = write(tmp_path / "good.py", GOOD)
    broken = write(tmp_path / "broken.py", "from chatterm.tools import tool\nundefined_name + 1\n")
    syntax = write(tmp_path / "syntax.py", "def oops(:\n")
    missing = tmp_path / "missing.py"
    reg = ToolRegistry()
    errors = load_user_tools(reg, files=[str(broken), str(syntax), str(missing), str(good)], entry_points=False)
    assert errors[0] == (f"tool file {broken} failed to import: NameError: name 'undefined_name' is not defined")
    assert errors[1].startswith(f"tool file {syntax} failed to import: SyntaxError")
    assert errors[2] == f"tool file {missing} not found"
    assert len(errors) == 3
    # The good file after the broken ones still loads.
    assert "shout" in reg


def test_file_shown_as_the_user_wrote_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    write(tmp_path / "x.py", "raise RuntimeError('no network')\n")
    errors = load_user_tools(ToolRegistry(), files=["~/x.py"], entry_points=False)
    assert errors == ["tool file ~/x.py failed to import: RuntimeError: no network"]


def test_bad_tools_inside_a_good_file(tmp_path: Path) -> None:
    path = write(
        tmp_path / "mixed.py",
        """
        from chatterm.tools import Tool
        def fine(a: int) -> int:
            return a
        def variadic(*args):
            return args
        def register(registry):
            raise KeyError("boom")
        tools = [fine, variadic]
    """,
    )
    reg = ToolRegistry()
    errors = load_user_tools(reg, files=[str(path)], entry_points=False)
    assert "fine" in reg and "variadic" not in reg
    assert errors[0].startswith(f"tool file {path}: tool 'variadic' could not be added: ")
    assert "*args is not supported" in errors[0]
    assert errors[1] == f"tool file {path}: register(registry) failed: KeyError: 'boom'"


def test_name_clash_with_a_builtin_is_reported(tmp_path: Path) -> None:
    path = write(
        tmp_path / "clash.py",
        """
        from chatterm.tools import tool
        @tool
        def calculator(expression: str) -> str:
            return "0"
    """,
    )
    reg = builtin_registry()
    errors = load_user_tools(reg, files=[str(path)], entry_points=False)
    assert errors == [
        f"tool file {path}: tool 'calculator' could not be added: "
        "ValueError: a tool named 'calculator' is already registered"
    ]


def test_file_without_tools_and_sys_exit(tmp_path: Path) -> None:
    empty = write(tmp_path / "empty.py", "X = 1\n")
    exits = write(tmp_path / "exits.py", "import sys\nsys.exit(2)\n")
    errors = load_user_tools(ToolRegistry(), files=[str(empty), str(exits)], entry_points=False)
    assert errors[0].startswith(f"tool file {empty} defines no tools")
    assert errors[1] == f"tool file {exits} failed to import: SystemExit: 2"


def test_modules_by_dotted_name(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path / "pkg_chatterm_probe" / "__init__.py", "")
    write(tmp_path / "pkg_chatterm_probe" / "good.py", GOOD)
    monkeypatch.syspath_prepend(str(tmp_path))
    reg = ToolRegistry()
    try:
        errors = load_user_tools(
            reg, modules=["pkg_chatterm_probe.good", "pkg_chatterm_probe.nope"], entry_points=False
        )
        assert "shout" in reg and "double" in reg
        assert errors == [
            "tool module pkg_chatterm_probe.nope failed to import: "
            "ModuleNotFoundError: No module named 'pkg_chatterm_probe.nope'"
        ]
        # An already-imported module still yields its tools for a second registry.
        second = ToolRegistry()
        assert load_user_tools(second, modules=["pkg_chatterm_probe.good"], entry_points=False) == []
        assert second.names() == reg.names()
    finally:
        for name in [m for m in sys.modules if m.startswith("pkg_chatterm_probe")]:
            del sys.modules[name]


async def test_entry_points(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(
        tmp_path / "ep_chatterm_probe.py",
        """
        from chatterm.tools import tool
        @tool
        def probe_hello(name: str) -> str:
            return "hello " + name
        def probe_plain(n: int) -> int:
            return n + 1
    """,
    )
    info = tmp_path / "ep_chatterm_probe-1.0.dist-info"
    write(info / "METADATA", "Metadata-Version: 2.1\nName: ep-chatterm-probe\nVersion: 1.0\n")
    write(
        info / "entry_points.txt",
        """
        [chatterm.tools]
        hello = ep_chatterm_probe
        plain = ep_chatterm_probe:probe_plain
        broken = ep_chatterm_probe_missing:thing
    """,
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    reg = ToolRegistry()
    try:
        errors = load_user_tools(reg)
        assert "probe_hello" in reg and "probe_plain" in reg
        assert len(errors) == 1
        assert errors[0].startswith(
            "tool entry point 'broken' (ep_chatterm_probe_missing:thing) failed to load: ModuleNotFoundError"
        )
        result = await run_tool_call(reg, ToolCall("1", "probe_plain", '{"n": 1}'))
        assert result.output == "2"
        # entry_points=False skips them.
        assert load_user_tools(ToolRegistry(), entry_points=False) == []
    finally:
        sys.modules.pop("ep_chatterm_probe", None)
