"""Issue 10 item 16: export from the TUI asks where and which format; a reply's own
headings sit below the turn headings in Markdown; a copied reply keeps its sources."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from textual.widgets import Input

from chatterm.engine.conversation import Conversation, Message
from chatterm.store import ChatStore
from chatterm.tui.screens.export_dialog import ExportScreen

from .conftest import reply_done, send, wait_until
from .test_history_screen import Host, _listed

REPLY = "# Plan\n\nIntro.\n\n## Steps\n\n1. one\n\n```python\n# not a heading\n```\n"


def _store_with_one_chat(tmp_path: Path) -> tuple[ChatStore, Conversation]:
    store = ChatStore(tmp_path / "history.db")
    conv = Conversation()
    conv.append(Message("user", "Make a plan"))
    conv.append(Message("assistant", REPLY, model="m"))
    store.save_conversation(conv)
    return store, conv


async def _open_export(pilot: Any) -> ExportScreen:
    await _listed(pilot, rows=1)
    await pilot.press("e")
    await wait_until(pilot, lambda: isinstance(pilot.app.screen, ExportScreen))
    return pilot.app.screen


async def test_export_asks_for_markdown_or_json_and_where(tmp_path: Path) -> None:
    store, conv = _store_with_one_chat(tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    try:
        app = Host(store, out)
        async with app.run_test(size=(100, 30)) as pilot:
            dialog = await _open_export(pilot)
            field = dialog.query_one("#export-path", Input)
            assert field.value == str(out / f"make-a-plan-{conv.id[:8]}.md")
            await pilot.click("#export-json")
            assert field.value == str(out / f"make-a-plan-{conv.id[:8]}.json")
            field.value = str(tmp_path / "elsewhere" / "plan.json")
            await pilot.click("#export-go")
            target = tmp_path / "elsewhere" / "plan.json"
            await wait_until(pilot, lambda: target.exists())
            assert json.loads(target.read_text())["chat"]["id"] == conv.id
            await wait_until(pilot, lambda: any(str(target) in str(n.message) for n in app._notifications))
            assert not list(out.iterdir())  # nothing written where it was not asked

            dialog = await _open_export(pilot)  # Markdown into a folder, Enter in the path field
            dialog.query_one("#export-path", Input).value = str(out) + "/"
            dialog.query_one("#export-path", Input).focus()
            await pilot.press("enter")
            await wait_until(pilot, lambda: len(list(out.glob("*.md"))) == 1)
    finally:
        store.close()


async def test_escape_exports_nothing(tmp_path: Path) -> None:
    store, _ = _store_with_one_chat(tmp_path)
    try:
        app = Host(store, tmp_path)
        async with app.run_test(size=(100, 30)) as pilot:
            await _open_export(pilot)
            await pilot.press("escape")
            await wait_until(pilot, lambda: not isinstance(app.screen, ExportScreen))
            assert not list(tmp_path.glob("*.md"))
    finally:
        store.close()


async def test_reply_headings_sit_below_the_turn_headings(tmp_path: Path) -> None:
    store, _ = _store_with_one_chat(tmp_path)
    try:
        app = Host(store, tmp_path)
        async with app.run_test(size=(100, 30)) as pilot:
            await _open_export(pilot)
            await pilot.press("enter")
            await wait_until(pilot, lambda: len(list(tmp_path.glob("*.md"))) == 1)
        [path] = tmp_path.glob("*.md")
        lines = path.read_text().splitlines()
        headings = [line for line in lines if line.startswith("#")]
        # code is left as written
        assert headings == ["# Make a plan", "## You", "## Assistant · m", "### Plan", "#### Steps", "# not a heading"]
    finally:
        store.close()


async def test_copying_a_reply_keeps_its_numbered_sources(chat_context: Any) -> None:
    from chatterm.tui.app import ChatApp
    from chatterm.tui.widgets.message import AssistantMessageView

    chat_context.config.model = "qwen3-coder-plus"
    app = ChatApp(chat_context)
    async with app.run_test(size=(100, 40)) as pilot:
        app.settings.search = True
        app.settings = app.settings
        await send(pilot, "tell me about textual streaming")
        await reply_done(pilot)
        reply = app.conversation.messages[-1]
        assert reply.citations
        sources = "\n".join(f"{n}. [{c.title or c.url}]({c.url})" for n, c in enumerate(reply.citations, 1))
        await app.run_action("copy_last_reply")
        assert app.clipboard == f"{reply.text.rstrip()}\n\nSources:\n\n{sources}"
        [view] = app.chat_screen.query(AssistantMessageView)
        view.focus()
        await pilot.pause()
        await app.run_action("copy_message")
        assert app.clipboard.endswith(sources)
