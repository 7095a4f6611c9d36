"""chatterm's Textual front end.

    app.py          ChatApp: state, actions, themes, first run; modal screens on demand
    screens/        one screen per module with its .tcss (chat.py is the main one)
    widgets/        one widget per module (messages, streamed Markdown, status bar...)
    commands.py     command-palette providers
    themes.py       theme files -> Textual themes

Nothing is imported here: `from chatterm.tui.app import ChatApp` pays for Textual only
when the TUI is really started.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from chatterm.context import AppContext
    from chatterm.engine.conversation import Conversation


def run_app(context: AppContext, conversation: Conversation | None = None) -> None:
    """Run the TUI until the user quits."""
    from chatterm.tui.app import ChatApp

    ChatApp(context, conversation=conversation).run()
