"""`ChatTab` and `TabSet`: several chats open at once, one shown.

Each tab is a Textual mode holding its own `ChatScreen` (pane, prompt, status bar and
`reply` worker). A tab that is not shown keeps its screen mounted, only suspended, so
its worker keeps streaming and its scroll position, prompt draft and attachments stay
as they were. The app's chat state (`conversation`, `settings`, the session, the
prompt being edited) is the shown tab's: `TabActions` stores it into the tab it leaves
and loads it from the tab it shows, so the rest of the app keeps reading one chat.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from chatterm.engine.conversation import Conversation

if TYPE_CHECKING:
    from chatterm.engine.session import ChatSession
    from chatterm.tui.screens.chat import ChatScreen

FIRST_MODE = "chat"
"""The first tab is the app's default mode (`ChatApp.MODES`)."""


@dataclass(eq=False)
class ChatTab:
    mode: str
    """The Textual mode whose screen stack holds this tab's `ChatScreen`."""
    conversation: Conversation
    """The tab's chat (its settings hold its model and toggles); while the tab is
    shown, the app's `conversation` is the one read and this is brought up to date
    when the tab is left."""
    session: ChatSession | None = None
    editing: str | None = None
    """The id of the prompt being edited in this tab (the app's `editing` while shown)."""
    screen: ChatScreen | None = None
    """Known once the tab's screen was made (the first tab's: when a second opens)."""
    unseen: bool = False
    """A reply finished while the tab was in the background (the strip marks it)."""

    @property
    def streaming(self) -> bool:
        return self.screen is not None and self.screen.replying


@dataclass
class TabSet:
    tabs: list[ChatTab]
    active: ChatTab
    _made: int = field(default=1)

    @classmethod
    def first(cls, conversation: Conversation) -> TabSet:
        tab = ChatTab(FIRST_MODE, conversation)
        return cls([tab], tab)

    def new_mode(self) -> str:
        """A mode name never used before (a closed tab's name is not reused: Textual may
        still be pruning its screen)."""
        self._made += 1
        return f"tab-{self._made}"

    def index(self, tab: ChatTab) -> int:
        return self.tabs.index(tab)

    def neighbour(self, tab: ChatTab, step: int) -> ChatTab:
        """The tab `step` places away, wrapping around."""
        return self.tabs[(self.index(tab) + step) % len(self.tabs)]

    def holding(self, chat_id: str) -> ChatTab | None:
        """The open tab showing the chat `chat_id`, if any."""
        return next((t for t in self.tabs if t.conversation.id == chat_id), None)

    def __len__(self) -> int:
        return len(self.tabs)


def tab_title(conversation: Conversation, limit: int = 24) -> str:
    """A tab's label: the chat's title (or "New chat"), cut to `limit` characters."""
    title = " ".join((conversation.title or "New chat").split())
    return title if len(title) <= limit else title[: limit - 1] + "…"
