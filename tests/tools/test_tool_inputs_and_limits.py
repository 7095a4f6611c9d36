"""What a demanding user and tool author found in the tools: the calculator reads the
signs people write (U+2212 minus, x, /, ^), says how to write 3(4), refuses NaN; a
tool's bytes come back as their text; read_file's note tells the real sizes when the
output cap cuts it; time zones match regardless of case; a cancelled running call is
told apart from one that never ran; a module name written under `files` gets a hint."""

from __future__ import annotations

import threading

import pytest

from chatterm.api.types import ToolCall
from chatterm.tools import MAX_OUTPUT_CHARS, ToolRegistry, builtin_registry, run_tool_call
from chatterm.tools.calculator import CalculatorError, evaluate, format_number
from chatterm.tools.runner import format_output


def calc(text: str) -> str:
    return format_number(evaluate(text))


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("5 \u2212 3", "2"),  # the minus sign models like to write
        ("\u22125", "-5"),
        ("5 \u2013 3", "2"),  # an en dash
        ("2\u00d73", "6"),
        ("6\u00f72", "3"),
        ("2^3", "8"),
        ("2^3+1", "9"),  # a power, not XOR with the precedence of XOR
        ("2^3^2", "512"),
        ("-2^2", "-4"),
    ],
)
def test_calculator_reads_the_signs_people_write(expression: str, expected: str) -> None:
    assert calc(expression) == expected


@pytest.mark.parametrize(
    ("expression", "shown"), [("3(4)", "3*(...)"), ("(1+2)(3)", "(1 + 2)*(...)"), ("pi(2)", "pi*(...)")]
)
def test_calculator_explains_implicit_multiplication(expression: str, shown: str) -> None:
    with pytest.raises(CalculatorError) as caught:
        evaluate(expression)
    assert shown in str(caught.value)
    assert "unknown function" not in str(caught.value)


def test_calculator_refuses_nan_but_keeps_its_other_limits() -> None:
    with pytest.raises(CalculatorError, match="not a number"):
        evaluate("inf - inf")
    for text, message in [
        ("1/0", "division by zero"),
        ("2**100000", "too large"),
        ("", "empty"),
        ("factorial(1001)", "limited"),
        ("2 & 3", "not supported"),
    ]:
        with pytest.raises(CalculatorError, match=message):
            evaluate(text)


def test_bytes_a_tool_returns_are_text_or_a_size_note() -> None:
    assert format_output(b"caf\xc3\xa9") == "café"
    assert format_output(bytearray(b"plain")) == "plain"
    assert format_output(b"\x00\x01\xff" * 10) == "[30 bytes of binary data]"
    assert format_output(None) == "null" and format_output({"a": [1]}) == '{"a": [1]}'


async def test_a_big_file_is_cut_with_its_real_sizes(tmp_path) -> None:
    (tmp_path / "big.txt").write_text("é" * 200_000, encoding="utf-8")  # 400,000 bytes
    registry = builtin_registry(allowed_dirs=[tmp_path], max_file_bytes=1_000_000)
    result = await run_tool_call(registry, ToolCall("c1", "read_file", '{"path": "big.txt"}'))
    assert result.ok
    assert len(result.output) <= MAX_OUTPUT_CHARS
    assert "[output truncated" not in result.output  # the runner's cut would hide the size
    assert result.output.endswith("of 400,000 bytes]")
    shown = int(result.output.rsplit("first ", 1)[1].split(" bytes")[0].replace(",", ""))
    assert result.output.startswith("é" * (shown // 2)) and shown < 400_000
    assert "characters" in registry.get("read_file").description  # the model is told the cap


async def test_read_file_stays_confined(tmp_path) -> None:
    allowed, outside = tmp_path / "notes", tmp_path / "outside"
    allowed.mkdir()
    outside.mkdir()
    (outside / "secret.txt").write_text("TOPSECRET")
    (allowed / "escape").symlink_to(outside)
    (allowed / "bin.dat").write_bytes(bytes(range(256)))
    registry = builtin_registry(allowed_dirs=[allowed])
    for path in ["escape/secret.txt", "../outside/secret.txt", str(outside / "secret.txt")]:
        result = await run_tool_call(registry, ToolCall("c", "read_file", f'{{"path": "{path}"}}'))
        assert not result.ok and "outside the allowed folders" in result.output and "TOPSECRET" not in result.output
    result = await run_tool_call(registry, ToolCall("c", "read_file", '{"path": "bin.dat"}'))
    assert not result.ok and "binary" in result.output


@pytest.mark.parametrize(
    ("asked", "named"), [("europe/berlin", "Europe/Berlin"), ("America/New york", "America/New_York")]
)
async def test_time_zones_match_regardless_of_case(asked: str, named: str) -> None:
    result = await run_tool_call(builtin_registry(), ToolCall("c", "current_time", f'{{"timezone": "{asked}"}}'))
    assert result.ok and f"time zone {named} (" in result.output


async def test_an_unknown_time_zone_is_still_a_clear_error() -> None:
    for zone in ["Mars/Olympus", "../../etc/passwd", "x" * 300]:
        result = await run_tool_call(builtin_registry(), ToolCall("c", "current_time", f'{{"timezone": "{zone}"}}'))
        assert not result.ok and "unknown time zone" in result.output


async def test_a_sync_tool_that_times_out_does_not_hold_a_worker_thread_that_exit_joins() -> None:
    release = threading.Event()
    registry = ToolRegistry()

    @registry.tool
    def stuck(func: str = "x") -> str:  # a parameter named like the helper's own
        """Blocks until released."""
        release.wait()
        return func

    try:
        result = await run_tool_call(registry, ToolCall("c", "stuck", "{}"), timeout=0.2)
        assert not result.ok and "timed out" in result.output
        workers = [t for t in threading.enumerate() if t.name.startswith("chatterm-tool-stuck")]
        assert workers and all(t.daemon for t in workers)
        release.set()
        ok = await run_tool_call(registry, ToolCall("c", "stuck", '{"func": "y"}'), timeout=30)
        assert ok.ok and ok.output == "y"
    finally:
        release.set()


def test_a_module_name_under_files_gets_a_hint(tmp_path) -> None:
    from chatterm.tools import load_user_tools

    errors = load_user_tools(ToolRegistry(), files=["mytools.search", str(tmp_path / "gone.py")], entry_points=False)
    assert errors[0].startswith("tool file mytools.search not found")
    assert 'modules = ["mytools.search"]' in errors[0]
    assert errors[1] == f"tool file {tmp_path / 'gone.py'} not found"  # a path gets no module hint
