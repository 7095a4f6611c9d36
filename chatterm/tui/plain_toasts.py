"""`PlainToasts`: every toast the app raises is plain text.

Toasts carry model names, file paths, chat titles, prompts and the provider's own words,
where a `[` must show as itself, not be read as markup (or crash the toast: "[/]").
Widgets pass `markup=True` to `App.notify` unless told otherwise, so the rule lives
here, once, instead of on every call; so does the other rule for outside text: its
control characters are shown (`terminal_text`), never sent to the terminal.
"""

from __future__ import annotations

from textual.notifications import SeverityLevel

from chatterm.terminal_text import visible, visible_line


class PlainToasts:
    """Mixin for an `App` subclass: put it before `App` in the bases."""

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        super().notify(  # type: ignore[misc]
            visible(message), title=visible_line(title), severity=severity, timeout=timeout, markup=False
        )

    def action_help_quit(self) -> None:
        """Ctrl+C's hint, worded without markup (Textual's own says `[b]ctrl+q[/b]`,
        which a plain toast would show as written)."""
        bindings = self.active_bindings  # type: ignore[attr-defined]
        for key, active in bindings.items():
            if active.binding.action in ("quit", "app.quit"):
                self.notify(f"Press {active.binding.key_display or key} to quit", title="Do you want to quit?")
                return
