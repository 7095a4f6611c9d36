"""Tabs: several chats open at once; open, switch and close them from the keyboard.

    Alt+T                     a new chat in a new tab (after the shown one)
    Ctrl+PgDn / Alt+→         the next tab      Ctrl+PgUp / Alt+←   the previous one
    Alt+W                     close the tab (asks first while its reply is written)
    history screen, t         open the chosen chat in a new tab (Enter: in this one)

A tab is a Textual mode with its own `ChatScreen` (`chatterm/tui/tabs.py`): switching
suspends the shown screen without unmounting it, so a background reply keeps streaming
into its own pane, and the scroll position, draft and attachments stay. The app's chat
state is the shown tab's; `show_tab` moves it between the app and the tabs. Quitting
needs nothing more: every tab's reply is saved by the engine as it streams, and a
reply still running at exit is stopped and kept like one stopped with Esc.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import TYPE_CHECKING

from textual import on
from textual.worker import NoActiveWorker, WorkerCancelled, WorkerFailed, get_current_worker

from chatterm.engine.conversation import ChatSettings, Conversation
from chatterm.key_actions import ALL_KEYS, split_keys
from chatterm.tui.actions.branches import BranchActions
from chatterm.tui.keys import effective_keys, key_label
from chatterm.tui.tabs import ChatTab, TabSet, tab_title
from chatterm.tui.widgets.tab_strip import TabEntry, TabStrip

if TYPE_CHECKING:
    from chatterm.tui.screens.chat import ChatScreen


class TabActions(BranchActions):
    tabs: TabSet

    # -- what the strips show ------------------------------------------------------

    def refresh_tab_strips(self) -> None:
        """Tell every tab's strip the titles and marks (a hidden strip too: it is shown
        as it is when its tab comes back)."""
        self.tabs.active.conversation = self.conversation
        entries = [
            TabEntry(tab_title(tab.conversation), tab is self.tabs.active, tab.streaming, tab.unseen)
            for tab in self.tabs.tabs
        ]
        keys = self._tab_keys()
        for tab in self.tabs.tabs:
            if tab.screen is not None and tab.screen.is_attached:
                for strip in tab.screen.query(TabStrip):
                    strip.show_tabs(entries, keys)

    def _tab_keys(self) -> str:
        """The switch and close keys as the strip names them (remapped ones included)."""
        keymap = self._keymap
        previous, following, close = (
            split_keys(effective_keys(ALL_KEYS[name], keymap))[0] for name in ("previous_tab", "next_tab", "close_tab")
        )
        return f"{key_label(previous)}/{key_label(following)} switch · {key_label(close)} close"

    def _follow(self, tab: ChatTab, screen: ChatScreen) -> None:
        """Know the tab's screen and mark the tab when its reply ends out of sight."""
        tab.screen = screen

        def replying_changed(replying: bool) -> None:
            if not replying and tab is not self.tabs.active and tab in self.tabs.tabs:
                tab.unseen = True
            self.refresh_tab_strips()

        self.watch(screen, "replying", replying_changed, init=False)

    def settings_of(self, screen: ChatScreen) -> ChatSettings:
        """The settings of the chat `screen` shows: a background tab's own, not the
        shown tab's (a tool round of a background reply starts a new reply view)."""
        for tab in self.tabs.tabs:
            if tab.screen is screen and tab is not self.tabs.active:
                return tab.conversation.settings
        return self.settings

    async def forget_deleted_chat(self, chat_id: str) -> None:
        """A chat deleted in the history screen that a background tab shows: that tab
        starts a new chat, so its next message does not bring back a chat row whose
        earlier messages are gone (the shown tab is the app's own case)."""
        for tab in self.tabs.tabs:
            if tab is self.tabs.active or tab.conversation.id != chat_id or tab.screen is None:
                continue
            await self._stop_and_wait(tab.screen)
            tab.conversation = self.context.new_conversation()
            tab.session = None
            tab.editing = None
            await tab.screen.show_conversation(tab.conversation)
        self.refresh_tab_strips()

    async def show_asking_tab(self) -> None:
        """A tool of a background tab's reply asks for approval (called in that reply's
        worker): show that tab first, so the question comes with the chat it is about
        and its answer cannot be taken for the shown chat's."""
        try:
            node = get_current_worker().node
        except NoActiveWorker:
            return
        for number, tab in enumerate(self.tabs.tabs, start=1):
            if tab.screen is node and tab is not self.tabs.active:
                self.notify(f"Tab {number} asks before running a tool.", timeout=3)
                await self.show_tab(tab)
                return

    # -- switching -----------------------------------------------------------------

    def _can_switch(self) -> bool:
        """Tabs change only from a chat screen: a dialog (picker, history, approval)
        belongs to the tab under it and answers there."""
        from chatterm.tui.screens.chat import ChatScreen

        return isinstance(self.screen, ChatScreen)

    def _leave_active(self) -> None:
        tab = self.tabs.active
        if tab.screen is None:  # the first tab's screen is the app's default mode
            self._follow(tab, self.chat_screen)
        tab.conversation = self.conversation
        tab.session = self._session
        tab.editing = self.editing

    async def show_tab(self, tab: ChatTab) -> None:
        """Show `tab`: its chat becomes the app's (model, toggles, settings, session,
        the prompt being edited), and its screen the one on top."""
        if tab is self.tabs.active or not self._can_switch():
            return
        self._leave_active()
        self.tabs.active = tab
        tab.unseen = False
        self._session = tab.session
        self.set_reactive(BranchActions.editing, tab.editing)  # its prompt box already says so
        self.conversation = tab.conversation  # the status bars follow through `settings`
        if tab.session is None and not self.context.needs_setup:
            self.ensure_session()
        first_time = tab.screen is None
        await self.switch_mode(tab.mode)
        if first_time:
            self._follow(tab, self.chat_screen)
        else:
            self.show_branches()  # a reply that ended out of sight left its steppers unset
        self.refresh_bindings()
        self.refresh_tab_strips()

    async def open_in_new_tab(self, conversation: Conversation) -> ChatTab | None:
        """A new tab after the shown one, showing `conversation`."""
        if not self._can_switch():
            return None
        from chatterm.tui.screens.chat import ChatScreen

        tab = ChatTab(self.tabs.new_mode(), conversation)
        self.add_mode(tab.mode, ChatScreen)
        self.tabs.tabs.insert(self.tabs.index(self.tabs.active) + 1, tab)
        await self.show_tab(tab)
        return tab

    async def action_new_tab(self) -> None:
        await self.open_in_new_tab(self.context.new_conversation())

    async def action_next_tab(self) -> None:
        await self.show_tab(self.tabs.neighbour(self.tabs.active, 1))

    async def action_previous_tab(self) -> None:
        await self.show_tab(self.tabs.neighbour(self.tabs.active, -1))

    @on(TabStrip.Picked)
    async def _tab_picked(self, event: TabStrip.Picked) -> None:
        if 0 <= event.index < len(self.tabs):
            await self.show_tab(self.tabs.tabs[event.index])

    # -- closing ---------------------------------------------------------------------

    def action_close_tab(self) -> None:
        if len(self.tabs) < 2:
            self.notify("This is the only tab (Ctrl+Q quits).", timeout=3)
            return
        if not self._can_switch():
            return
        tab = self.tabs.active
        if not tab.streaming:
            self.call_later(self.close_tab, tab)
            return
        from chatterm.tui.screens import ConfirmScreen

        def answered(stop: bool | None) -> None:
            if stop and tab in self.tabs.tabs:
                self.call_later(self.close_tab, tab)

        question = "A reply is still being written in this tab. Stop it and close the tab? What it wrote is saved."
        self.push_screen(ConfirmScreen("Close tab", question, yes="Stop and close", no="Keep it"), answered)

    async def close_tab(self, tab: ChatTab) -> None:
        """Close `tab`: its reply is stopped first and its end saved (the engine keeps a
        stopped reply's text), then the tab beside it is shown and its screen removed."""
        if len(self.tabs) < 2 or tab not in self.tabs.tabs:
            return
        screen = tab.screen if tab is not self.tabs.active else self.chat_screen
        if screen is not None:
            await self._stop_and_wait(screen)
        if tab is self.tabs.active:
            index = self.tabs.index(tab)
            await self.show_tab(self.tabs.tabs[index + 1] if index + 1 < len(self.tabs) else self.tabs.tabs[index - 1])
        self.tabs.tabs.remove(tab)
        await self.remove_mode(tab.mode)
        self.refresh_tab_strips()
        self.refresh_bindings()

    async def action_quit(self) -> None:
        """Quit: every tab's reply still being written is stopped first, as Esc stops
        one, so each is saved with what it wrote and its pane is still there to say so
        (a background screen torn down mid-reply would be told of the stop too late)."""
        for tab in list(self.tabs.tabs):
            screen = tab.screen if tab is not self.tabs.active else self.chat_screen
            if screen is not None:
                await self._stop_and_wait(screen)
        self.exit()

    @staticmethod
    async def _stop_and_wait(screen: ChatScreen, bound: float = 5.0) -> None:
        """Stop the screen's reply and wait until its end is shown: the engine has kept
        the stopped reply when the worker ends, and the screen has drawn the stop when
        `replying` falls (its worker's state change follows its last message)."""
        if not screen.stop_reply():
            return
        for worker in [w for w in screen.workers if w.group == "reply" and w.node is screen]:
            with contextlib.suppress(WorkerCancelled, WorkerFailed):
                await worker.wait()
        deadline = asyncio.get_running_loop().time() + bound
        while screen.replying and asyncio.get_running_loop().time() < deadline:
            await asyncio.sleep(0.01)

    def tab_check_action(self, action: str) -> bool | None:
        """Tab keys act only on a chat screen (on another screen they are left to it, as
        the history screen's Alt+T "open in a new tab"); switching and closing only while
        several tabs are open."""
        if not self._can_switch():
            return False
        if action in ("next_tab", "previous_tab", "close_tab"):
            return len(self.tabs) > 1
        return True
