"""`PlainToasts`: every toast the app raises is plain text.

Toasts carry model names, file paths, chat titles, prompts and the provider's own words,
where a `[` must show as itself, not be read as markup (or crash the toast: "[/]").
Widgets pass `markup=True` to `App.notify` unless told otherwise, so the rule lives
here, once, instead of on every call; so does the other rule for outside text: its
control characters are shown (`terminal_text`), never sent to the terminal.
"""

from __future__ import annotations

from typing import Any

from textual.notifications import Notification, Notify, SeverityLevel

from chatterm.terminal_text import visible, visible_line

MAX_TOASTS = 3
"""Toasts on screen at once; a newer one pushes the oldest out."""


class PlainToasts:
    """Mixin for an `App` subclass: put it before `App` in the bases.

    It also keeps the stack short: a toast that repeats one still on screen (same
    words, title and severity) replaces it with a count ("Copied (×3)"), and no more
    than `MAX_TOASTS` show at once. (Where they show is the app's CSS: top right,
    over the oldest lines of the conversation, never over the prompt or status bar.)"""

    _toast_repeats: dict[str, tuple[str, int]]
    """A shown toast's identity -> (its words before the count, how many times)."""

    def _on_notify(self, event: Notify) -> None:
        """Runs before `App._on_notify`, which then adds `event.notification`."""
        app: Any = self
        repeats = getattr(self, "_toast_repeats", None)
        if repeats is None:
            repeats = self._toast_repeats = {}
        new = event.notification
        count = 1
        shown: list[Notification] = list(app._notifications)
        for old in shown:
            words, times = repeats.pop(old.identity, (old.message, 1))
            if (words, old.title, old.severity) == (new.message, new.title, new.severity):
                count += times
                app._unnotify(old, refresh=False)
        if count > 1:
            repeats[new.identity] = (new.message, count)
            new.message = f"{new.message} (×{count})"
        shown = list(app._notifications)
        for old in shown[: max(0, len(shown) - MAX_TOASTS + 1)]:
            repeats.pop(old.identity, None)
            app._unnotify(old, refresh=False)
        for identity in [i for i in repeats if i != new.identity and all(n.identity != i for n in shown)]:
            del repeats[identity]  # toasts that timed out

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
