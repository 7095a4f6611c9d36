"""What the app would write to the terminal for its whole screen, as one string.

Textual passes a control character in a widget's text straight into the bytes it
sends (an ESC included), so the terminal-safety tests read those bytes, exactly as
the driver would write them: the app's own sequences (cursor moves, SGR colours)
are there too, the injected ones must not be."""

from __future__ import annotations

from typing import Any


def screen_output(app: Any) -> str:
    update = app.screen._compositor.render_update(full=True)
    return "".join(update.render_segments(app.console))
