"""`ChatHost`: the part of the chat app the action groups build on, typed.

The action groups (copy, branches, attachments, setup) are bases of `ChatApp`, and each
uses the app's chat state. Rather than annotating `self` as the `ChatApp` they are
bases of (which a type checker rightly refuses), they subclass this host: it declares
the state the app holds and the few methods of the app they call, and `ChatApp`
implements them, so both sides are checked against one contract.
"""

from __future__ import annotations

from abc import abstractmethod
from typing import TYPE_CHECKING

from textual.app import App
from textual.reactive import var

from chatterm.engine.conversation import ChatSettings, Conversation
from chatterm.tui.plain_toasts import PlainToasts

if TYPE_CHECKING:
    from chatterm.context import AppContext
    from chatterm.engine.session import ChatSession
    from chatterm.tui.screens.chat import ChatScreen


class ChatHost(PlainToasts, App[None]):
    context: AppContext
    conversation: var[Conversation] = var(Conversation, always_update=True, init=False)
    """The chat shown; assigning one makes its settings the shown `settings`."""
    settings: var[ChatSettings] = var(ChatSettings, always_update=True, init=False)
    """The shown chat's settings (model, toggles, schema), which the next request uses.
    Change them by assigning new ones (`dataclasses.replace`): the chat screen's status
    bar watches this, so what it shows follows by itself."""
    _session: ChatSession | None
    """The engine session for `conversation`, built on first use."""

    @property
    @abstractmethod
    def session(self) -> ChatSession | None:
        """The engine session, or None until it is built."""

    @property
    @abstractmethod
    def chat_screen(self) -> ChatScreen:
        """The chat screen (the default one, under any modal)."""

    @abstractmethod
    def ensure_session(self) -> ChatSession | None:
        """The session, built now if needed; None (and a message) when it cannot be."""

    def watch_conversation(self, conversation: Conversation) -> None:
        self.settings = conversation.settings

    def watch_settings(self, settings: ChatSettings) -> None:
        self.conversation.settings = settings  # where the engine and the store read them

    @abstractmethod
    def _warm_up(self) -> None:
        """After the first frame (or setup): build the session and the renderers."""
