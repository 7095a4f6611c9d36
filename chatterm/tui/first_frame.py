"""`FirstFrameAtOnce`: a screen whose first frame reaches the terminal as soon as the
work before it is done.

Textual starts an app inside a batch (`App.batch_update`): the screen is composed,
mounted, laid out and even rendered inside it, and `App._display` drops that frame.
The frame a person sees is painted after the batch, at the next tick of the screen's
update timer (60 Hz: up to 17 ms of doing nothing), and for a chat opened with `-c`
the dropped frame had cost a full render of the messages on screen (~12 ms).

So until its first whole frame is out, the screen
- renders nothing inside a batch: it only marks itself for a whole repaint;
- paints as soon as it is idle outside one, not at the timer's next tick.
After that, Textual's own timing applies (a batch inside a reply's frame must keep its
partial updates). (Laying out only after the batch too saves nothing measurable: for
`-c` the first frame after it then showed the top of the pane, the anchored scroll to
the end needing a second pass.)
"""

from __future__ import annotations

from textual import events
from textual.screen import Screen


class FirstFrameAtOnce(Screen[None]):
    _first_frame_shown = False

    def _compositor_refresh(self) -> None:
        if not self._first_frame_shown and self.is_current:
            if self.app._batch_count:
                self._repaint_required = True  # the frame would be dropped: paint it whole after the batch
                return
            self._first_frame_shown = bool(self.outer_size)  # laid out: this frame reaches the terminal
        super()._compositor_refresh()

    async def _on_idle(self, event: events.Idle) -> None:
        waiting = self._layout_required or self._repaint_required or self._dirty_widgets
        if waiting and not self._first_frame_shown and not self.app._batch_count and self.is_current:
            event.prevent_default()
            self._on_timer_update()  # now, not at the update timer's next tick
            return
        await super()._on_idle(event)
