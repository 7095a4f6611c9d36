"""Branches: regenerate a reply, edit and resend a prompt, step between siblings.

The store keeps every regenerated reply and every edited prompt as a sibling (same
parent) of the one it replaced. Each mounted message with siblings shows a stepper
(‹ 2/3 ›); stepping on any of them makes that sibling's branch current
(`session.switch_branch`) and shows the conversation again.

Siblings are looked up for the mounted views only, after they are painted
(`show_branches`, called by the chat screen when views are mounted and when a reply
ends), so a long chat or a streaming reply never pays for it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from textual.reactive import var

from chatterm.api.errors import ChatTermError
from chatterm.tui.actions.host import ChatHost

if TYPE_CHECKING:
    from chatterm.engine.session import ChatSession
    from chatterm.tui.widgets.message import MessageView


class BranchActions(ChatHost):
    editing: var[str | None] = var(None, init=False)
    """Id of the prompt being edited (the next send resends it as a new branch); the
    prompt box's title and the footer's Esc follow it."""

    def watch_editing(self) -> None:
        self.show_editing()
        self.refresh_bindings()

    def _keeps_branches(self) -> bool:
        return self.session is not None and self.session.keeps_branches

    # -- regenerate and edit ------------------------------------------------------

    def action_regenerate(self) -> None:
        screen = self.chat_screen
        session = self.ensure_session()
        if session is None:
            return
        if screen.replying:
            self.notify("A reply is still being written.", severity="warning")
            return
        if not any(m.role == "user" for m in self.conversation.messages):
            self.notify("Nothing to regenerate yet.", severity="warning")
            return
        self.call_later(self._regenerate, session)

    async def _regenerate(self, session: ChatSession) -> None:
        await self.chat_screen.remove_after_last_prompt()
        self.chat_screen.run_reply(session.regenerate)

    def start_edit(self, view: MessageView) -> None:
        """Load a prompt into the prompt box; the next send resends it from there."""
        if self.chat_screen.replying:
            self.notify("A reply is still being written.", severity="warning")
            return
        self.editing = view.message.id
        prompt = self.chat_screen.prompt
        prompt.load_text(view.message.text)
        prompt.move_cursor(prompt.document.end)
        prompt.focus()
        self.notify("Editing: Enter resends from here (a new branch), Esc cancels", timeout=4)

    def take_edit(self) -> str | None:
        editing, self.editing = self.editing, None
        return editing

    def show_editing(self) -> None:
        """Say on the prompt box itself that the next send resends an edited prompt
        (the toast saying so is gone after a few seconds; the edit is not)."""
        try:
            prompt = self.chat_screen.prompt
        except Exception:
            return
        prompt.border_title = (
            "Editing a sent prompt · Enter resends it (a new branch) · Esc cancels" if self.editing else None
        )
        prompt.set_class(self.editing is not None, "-editing")

    async def resend_edit(self, message_id: str, text: str) -> None:
        session = self.ensure_session()
        if session is None:
            return
        await self.chat_screen.remove_from(message_id)
        self.chat_screen.run_reply(lambda: session.edit(message_id, text))

    # -- steppers --------------------------------------------------------------------

    def _sibling_ids(self, view: MessageView) -> list[str]:
        """Ids of the message's siblings of the same role, oldest first ([] if unsaved)."""
        session = self.session
        found = session.siblings(view.message.id) if session is not None else []
        return [m.id for m in found if m.role == view.message.role]

    def show_branches(self, views: Iterable[MessageView] | None = None) -> None:
        """Set the stepper of each view (default: every mounted one) from the store."""
        if not self._keeps_branches():
            return
        for view in list(views) if views is not None else self.chat_screen.pane.views():
            if not view.is_attached or view.message.state == "streaming":
                continue
            ids = self._sibling_ids(view)
            if view.message.id in ids:
                view.set_branches(ids.index(view.message.id), len(ids))
            else:
                view.set_branches(0, 1)

    async def step_branch(self, view: MessageView, step: int) -> None:
        """Show the previous (-1) or next (+1) sibling of `view`'s message and its branch."""
        session = self.ensure_session()
        if session is None or not session.keeps_branches:
            return
        if self.chat_screen.replying:
            self.notify("A reply is still being written.", severity="warning")
            return
        ids = self._sibling_ids(view)
        if view.message.id not in ids:
            return
        index = ids.index(view.message.id) + step
        if not 0 <= index < len(ids):
            return
        try:
            session.switch_branch(ids[index])
        except (ChatTermError, Exception) as error:
            self.notify(str(error), title="Cannot switch branch", severity="warning")
            return
        had_focus = view.has_focus_within or view.has_focus
        await self.chat_screen.show_conversation(self.conversation, focus=ids[index], take_focus=had_focus)
