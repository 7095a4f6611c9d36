"""`batch_update(app)`: Textual's `App.batch_update`, and the screen told when it ends.

While a batch is open the screen skips its repaint when it goes idle, and ending the
batch only wakes the app, not the screen: what was asked meanwhile (a keypress echo
in the prompt) stayed unpainted until the next message happened to reach the screen.
With four compare columns each opening a batch per frame, that was most of a
keypress's echo time (p90 ~400 ms, with the key itself handled in ~5 ms). Waking the
screen when the batch ends paints it in the next loop turn.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from textual.app import App


@contextmanager
def batch_update(app: App[Any]) -> Iterator[None]:
    """Suspend repaints for a change made in several steps; repaint right after."""
    try:
        with app.batch_update():
            yield
    finally:
        if app.is_running:
            from textual.app import ScreenStackError

            try:
                app.screen.check_idle()
            except ScreenStackError:
                pass
