"""Attachments: files for the next prompt, and a JSON Schema the chat's replies fit.

A schema is held in the chat's settings as a `response_format`; the status bar shows
it while attached, and each reply written under it is shown as pretty JSON and checked
against it (see widgets/structured.py).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from chatterm.api.errors import ChatTermError
from chatterm.tui.actions.host import ChatHost


def schema_label(response_format: dict[str, Any] | None) -> str | None:
    """A short name for an attached response_format ("person", "JSON"), None if none."""
    if not response_format:
        return None
    from chatterm.tui.widgets.structured import schema_name_of

    return schema_name_of(response_format)


class AttachmentActions(ChatHost):
    def action_attach_file(self) -> None:
        from chatterm.tui.screens import AttachFileScreen
        from chatterm.tui.widgets.attachments import AttachmentChips

        chips = self.chat_screen.query_one(AttachmentChips)

        def picked(path: str | None) -> None:
            if path:
                chips.add_path(path)

        # Refused in the dialog, so a file the gateway would not take (too big, a set
        # over the limit with the chips already there, an unsupported type) never
        # becomes a chip that fails only when the message is sent.
        self.push_screen(AttachFileScreen(check=lambda path: chips.problem([str(path)])), picked)

    def action_attach_schema(self) -> None:
        from chatterm.tui.screens import AttachFileScreen

        def picked(path: str | None) -> None:
            if path:
                self.attach_schema(path)

        self.push_screen(AttachFileScreen(title="Attach a JSON Schema file"), picked)

    def attach_schema(self, path: str) -> bool:
        """Ask for replies that fit the schema in `path`; False (and a message) if unusable."""
        from chatterm.api.structured import response_format_for_schema

        try:
            response_format = response_format_for_schema(path)
        except (ChatTermError, OSError, ValueError) as error:
            self.notify(str(error), title="Schema not used", severity="error")
            return False
        self.settings = replace(self.settings, response_format=response_format)
        name = schema_label(response_format)
        self.notify(f"Replies in this chat will be JSON that fits the schema {name}", title="Schema attached")
        return True

    def action_detach_schema(self) -> None:
        settings = self.settings
        if settings.response_format is None:
            self.notify("No schema is attached to this chat.", severity="warning", timeout=3)
            return
        name = schema_label(settings.response_format)
        self.settings = replace(settings, response_format=None)
        self.notify(f"Schema {name} detached: replies are free text again", title="Schema detached")
