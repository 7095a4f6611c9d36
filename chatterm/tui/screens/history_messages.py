"""What the history screen's store workers post back to it.

Every store call of the history screen (a page of chats, a search, the summary a delete
question shows, rename, delete, export) runs in a worker thread, so a slow disk or a
search over a very large store never freezes the app; each posts one of these when done,
and the screen's handlers (on the loop) change the table. `generation` lets the screen
drop an answer to a question it no longer asks (a list page after a search started, a
search for a query since retyped).
"""

from __future__ import annotations

from pathlib import Path

from textual.message import Message

from chatterm.store import ChatSummary, SearchHit


class PageLoaded(Message):
    def __init__(self, generation: int, chats: list[ChatSummary]) -> None:
        super().__init__()
        self.generation = generation
        self.chats = chats


class SearchDone(Message):
    def __init__(self, generation: int, query: str, hits: list[SearchHit]) -> None:
        super().__init__()
        self.generation = generation
        self.query = query
        self.hits = hits


class DeleteAsked(Message):
    """The summary of a chat the user asked to delete, for the question."""

    def __init__(self, summary: ChatSummary) -> None:
        super().__init__()
        self.summary = summary


class ChatRenamed(Message):
    def __init__(self, chat_id: str, title: str) -> None:
        super().__init__()
        self.chat_id = chat_id
        self.title = title


class ChatRemoved(Message):
    def __init__(self, summary: ChatSummary) -> None:
        super().__init__()
        self.summary = summary


class ChatExported(Message):
    def __init__(self, path: Path) -> None:
        super().__init__()
        self.path = path


class StoreFailed(Message):
    """A store call failed: `what` is the toast's title ("Search", "Delete", ...)."""

    def __init__(self, what: str, error: str) -> None:
        super().__init__()
        self.what = what
        self.error = error
