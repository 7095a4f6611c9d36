"""`PromptBox`: the multi-line prompt.

Enter sends (posts `PromptBox.Submitted`); Shift+Enter and Ctrl+J insert a newline
(terminals that cannot tell Shift+Enter from Enter still have Ctrl+J). Up and Down walk
through earlier prompts while the box is empty (or showing a recalled prompt), like a
shell. PageUp / PageDown scroll the conversation while the prompt fits its box (they
post `PromptBox.PageKey`), so a long reply can be read without leaving the prompt.
Sending does not clear the box: the screen clears it once the prompt is accepted. An
Alt+letter is a command (Alt+E, Alt+P), never text: a real terminal sends the letter with
it, which TextArea would type.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual import events
from textual.message import Message
from textual.widgets import TextArea

from chatterm.terminal_text import visible

EDITING_ACTIONS = ("cursor_", "delete_")
"""TextArea actions whose place among the typed letters matters (not the clipboard,
undo or selection keys)."""


class PromptBox(TextArea):
    DEFAULT_CSS = """
    PromptBox { height: auto; min-height: 3; max-height: 12; }
    """

    @dataclass
    class Submitted(Message):
        prompt_box: PromptBox
        text: str

        @property
        def control(self) -> PromptBox:
            return self.prompt_box

    @dataclass
    class PageKey(Message):
        """PageUp (-1) or PageDown (+1) while the prompt has nothing to scroll itself."""

        step: int

    def __init__(self, *, id: str | None = None, placeholder: str = "") -> None:
        super().__init__(id=id, soft_wrap=True, show_line_numbers=False, tab_behavior="focus", placeholder=placeholder)
        self.prompt_history: list[str] = []
        """Earlier prompts, oldest first."""
        self._recall: int | None = None
        """Index into `prompt_history` of the prompt being shown, while recalling."""

    def load_text(self, text: str) -> None:
        """Text put into the editor (a prompt to edit and resend, a recalled one) may come
        from history: its control characters show as stand-ins, and are sent as shown."""
        super().load_text(visible(text))

    def remember(self, text: str) -> None:
        if text.strip() and (not self.prompt_history or self.prompt_history[-1] != text):
            self.prompt_history.append(text)
        self._recall = None

    async def _on_key(self, event: events.Key) -> None:
        key = event.key
        if key.startswith("alt+"):
            # A command (Alt+E: the editor), never its letter: TextArea's handler would
            # insert it; the key still bubbles to the app's bindings.
            event.prevent_default()
            return
        if key == "enter":
            event.stop()
            event.prevent_default()
            self.post_message(self.Submitted(self, self.text))
            return
        if key in ("shift+enter", "ctrl+j"):
            event.stop()
            event.prevent_default()
            start, end = self.selection
            self._replace_via_keyboard("\n", start, end)
            return
        if key in ("pageup", "pagedown") and self.max_scroll_y == 0:
            event.stop()
            event.prevent_default()
            self.post_message(self.PageKey(-1 if key == "pageup" else 1))
            return
        if key in ("up", "down") and self._recalling():
            event.stop()
            event.prevent_default()
            self._step(-1 if key == "up" else 1)
            return
        editing = self._editing_action(key)
        if editing is not None:
            event.stop()
            event.prevent_default()
            await self.run_action(editing)
            return
        await super()._on_key(event)

    def _editing_action(self, key: str) -> str | None:
        """The TextArea binding that moves the cursor or deletes for `key`, run here as
        the key is read. Textual runs a binding only once the key has bubbled back up to
        the app, so with keys queued faster than they are read (a loaded machine, a
        browser tab) the letters typed after Backspace or an arrow were inserted before
        it acted: "abcd⌫e" left "abcd" (`tests/tui/test_prompt_burst.py`)."""
        for binding in self._bindings.key_to_bindings.get(key, ()):
            if binding.action.startswith(EDITING_ACTIONS):
                return binding.action
        return None

    def _recalling(self) -> bool:
        if not self.prompt_history:
            return False
        if not self.text:
            return True
        return self._recall is not None and self.text == visible(self.prompt_history[self._recall])

    def _step(self, direction: int) -> None:
        if self._recall is None:
            if direction > 0:
                return
            index = len(self.prompt_history) - 1
        else:
            index = self._recall + direction
        if index >= len(self.prompt_history):
            self._recall = None
            self.load_text("")
            return
        index = max(0, index)
        self._recall = index
        self.load_text(self.prompt_history[index])
        self.move_cursor(self.document.end)
