"""`tools.preview`: the arguments the user approves are the ones that run."""

from __future__ import annotations

import json

from chatterm.api.types import ToolCall
from chatterm.tools import ToolRegistry, tool
from chatterm.tools.preview import MAX_PREVIEW_CHARS, MAX_VALUE_CHARS, arguments_preview
from chatterm.tools.runner import run_tool_call

DUPLICATE = '{"command":"ls"\n,"command":"touch /tmp/x"\r' + " " * 40 + "}"


async def test_a_duplicate_key_shows_the_value_that_runs() -> None:
    ran: list[str] = []

    @tool
    def shell(command: str) -> str:
        """Run a command."""
        ran.append(command)
        return "ok"

    registry = ToolRegistry()
    registry.register(shell)
    call = ToolCall("c1", "shell", DUPLICATE)
    shown = arguments_preview(call)
    assert shown.valid_json and shown.text == '{"command": "touch /tmp/x"}'
    await run_tool_call(registry, call)
    assert ran == ["touch /tmp/x"]  # what was shown is what ran


def test_one_line_with_invisible_and_controlling_characters_escaped() -> None:
    arguments = json.dumps({"com\u200bmand": "a\u202eb\x1b]0;x\x07\x9b\u00a0c\nd", "n": [1, 2]})
    shown = arguments_preview(ToolCall("c", "shell", arguments)).text
    assert shown == '{"com\\u200bmand": "a\\u202eb\\u001b]0;x\\u0007\\u009b\\u00a0c\\nd", "n": [1, 2]}'
    assert json.loads(shown) == json.loads(arguments)  # still JSON, meaning the same


def test_long_values_and_long_previews_are_cut_and_say_so() -> None:
    shown = arguments_preview(ToolCall("c", "write", json.dumps({"text": "x" * (MAX_VALUE_CHARS + 1234)}))).text
    assert shown == '{"text": "' + "x" * MAX_VALUE_CHARS + '… (1,234 more characters)"}'
    many = json.dumps({f"k{i}": i for i in range(1000)})  # one line: ", " between items
    shown = arguments_preview(ToolCall("c", "t", many)).text
    assert shown == f"{many[:MAX_PREVIEW_CHARS]}… ({len(many) - MAX_PREVIEW_CHARS:,} more characters)"


def test_invalid_json_is_shown_raw_on_one_line_with_controls_escaped() -> None:
    shown = arguments_preview(ToolCall("c", "shell", '{"command": "ls\x1b[2J\r\n'))
    assert not shown.valid_json
    assert shown.text == '{"command": "ls\\u001b[2J\\r\\n'


def test_pretty_preview_for_the_dialog() -> None:
    shown = arguments_preview(ToolCall("c", "shell", DUPLICATE), indent=2).text
    assert shown == '{\n  "command": "touch /tmp/x"\n}'
