"""SVG snapshots of the chat screen: mid-conversation, an error row, a folded and an
open thinking block. The chats are built in memory (no network, fixed timings and
usage) and the cursor does not blink, so the pictures do not depend on timing.

Update after a deliberate change:
    .venv/bin/python -m pytest tests/tui/test_chat_snapshots.py --snapshot-update
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual.pilot import Pilot

from chatterm.api.types import Citation, ToolCall, Usage
from chatterm.context import AppContext
from chatterm.engine.conversation import Conversation, Message, Timings
from chatterm.tui.app import ChatApp
from chatterm.tui.widgets.thinking import ThinkingBlock

SIZE = (100, 38)
REPLY = """\
Here is a **small** example with a list and code:

1. Read the file
2. Count the words

```python
def count(path: str) -> int:
    return len(open(path).read().split())
```
"""


def reply(content: str, **kw: Any) -> Message:
    return Message(
        role="assistant",
        content=content,
        model=kw.pop("model", "gpt-4o-mini"),
        usage=Usage(prompt_tokens=42, completion_tokens=180, reasoning_tokens=kw.pop("reasoning_tokens", None)),
        timings=Timings(time_to_first_token=0.25, duration=1.75),
        **kw,
    )


def make_app(tmp_path: Path, *messages: Message) -> ChatApp:
    conversation = Conversation()
    for message in messages:
        conversation.append(message)
    context = AppContext.for_tests("http://127.0.0.1:9/v1", tmp_path)
    return ChatApp(context, conversation=conversation)


async def freeze(pilot: Pilot[Any]) -> None:
    """No blinking cursor; everything mounted and painted."""
    app: Any = pilot.app
    app.chat_screen.prompt.cursor_blink = False
    await pilot.pause()
    await pilot.pause()


def test_mid_conversation(snap_compare: Any, tmp_path: Path) -> None:
    call = ToolCall("call_1", "calculator", '{"expression": "6 * 7"}')
    app = make_app(
        tmp_path,
        Message(role="user", content="How do I count words in a file?"),
        reply(REPLY),
        Message(role="user", content="And what is 6 * 7? Cite your sources."),
        reply("", tool_calls=[call]),
        Message(role="tool", content="42", tool_call_id="call_1", name="calculator"),
        reply(
            "It is **42** [1].",
            model="claude-sonnet-4-5-20250929",
            citations=[Citation("https://example.org/arithmetic", "Arithmetic basics")],
        ),
    )
    assert snap_compare(app, run_before=freeze, terminal_size=SIZE)


def test_error_row(snap_compare: Any, tmp_path: Path) -> None:
    app = make_app(
        tmp_path,
        Message(role="user", content="hello", state="failed"),
        Message(
            role="assistant",
            content="",
            model="gpt-4o-mini",
            state="failed",
            error="Error: Invalid or unauthorized API key (Incorrect API key provided: sk-***)",
        ),
    )
    assert snap_compare(app, run_before=freeze, terminal_size=SIZE)


THOUGHTS = "The user asks for a word count. I should read the file, split on whitespace, and count."


def test_thinking_folded(snap_compare: Any, tmp_path: Path) -> None:
    app = make_app(
        tmp_path,
        Message(role="user", content="Count the words, please."),
        reply("There are **12** words.", model="deepseek-r1", reasoning=THOUGHTS, reasoning_tokens=20),
    )
    assert snap_compare(app, run_before=freeze, terminal_size=SIZE)


def test_thinking_open(snap_compare: Any, tmp_path: Path) -> None:
    app = make_app(
        tmp_path,
        Message(role="user", content="Count the words, please."),
        reply("There are **12** words.", model="deepseek-r1", reasoning=THOUGHTS, reasoning_tokens=20),
    )

    async def open_thinking(pilot: Pilot[Any]) -> None:
        await freeze(pilot)
        pilot.app.query_one(ThinkingBlock).collapsed = False
        await pilot.pause()

    assert snap_compare(app, run_before=open_thinking, terminal_size=SIZE)


def test_structured_replies(snap_compare: Any, tmp_path: Path) -> None:
    """A chat holding a schema: a reply that fits (pretty JSON, ✓) and one that does not
    (flagged with the first error's path); the schema chip in the status bar."""
    from chatterm.api.structured import response_format_for_schema

    schema = {
        "title": "person",
        "type": "object",
        "properties": {"name": {"type": "string"}, "age": {"type": "integer"}},
        "required": ["name", "age"],
    }
    app = make_app(
        tmp_path,
        Message(role="user", content="Describe Ada."),
        reply('{"name": "Ada Lovelace", "age": 36}'),
        Message(role="user", content="And Charles?"),
        reply('{"name": "Charles Babbage", "age": "seventy-nine"}'),
    )
    app.conversation.settings.response_format = response_format_for_schema(schema)
    assert snap_compare(app, run_before=freeze, terminal_size=SIZE)
