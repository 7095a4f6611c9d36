"""Structured output in the chat app, against the demo gateway (which honours
response_format, and breaks the schema on `!badjson`): a chat holding a schema shows
each reply as pretty JSON with a quiet ✓, flags a reply that does not fit with the
first error's path, shows the schema in the status bar, and drops it on "Detach schema"."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from chatterm.engine.conversation import Conversation, Message
from chatterm.tui.app import ChatApp
from chatterm.tui.widgets.message import AssistantMessageView
from chatterm.tui.widgets.structured import SchemaCheck

from .conftest import reply_done, send, wait_until
from .waiting import wait_for_palette_hit

SIZE = (100, 40)
PERSON = {
    "title": "person",
    "type": "object",
    "properties": {"name": {"type": "string"}, "age": {"type": "integer"}},
    "required": ["name", "age"],
    "additionalProperties": False,
}


def schema_file(tmp_path: Path) -> Path:
    path = tmp_path / "person.json"
    path.write_text(json.dumps(PERSON))
    return path


def chip_text(app: ChatApp) -> str:
    chip = app.chat_screen.query_one("#schema-chip")
    return str(chip.render()) if chip.has_class("-on") else ""


async def test_a_schema_reply_is_pretty_json_and_a_bad_one_is_flagged(
    chat_context: Any, demo_gateway: Any, tmp_path: Path
) -> None:
    app = ChatApp(chat_context)
    async with app.run_test(size=SIZE) as pilot:
        assert chip_text(app) == ""
        assert app.attach_schema(str(schema_file(tmp_path)))
        await pilot.pause()
        assert "person" in chip_text(app)

        await send(pilot, "describe a person")
        await reply_done(pilot)
        sent = [r for r in demo_gateway.requests if r.method == "POST"][-1].body["response_format"]
        assert sent["type"] == "json_schema" and sent["json_schema"]["schema"] == PERSON
        [reply] = app.chat_screen.query(AssistantMessageView)
        data = json.loads(reply.message.text)
        assert reply.body.text == "```json\n" + json.dumps(data, indent=2) + "\n```\n"
        check = reply.query_one(SchemaCheck)
        assert check.ok and not check.has_class("-invalid")
        assert "Fits the schema person" in str(check.render())

        await send(pilot, "describe a person !badjson")
        await reply_done(pilot, replies=2)
        bad = list(app.chat_screen.query(AssistantMessageView))[-1]
        check = bad.query_one(SchemaCheck)
        assert not check.ok and check.has_class("-invalid")
        shown = str(check.render())
        assert shown.startswith("✗ Does not fit the schema person · $")
        missing = {"name", "age"} - set(json.loads(bad.message.text))
        assert missing and any(name in shown for name in missing)
        assert bad.body.text.startswith("```json\n{")  # still shown pretty


async def test_detach_schema_from_the_palette(chat_context: Any, demo_gateway: Any, tmp_path: Path) -> None:
    app = ChatApp(chat_context)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: app.session is not None)
        app.attach_schema(str(schema_file(tmp_path)))
        await pilot.press("ctrl+p")
        await wait_until(pilot, lambda: type(app.screen).__name__ == "CommandPalette")
        await pilot.press(*"detach schema")
        await wait_for_palette_hit(pilot, "Detach schema")
        await pilot.press("enter")
        await wait_until(pilot, lambda: app.conversation.settings.response_format is None)
        assert chip_text(app) == ""
        await send(pilot, "just talk")
        await reply_done(pilot)
        assert "response_format" not in [r for r in demo_gateway.requests if r.method == "POST"][-1].body
        [reply] = app.chat_screen.query(AssistantMessageView)
        assert "Echo: just talk" in reply.body.text and not reply.query(SchemaCheck)
        app.action_detach_schema()  # nothing attached: said so, nothing breaks
        await pilot.pause()
        assert any("No schema" in n.message for n in app._notifications)


async def test_a_loaded_chat_shows_json_replies_pretty_and_prose_as_prose(chat_context: Any, tmp_path: Path) -> None:
    from chatterm.api.structured import response_format_for_schema

    chat = Conversation()
    chat.settings.response_format = response_format_for_schema(PERSON)
    chat.append(Message(role="user", content="hi"))
    chat.append(Message(role="assistant", content="Hello! (written before the schema)", model="gpt-4o-mini"))
    chat.append(Message(role="user", content="a person"))
    chat.append(Message(role="assistant", content='{"name": "Ada"}', model="gpt-4o-mini"))
    app = ChatApp(chat_context, conversation=chat)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        prose, person = app.chat_screen.query(AssistantMessageView)
        assert not prose.query(SchemaCheck) and "Hello!" in prose.body.text
        check = person.query_one(SchemaCheck)
        assert not check.ok and str(check.render()).endswith("· $.age: is required but missing")
        assert person.body.text == '```json\n{\n  "name": "Ada"\n}\n```\n'
        assert "person" in chip_text(app)
