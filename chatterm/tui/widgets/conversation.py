"""`ConversationView`: the scrolling pane of messages, with a bounded mounted window.

The conversation (and the store) is the truth; the pane mounts only the last `WINDOW`
views. Scrolling to the top mounts `PAGE` earlier ones (keeping what the user looks at
in place); while the pane follows the bottom, views far above are unmounted again, so
a 1,000-message chat costs about as much to lay out as a short one.

The pane is anchored once (`anchor()`): Textual keeps it at the bottom as content
grows until the user scrolls up, and re-anchors when they scroll back down.

Views mounted from the conversation (a chat shown, the window filled, earlier ones
loaded) are announced with `ViewsMounted`, so the screen can look up their branch
siblings for those views only, once they are on screen.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

from textual.containers import VerticalScroll
from textual.message import Message as TextualMessage
from textual.widget import Widget

from chatterm.engine.conversation import Message
from chatterm.tui.widgets.screen_batch import batch_update

if TYPE_CHECKING:
    from chatterm.tui.widgets.message import MessageView

# The message views are imported where they are built or looked for: a new chat's
# first frame has none, and their module (with every widget a reply holds) loads after it.

WINDOW = 30
"""Message views mounted when a chat is shown."""
FIRST_PAINT = 8
"""At most this many views are mounted before the first frame (fewer when the last
messages fill the pane on their own, `_screenful`); the rest of the window follows
right after."""
PAGE = 20
"""Earlier views mounted each time the user reaches the top."""
MAX_REACH = 400
"""At most this many views are mounted to reach a message far up (a search hit)."""
MAX_MOUNTED = 60
"""While following the bottom, views above this many are unmounted."""


class ConversationView(VerticalScroll):
    DEFAULT_CSS = """
    ConversationView { height: 1fr; }
    """

    class ViewsMounted(TextualMessage):
        """Message views built from the conversation were just mounted."""

        def __init__(self, views: list[MessageView]) -> None:
            super().__init__()
            self.views = views

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._source: list[Message] = []
        """The conversation's branch (the engine's own list, never copied)."""
        self._response_format: dict[str, Any] | None = None
        """The chat's structured-output format (loaded JSON replies show pretty)."""
        self._loading_earlier = False

    def _build(self, messages: list[Message], source: list[Message]) -> list[MessageView]:
        if not messages:
            return []
        from chatterm.tui.widgets.message import build_message_view, tool_outputs

        outputs = tool_outputs(source)
        return [v for m in messages if (v := build_message_view(m, outputs, self._response_format)) is not None]

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

    async def show_messages(
        self,
        messages: list[Message],
        *,
        response_format: dict[str, Any] | None = None,
        eager: bool = False,
        reach: str | None = None,
    ) -> None:
        """Show a branch: mount the views of its last WINDOW messages (FIRST_PAINT of
        them before the next frame, unless `eager`: all at once, to focus one).
        `reach`: a message id that must be mounted too (a search hit further up: the
        window then runs from it to the end, up to MAX_REACH views)."""
        self._source = messages
        self._response_format = response_format
        shown = self._shown()
        first = WINDOW if eager else self._screenful(shown)
        if reach is not None:
            at = next((i for i, m in enumerate(shown) if m.id == reach), None)
            if at is not None:
                first = max(first, min(len(shown) - at, MAX_REACH))
        views = self._build(shown[-first:], messages)
        with batch_update(self.app):
            await self.remove_children()
            if views:
                await self.mount_all(views)
        self.anchor()
        self.post_message(self.ViewsMounted(views))
        if not eager and len(shown) > first:
            self.call_after_refresh(self._fill_window)

    def _screenful(self, shown: list[Message]) -> int:
        """How many of the last messages it takes to fill the pane, by a cheap count of
        their lines (at most FIRST_PAINT, at least 2): a chat of long replies paints its
        last one or two first instead of rendering eight replies' Markdown before anything
        shows. An estimate that falls short only leaves the top blank until the window
        is filled, right after the first frame."""
        width = max(20, (self.size.width or self.app.size.width) - 6)
        height = self.size.height or self.app.size.height
        rows = 0
        for count, message in enumerate(reversed(shown[-FIRST_PAINT:]), 1):
            rows += 3 + sum(1 + len(line) // width for line in message.text.split("\n"))
            if rows >= height and count >= 2:
                return count
        return FIRST_PAINT

    async def _fill_window(self) -> None:
        """After the first frame: mount the rest of the window above (off screen)."""
        if self.app._batch_count:
            # That "refresh" painted nothing: Textual holds a batch while the app starts,
            # and a frame composed inside one is dropped yet counted as painted. Filling
            # now would put the window's layout before the first frame a chat opened with
            # `-c` shows; paint the screen first.
            self.call_after_refresh(self._repaint_then_fill)
            return
        first = self.hidden_before
        shown = self._shown()
        start = max(0, first - (WINDOW - len(self.views())))
        views = self._build(shown[start:first], self._source)
        if views and self.is_attached:
            await self.mount_all(views, before=0)
            self.post_message(self.ViewsMounted(views))

    def _repaint_then_fill(self) -> None:
        if self.app._batch_count:
            self.call_after_refresh(self._repaint_then_fill)
            return
        self.screen.refresh()
        self.call_after_refresh(self._fill_window)

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
            views = self._build(shown[start:first], self._source)
            if not views:
                return
            before = self.virtual_size.height
            await self.mount_all(views, before=0)
            self.post_message(self.ViewsMounted(views))

            def keep_place() -> None:
                self.scroll_to(y=self.scroll_y + self.virtual_size.height - before, animate=False, immediate=True)

            self.call_after_refresh(keep_place)
        finally:
            self._loading_earlier = False

    def views(self) -> list[MessageView]:
        module = sys.modules.get("chatterm.tui.widgets.message")
        if module is None:  # asked by the footer's key checks before any view was built
            return []
        view_type: type[MessageView] = module.MessageView
        return [c for c in self.children if isinstance(c, view_type)]
