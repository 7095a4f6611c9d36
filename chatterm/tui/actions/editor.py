"""The prompt in `$VISUAL` / `$EDITOR` (Alt+E, the palette's "Edit prompt in $EDITOR").

The app hands the terminal to the editor (`App.suspend()`: Textual leaves the alternate
screen and stops reading keys) and takes it back when the editor ends; the edited text
replaces the prompt box's, which may be an earlier prompt being edited (message mode's
`e`): the edit stays an edit, and Enter resends it as a new branch. The editor runs on
the event loop's thread on purpose: while the terminal is the editor's, nothing may be
drawn, so nothing else may run; for the same reason it is refused while a reply is
streaming (the reply would stall and could hit its idle deadline).

An app without a terminal to hand over: a browser (`chatterm serve`) cannot suspend, so
the key says so; a headless app (Pilot tests, scripted runs) draws nowhere, so the editor
just runs.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

from textual.app import SuspendNotSupported

from chatterm.tui.actions.host import ChatHost


class EditorActions(ChatHost):
    def action_edit_in_editor(self) -> None:
        from chatterm.tui.external_editor import EditorError, edit_text, editor_command

        screen = self.chat_screen
        if screen.replying:
            self.notify("A reply is still being written: wait for it, or press Esc to stop it.", severity="warning")
            return
        try:
            command = editor_command(os.environ)
        except EditorError as error:
            self.notify(str(error), title="Editor", severity="warning")
            return
        if command is None:
            self.notify(
                "No editor found: set $VISUAL or $EDITOR (neither vi nor nano is installed)",
                title="Editor",
                severity="warning",
            )
            return
        prompt = screen.prompt
        edited: str | None = None
        failure: EditorError | None = None
        try:
            with self._terminal_for_editor():
                try:  # nothing may leave this block by an exception: the app would not resume
                    edited = edit_text(prompt.text, command)
                except EditorError as error:
                    failure = error
        except SuspendNotSupported:
            self.notify("The editor needs a terminal; this app runs without one (in a browser?)", severity="warning")
            return
        if failure is not None or edited is None:
            self.notify(str(failure), title="Editor", severity="warning")
            prompt.focus()
            return
        prompt.load_text(edited)
        prompt.move_cursor(prompt.document.end)
        prompt.focus()

    @contextmanager
    def _terminal_for_editor(self) -> Iterator[None]:
        if self.is_headless:
            yield  # nothing is drawn: no terminal to hand over
            return
        with self.suspend():
            yield
