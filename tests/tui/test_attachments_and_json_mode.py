"""Attachments and JSON mode in the chat app (Pilot, demo gateway).

- Ctrl+F refuses, in the dialog, a file the gateway would not take (over 50 MB alone,
  or with the chips already there), instead of a chip that fails only on Enter.
- A send refused for its files (an `@path` over the limit) keeps the prompt and the
  chips; before, the chips were emptied.
- A chip can be removed from the keyboard (it was mouse-only).
- A JSON-mode reply that is not an object is flagged.
"""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

from textual.widgets import Input, Static

from chatterm.tui.app import ChatApp
from chatterm.tui.screens.attach import AttachFileScreen
from chatterm.tui.widgets.attachments import AttachmentChip, AttachmentChips
from chatterm.tui.widgets.message import AssistantMessageView
from chatterm.tui.widgets.structured import SchemaCheck

from .conftest import reply_done, send, wait_until

SIZE = (100, 40)


def sparse(path: Path, size: int) -> Path:
    subprocess.run(["truncate", "-s", str(size), str(path)], check=True)
    return path


def posts(gateway: Any) -> int:
    return sum(1 for r in gateway.requests if r.method == "POST")


async def type_in_dialog(pilot: Any, path: Path) -> None:
    await wait_until(pilot, lambda: isinstance(pilot.app.screen, AttachFileScreen))
    pilot.app.screen.query_one("#attach-path", Input).value = str(path)
    await pilot.press("enter")
    await pilot.pause()


async def test_ctrl_f_refuses_files_over_the_limits_in_the_dialog(chat_context: Any, tmp_path: Path) -> None:
    big = sparse(tmp_path / "big.pdf", 60_000_000)
    half1 = sparse(tmp_path / "half1.pdf", 30_000_000)
    half2 = sparse(tmp_path / "half2.pdf", 30_000_000)
    (tmp_path / "sheet.xlsx").write_bytes(b"PK\x03\x04" + b"\x00" * 40)
    app = ChatApp(chat_context)
    async with app.run_test(size=SIZE) as pilot:
        chips = app.chat_screen.query_one(AttachmentChips)
        await pilot.press("ctrl+f")
        await type_in_dialog(pilot, big)
        error = app.screen.query_one("#attach-error", Static)
        assert "big.pdf: 60.0 MB is over the 50 MB limit for one file" in str(error.render())
        await type_in_dialog(pilot, tmp_path / "sheet.xlsx")
        assert "type .xlsx is not taken" in str(error.render())
        await type_in_dialog(pilot, half1)
        assert chips.paths == [str(half1.resolve())]
        await pilot.press("ctrl+f")
        await type_in_dialog(pilot, half2)
        assert isinstance(app.screen, AttachFileScreen)
        assert "60.0 MB in total is over the 50 MB limit" in str(app.screen.query_one("#attach-error", Static).render())
        await pilot.press("escape")
        assert chips.paths == [str(half1.resolve())]


async def test_a_send_refused_for_its_files_keeps_prompt_and_chips(
    chat_context: Any, demo_gateway: Any, tmp_path: Path
) -> None:
    doc = tmp_path / "doc.pdf"
    doc.write_bytes(b"%PDF-1.4 tiny")
    big = sparse(tmp_path / "big.pdf", 60_000_000)
    app = ChatApp(chat_context)
    async with app.run_test(size=SIZE) as pilot:
        chips = app.chat_screen.query_one(AttachmentChips)
        chips.add_path(str(doc))
        await pilot.pause()
        before = posts(demo_gateway)
        await send(pilot, f"compare with @{big}")
        await pilot.pause()
        assert chips.paths == [str(doc)] and chips.has_class("-has-files")
        assert app.chat_screen.prompt.text == f"compare with @{big}"
        assert posts(demo_gateway) == before
        assert not app.chat_screen.query(AssistantMessageView)


async def test_a_chip_is_removed_from_the_keyboard(chat_context: Any, tmp_path: Path) -> None:
    first = tmp_path / "a.pdf"
    second = tmp_path / "b.pdf"
    for path in (first, second):
        path.write_bytes(b"%PDF-1.4 tiny")
    app = ChatApp(chat_context)
    async with app.run_test(size=SIZE) as pilot:
        chips = app.chat_screen.query_one(AttachmentChips)
        chips.add_path(str(first))
        chips.add_path(str(second))
        await pilot.pause()
        assert app.focused is app.chat_screen.prompt
        await pilot.press("shift+tab")
        assert isinstance(app.focused, AttachmentChip) and app.focused.path == str(second)
        await pilot.press("delete")
        await pilot.pause()
        assert chips.paths == [str(first)]
        assert isinstance(app.focused, AttachmentChip) and app.focused.path == str(first)
        await pilot.press("backspace")
        await pilot.pause()
        assert chips.paths == [] and not chips.has_class("-has-files")
        assert app.focused is app.chat_screen.prompt


async def test_a_json_mode_reply_that_is_not_an_object_is_flagged(chat_context: Any, demo_gateway: Any) -> None:
    app = ChatApp(chat_context)
    async with app.run_test(size=SIZE) as pilot:
        app.conversation.settings.response_format = {"type": "json_object"}
        await send(pilot, "a list please !badjson")
        await reply_done(pilot)
        assert [r for r in demo_gateway.requests if r.method == "POST"][-1].body["response_format"] == {
            "type": "json_object"
        }
        check = app.chat_screen.query_one(AssistantMessageView).query_one(SchemaCheck)
        assert not check.ok and check.has_class("-invalid")
        assert "Not a JSON object · $: expected object, got array" in str(check.render())
