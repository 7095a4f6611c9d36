"""`KeyFooter`: Textual's footer, rebuilt only when the keys it shows change.

Textual's `Footer` removes and mounts all its keys (~12 ms for the chat screen's
fifteen) after every `bindings_updated` signal, whether or not anything it shows
changed, and styles each new key twice (compact, then not). Start-up sends three
signals (the prompt taking the focus, the keymap, the footer's own keys mounting), so
the first frame waited for three identical rebuilds; a reply's start and end and every
focus move in message mode send more. Here the signals of one refresh share one check,
and the footer is rebuilt only when the keys it would show (key, label, action,
enabled, tooltip, group; the palette's key) differ from the ones it shows. Its keys
also come with its first compose, not with the first signal after the first layout
(which cost a rebuild and a layout pass of their own before the first frame).
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import TYPE_CHECKING

from textual.widgets import Footer
from textual.widgets._footer import FooterKey

if TYPE_CHECKING:
    from textual.app import ComposeResult
    from textual.screen import Screen


class KeyFooter(Footer):
    def __init__(self, *, compact: bool = False, show_command_palette: bool = True) -> None:
        super().__init__(compact=compact, show_command_palette=show_command_palette)
        self._shown: tuple[Hashable, ...] | None = None
        """The keys the last compose showed (None: none yet)."""
        self._check_pending = False

    def _keys_to_show(self) -> tuple[Hashable, ...]:
        keys = [
            (binding.key, binding.key_display, binding.description, binding.action, enabled, tooltip, binding.group)
            for _node, binding, enabled, tooltip in self.screen.active_bindings.values()
            if binding.show
        ]
        return (*keys, self.show_command_palette)

    def compose(self) -> ComposeResult:
        if not self._bindings_ready and self.screen.is_attached:
            # Textual's footer shows no key until the first bindings signal, which comes
            # after the first layout: the keys then took a layout pass of their own
            # before the first frame. The screen's keys are known now; a signal that
            # changes them rebuilds the footer as before.
            self.set_reactive(Footer._bindings_ready, True)
        self._shown = self._keys_to_show() if self._bindings_ready else None
        for widget in super().compose():
            if isinstance(widget, FooterKey) and "compact" in (widget._reactive_connect or {}):
                # A key bound to the footer's `compact` starts compact (its own default)
                # and is restyled once the footer's value reaches it; starting with that
                # value saves a restyle of every key (~0.5 ms each). (The palette's key
                # is not bound: it stays compact.)
                widget.set_reactive(FooterKey.compact, self.compact)
            yield widget

    def bindings_changed(self, screen: Screen[object]) -> None:
        self._bindings_ready = True
        if not screen.app.app_focus:
            return
        if self.is_attached and screen is self.screen and not self._check_pending:
            self._check_pending = True
            self.call_after_refresh(self._rebuild_if_changed)

    async def _rebuild_if_changed(self) -> None:
        self._check_pending = False
        if self.is_attached and self._keys_to_show() != self._shown:
            await self.recompose()
