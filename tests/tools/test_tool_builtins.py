"""The built-in tools, run the way the engine runs them (through run_tool_call)."""

from __future__ import annotations

import json
import os
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from chatterm.api.types import ToolCall
from chatterm.tools import ToolRegistry, builtin_registry, run_tool_call


async def run(reg: ToolRegistry, name: str, **arguments: object) -> tuple[bool, str]:
    result = await run_tool_call(reg, ToolCall("c1", name, json.dumps(arguments)))
    return result.ok, result.output


def test_all_builtins_are_safe() -> None:
    reg = builtin_registry()
    assert reg.names() == ["current_time", "calculator", "read_file", "list_directory"]
    assert all(t.safe for t in reg)


# --- current_time ----------------------------------------------------------------------


async def test_current_time_in_a_named_zone() -> None:
    ok, out = await run(builtin_registry(), "current_time", timezone="Asia/Kolkata")
    assert ok
    assert "Asia/Kolkata" in out and "UTC+05:30" in out
    stamp = re.search(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+05:30", out)
    assert stamp, out
    shown = datetime.fromisoformat(stamp.group(0))
    assert abs(shown - datetime.now(UTC)) < timedelta(minutes=5)
    assert shown.strftime("%A") in out  # the weekday matches the date


async def test_current_time_utc_and_local() -> None:
    ok, out = await run(builtin_registry(), "current_time", timezone="UTC")
    assert ok and "+00:00" in out and "UTC+00:00" in out
    ok, out = await run(builtin_registry(), "current_time")
    assert ok and "local time zone" in out


async def test_current_time_unknown_zone() -> None:
    ok, out = await run(builtin_registry(), "current_time", timezone="Mars/Olympus_Mons")
    assert not ok
    assert out.startswith("Error: unknown time zone 'Mars/Olympus_Mons'")
    assert "Europe/Berlin" in out  # says what a valid name looks like


# --- calculator ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("1 + 2 * 3", "7"),
        ("(1 + 2) * 3", "9"),
        ("2 ** 10", "1024"),
        ("-2 ** 2", "-4"),
        ("7 / 2", "3.5"),
        ("7 // 2", "3"),
        ("-7 % 3", "2"),
        ("0.1 + 0.2", "0.3"),
        ("sqrt(16)", "4"),
        ("sqrt(2)", "1.4142135623731"),
        ("round(pi, 4)", "3.1416"),
        ("log(e)", "1"),
        ("log(8, 2)", "3"),
        ("sin(0) + cos(0)", "1"),
        ("max(3, 9, 4) - min(3, 9, 4)", "6"),
        ("factorial(20)", "2432902008176640000"),
        ("2 ** 100", "1267650600228229401496703205376"),
        ("1_000 * 3", "3000"),
        ("1e3 / 4", "250"),
    ],
)
async def test_calculator_arithmetic(expression: str, expected: str) -> None:
    assert await run(builtin_registry(), "calculator", expression=expression) == (True, expected)


@pytest.mark.parametrize(
    ("expression", "reason"),
    [
        ("__import__('os')", "unknown function '__import__'"),
        ("(1).__class__", "attribute access"),
        ("math.pi", "attribute access"),
        ("x + 1", "unknown name 'x'"),
        ("open('/etc/passwd')", "unknown function 'open'"),
        ("'a' * 3", "only numbers"),
        ("[1, 2]", "not arithmetic"),
        ("[x for x in (1, 2)]", "not arithmetic"),
        ("lambda: 1", "not arithmetic"),
        ("10**10**10", "too large"),
        ("9 ** 99999", "too large"),
        ("factorial(100000)", "limited"),
        ("1 / 0", "division by zero"),
        ("5 % 0", "division by zero"),
        ("2 & 3", "the operator & is not supported"),
        ("sqrt(-1)", "math error"),
        ("10.0 ** 400", "too large"),
        ("(-8) ** 0.5", "complex"),
        ("1 +", "not a valid expression"),
        ("", "empty"),
        ("True + 1", "only numbers"),
        ("sqrt", "is a function"),
        ("sqrt(x=4)", "positional"),
        ("1 if 2 else 3", "not arithmetic"),
    ],
)
async def test_calculator_refuses(expression: str, reason: str) -> None:
    ok, out = await run(builtin_registry(), "calculator", expression=expression)
    assert not ok
    assert out.startswith("Error: calculator: ")
    assert reason in out


# --- read_file / list_directory ----------------------------------------------------------


@pytest.fixture
def tree(tmp_path: Path) -> dict[str, Path]:
    allowed = tmp_path / "allowed"
    (allowed / "sub").mkdir(parents=True)
    (allowed / "notes.txt").write_text("hello\nwörld\n", encoding="utf-8")
    (allowed / "sub" / "deep.txt").write_text("deep", encoding="utf-8")
    (allowed / "image.bin").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00")
    (allowed / "latin1.txt").write_bytes("caf\xe9".encode("latin-1"))
    (allowed / "big.txt").write_text("é" * 1000, encoding="utf-8")  # 2000 bytes
    outside = tmp_path / "secret"
    outside.mkdir()
    (outside / "key.txt").write_text("TOP SECRET", encoding="utf-8")
    (allowed / "escape").symlink_to(outside / "key.txt")
    (allowed / "escape_dir").symlink_to(outside)
    (allowed / "inner_link").symlink_to(allowed / "notes.txt")
    return {"allowed": allowed, "outside": outside}


def files(tree: dict[str, Path], **kw: int) -> ToolRegistry:
    return builtin_registry(allowed_dirs=[str(tree["allowed"])], **kw)


async def test_read_file_inside(tree: dict[str, Path]) -> None:
    reg = files(tree)
    assert await run(reg, "read_file", path="notes.txt") == (True, "hello\nwörld\n")
    assert await run(reg, "read_file", path=str(tree["allowed"] / "sub" / "deep.txt")) == (True, "deep")
    assert await run(reg, "read_file", path="sub/../notes.txt") == (True, "hello\nwörld\n")
    # A symlink that stays inside is fine.
    assert await run(reg, "read_file", path="inner_link") == (True, "hello\nwörld\n")


@pytest.mark.parametrize(
    "path",
    ["escape", "escape_dir/key.txt", "../secret/key.txt", "sub/../../secret/key.txt", "/etc/hostname"],
)
async def test_read_file_refuses_escapes(tree: dict[str, Path], path: str) -> None:
    ok, out = await run(files(tree), "read_file", path=path)
    assert not ok
    assert "outside the allowed folders" in out
    assert "TOP SECRET" not in out


async def test_read_file_size_cap(tree: dict[str, Path]) -> None:
    ok, out = await run(files(tree, max_file_bytes=1001), "read_file", path="big.txt")
    # 1001 bytes cut an "é" in half: the partial character is dropped, not mangled.
    assert ok
    assert out.startswith("é" * 500) and "\ufffd" not in out
    assert out.endswith("[truncated: showed the first 1,001 bytes of 2,000 bytes]")
    # The model may ask for less, never for more than the user's cap.
    ok, out = await run(files(tree, max_file_bytes=1000), "read_file", path="big.txt", max_bytes=10)
    assert ok and out.startswith("é" * 5 + "\n[truncated: showed the first 10 bytes")
    ok, out = await run(files(tree, max_file_bytes=4), "read_file", path="big.txt", max_bytes=10_000)
    assert ok and out.startswith("éé\n[truncated: showed the first 4 bytes")


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        ("image.bin", "binary"),
        ("latin1.txt", "not UTF-8 text"),
        ("sub", "is a folder"),
        ("missing.txt", "no such file"),
    ],
)
async def test_read_file_refusals(tree: dict[str, Path], path: str, reason: str) -> None:
    ok, out = await run(files(tree), "read_file", path=path)
    assert not ok and reason in out


async def test_list_directory(tree: dict[str, Path]) -> None:
    reg = files(tree)
    ok, out = await run(reg, "list_directory")
    assert ok
    lines = out.splitlines()
    assert lines[0] == f"{tree['allowed'].resolve()} (8 entries)"
    assert lines[1] == "dir   sub/"
    assert "file  notes.txt  (13 bytes)" in lines
    assert "file  big.txt  (2,000 bytes)" in lines
    assert "link  escape" in lines  # listed, not followed
    ok, out = await run(reg, "list_directory", path="sub")
    assert ok and out.splitlines()[1:] == ["file  deep.txt  (4 bytes)"]


@pytest.mark.parametrize("path", ["..", "escape_dir", str(Path("/"))])
async def test_list_directory_refuses_escapes(tree: dict[str, Path], path: str) -> None:
    ok, out = await run(files(tree), "list_directory", path=path)
    assert not ok and "outside the allowed folders" in out and "key.txt" not in out


async def test_file_tools_without_allowed_folders_explain_the_config() -> None:
    reg = builtin_registry()
    for name, arguments in (("read_file", {"path": "/etc/hostname"}), ("list_directory", {})):
        ok, out = await run(reg, name, **arguments)
        assert not ok
        assert "no folders are allowed" in out and "allowed_dirs" in out and "[tools]" in out
    assert "No folders are allowed" in reg.get("read_file").description  # type: ignore[union-attr]


def test_file_tool_descriptions_name_the_folders(tree: dict[str, Path]) -> None:
    description = files(tree).get("list_directory").description  # type: ignore[union-attr]
    assert str(tree["allowed"].resolve()) in description


@pytest.mark.skipif(os.name == "nt", reason="POSIX permissions")
async def test_unreadable_file(tree: dict[str, Path]) -> None:
    if os.geteuid() == 0:
        pytest.skip("root reads everything")
    locked = tree["allowed"] / "locked.txt"
    locked.write_text("x")
    locked.chmod(0)
    ok, out = await run(files(tree), "read_file", path="locked.txt")
    assert not ok and "permission denied" in out
