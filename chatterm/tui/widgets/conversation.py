"""`ConversationView`: the scrolling pane of messages, with a bounded mounted window.

The conversation (and the store) is the truth; the pane mounts only the last `WINDOW`
views. Scrolling to the top mounts `PAGE` earlier ones (keeping what the user looks at
in place); while the pane follows the bottom, views far above are unmounted again, so
a 1,000-message chat costs about as much to lay out as a short one.

The pane is anchored once (`anchor()`): Textual keeps it at the bottom as content
grows until the user scrolls up, and re-anchors when they scroll back down.
"""

from __future__ import annotations


from textual.containers import VerticalScroll
from textual.widget import Widget

from chatterm.engine.conversation import Message
from chatterm.tui.widgets.message import MessageView, build_message_view, tool_outputs

WINDOW = 30
"""Message views mounted when a chat is shown."""
FIRST_PAINT = 8
"""Views mounted before the first frame; the rest of the window follows right after."""
PAGE = 20
"""Earlier views mounted each time the user reaches the top."""
MAX_MOUNTED = 60
"""While following the bottom, views above this many are unmounted."""


class ConversationView(VerticalScroll):
    DEFAULT_CSS = """
    ConversationView { height: 1fr; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._source: list[Message] = []
        """The conversation's branch (the engine's own list, never copied)."""
        self._loading_earlier = False

    def _shown(self) -> list[Message]:
        return [m for m in self._source if m.role in ("user", "assistant")]

    @property
    def hidden_before(self) -> int:
        """Messages of the branch above the mounted window."""
        views = self.views()
        if not views:
            return 0
        first = views[0].message
        return next((i for i, m in enumerate(self._shown()) if m is first), 0)

    def on_mount(self) -> None:
        self.anchor()

    async def show_messages(self, messages: list[Message]) -> None:
        """Show a branch: mount the views of its last WINDOW messages."""
        self._source = messages
        shown = self._shown()
        outputs = tool_outputs(messages)
        views = [v for m in shown[-FIRST_PAINT:] if (v := build_message_view(m, outputs)) is not None]
        with self.app.batch_update():
            await self.remove_children()
            if views:
                await self.mount_all(views)
        self.anchor()
        if len(shown) > FIRST_PAINT:
            self.call_after_refresh(self._fill_window)

    async def _fill_window(self) -> None:
        """After the first frame: mount the rest of the window above (off screen)."""
        first = self.hidden_before
        shown = self._shown()
        start = max(0, first - (WINDOW - FIRST_PAINT))
        outputs = tool_outputs(self._source)
        views = [v for m in shown[start:first] if (v := build_message_view(m, outputs)) is not None]
        if views and self.is_attached:
            await self.mount_all(views, before=0)

    async def add(self, widget: Widget) -> None:
        """Mount a view or row at the bottom, then unmount far-away views."""
        await self.mount(widget)
        await self._prune()

    async def _prune(self) -> None:
        views = self.views()
        if len(views) <= MAX_MOUNTED or not self._following():
            return
        first_kept = views[len(views) - WINDOW]
        index = self.children.index(first_kept)
        await self.remove_children(list(self.children[:index]))

    def _following(self) -> bool:
        return self._anchored and not self._anchor_released

    def watch_scroll_y(self, old: float, new: float) -> None:
        super().watch_scroll_y(old, new)
        # Only a user scroll (which releases the anchor) loads more; our own mounts do not.
        if new <= 0 < old and not self._following() and not self._loading_earlier and self.hidden_before > 0:
            self._loading_earlier = True
            self.call_later(self.load_earlier)

    async def load_earlier(self) -> None:
        """Mount the PAGE messages above the window, keeping the view where it was."""
        try:
            first = self.hidden_before
            if first == 0:
                return
            shown = self._shown()
            start = max(0, first - PAGE)
            outputs = tool_outputs(self._source)
            views = [v for m in shown[start:first] if (v := build_message_view(m, outputs)) is not None]
            if not views:
                return
            before = self.virtual_size.height
            await self.mount_all(views, before=0)

            def keep_place() -> None:
                self.scroll_to(y=self.scroll_y + self.virtual_size.height - before, animate=False, immediate=True)

            self.call_after_refresh(keep_place)
        finally:
            self._loading_earlier = False

    def views(self) -> list[MessageView]:
        return [c for c in self.children if isinstance(c, MessageView)]
