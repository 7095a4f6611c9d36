"""A file typed in the prompt as `@path` shows as a chip while the prompt names it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from chatterm.tui.app import ChatApp
from chatterm.tui.widgets.attachments import AttachmentChips, MentionChip

from .conftest import wait_until


async def test_a_typed_at_path_shows_as_a_chip_until_it_is_deleted(chat_context: Any, tmp_path: Path) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("hello")
    app = ChatApp(chat_context)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        chips = app.chat_screen.query_one(AttachmentChips)
        prompt = app.chat_screen.prompt
        prompt.focus()
        prompt.insert(f"summarise @{notes} please")
        await wait_until(pilot, lambda: [c.path for c in chips.query(MentionChip)] == [str(notes)])
        assert chips.display and "notes.txt" in str(chips.query_one(MentionChip).render())
        assert chips.paths == []  # shown, not taken: the prompt carries it
        prompt.load_text("summarise please")
        await wait_until(pilot, lambda: not chips.query(MentionChip) and not chips.has_class("-has-files"))
        prompt.load_text(f"@{tmp_path / 'missing.txt'}")  # no such file: no chip
        await pilot.pause()
        assert not chips.query(MentionChip)
