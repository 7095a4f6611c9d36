"""`SettledLayout`: one layout pass per change, not two.

When a layout pass gives a widget a new size, Textual sets its `virtual_size`, a
reactive that asks for another layout (and a repaint) of that widget. For a widget
that does not scroll, that second pass finds every size as the first left it: the
first pass arranged the whole tree top-down, children included, and painted every
region that moved. In the chat it came after every reply frame that added a line: the
reply's blocks, its body, its message view grew, and each asked again, so the pane
was laid out and redrawn twice (the second ~50 ms after the first, taking a key's
turn). A screen with this mixin drops those requests when the pass that caused them
ends; so does the conversation pane, whose content grew, unless a scrollbar came or
went (that changes the room left for its content). A request made before the pass
(new text, a restyle) or after it (a resize handler) is kept.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.screen import Screen

if TYPE_CHECKING:
    from textual.geometry import Size
    from textual.widget import Widget

_SCROLLING = ("auto", "scroll")


def _scrollbars(widget: Widget) -> tuple[bool, bool] | None:
    """Which scrollbars a widget that can scroll shows (None for one that cannot)."""
    styles = widget.styles
    if styles.overflow_y in _SCROLLING or styles.overflow_x in _SCROLLING:
        return widget.show_vertical_scrollbar, widget.show_horizontal_scrollbar
    return None


class SettledLayout(Screen[None]):
    def _refresh_layout(self, size: Size | None = None, scroll: bool = False) -> None:
        asked_before = {w for w in self._compositor.widgets if w._layout_required or w._repaint_required}
        bars_before = {w: _scrollbars(w) for w in self._compositor.widgets}
        super()._refresh_layout(size, scroll)
        for widget in self._compositor.widgets:
            if not widget._layout_required or widget in asked_before:
                continue
            bars = _scrollbars(widget)
            if bars is not None and bars != bars_before.get(widget):
                continue  # a scrollbar came or went: the room for its content changed
            widget._layout_required = False
            widget._repaint_required = False
