"""Approve a tool call in the TUI as a user does: once the dialog is armed."""

from __future__ import annotations

from typing import Any

from textual.pilot import Pilot

from chatterm.tui.screens.approval import ToolApprovalScreen

from .conftest import wait_until


async def approve(pilot: Pilot[Any], key: str = "y") -> None:
    """Wait for the approval dialog and for its approving keys to be armed (they do
    nothing for `ARM_SECONDS` after it opens), then press `key`."""
    app = pilot.app
    await wait_until(pilot, lambda: isinstance(app.screen, ToolApprovalScreen) and app.screen.armed)
    await pilot.press(key)
