"""Getting connected: the first-run dialog, and a history file that cannot be used.

no key or base URL     FirstRunScreen: save a gateway and key (config 0600) or the demo;
                       "Set up gateway…" (palette) opens it again at any time
after the first frame  one short GET /models: reachable, key refused or unreachable,
                       on the welcome panel (a toast when it failed)
damaged history file   ConfirmScreen: start a fresh one (the damaged file is kept,
                       renamed) or go on without history; a newer file, or another
                       application's SQLite file, is only reported
"""

from __future__ import annotations

from chatterm.api.errors import ChatTermError
from chatterm.tui.actions.host import ChatHost


class SetupActions(ChatHost):
    def _first_run(self) -> None:
        from chatterm.keys import keyring_problem
        from chatterm.tui.screens import FirstRunScreen

        self.push_screen(FirstRunScreen(keyring_problem=keyring_problem()), self._setup_done)

    def action_setup_gateway(self) -> None:
        """Set up the gateway again from the app (palette: "Set up gateway…"): the same
        dialog as the first run, the current URL filled in; Esc keeps what there is."""
        from chatterm.tui.screens import FirstRunScreen

        async def done(result: tuple[str, str | None, str | None] | None) -> None:
            if result is not None:
                await self._setup_done(result)

        from chatterm.keys import keyring_problem

        url = "" if self.context.demo is not None else self.context.connection.base_url or ""
        self.push_screen(FirstRunScreen(url, first_run=False, keyring_problem=keyring_problem()), done)

    def check_gateway(self, *, after_setup: bool = False) -> None:
        """After the first frame (never delaying it): ask the gateway for its model list
        with a short timeout and say what happened, on the welcome panel and, when it
        failed, in a toast that says how to set it up again."""
        if self.context.demo is not None or self.context.needs_setup:
            if after_setup:
                self.notify("Ready: type a message and press Enter.", title="Demo gateway")
            return
        self.run_worker(self._gateway_check(after_setup), group="gateway-check", exclusive=True, exit_on_error=False)

    async def _gateway_check(self, after_setup: bool) -> None:
        from chatterm.tui.widgets.welcome import Welcome

        check = await self.context.check_gateway()
        for welcome in self.chat_screen.query(Welcome):
            welcome.set_status(f"gateway {check}")
        if not check.ok:
            self.notify(
                f"{check.detail}\nSet it up again: command palette → Set up gateway…",
                title=f"Gateway {check.outcome}",
                severity="error",
                timeout=12,
            )
        elif after_setup:
            self.notify(f"The gateway answered ({check.detail}). Type a message and press Enter.", title="Connected")

    async def _setup_done(self, result: tuple[str, str | None, str | None] | None) -> None:
        if result is None:
            self.exit()
            return
        from chatterm.keys import KeySourceError

        kind, base_url, api_key = result
        where = None
        try:
            if kind == "demo":
                await self.context.start_demo()
            else:
                where = await self.context.apply_setup(base_url or "", api_key or "", in_keyring=kind == "keyring")
        except (ChatTermError, OSError, KeySourceError) as error:
            self.notify(str(error), title="Setup failed", severity="error")
            self.call_after_refresh(self._first_run)
            return
        if where is not None:
            self.notify(f"The key is in {where}.", title="Key saved", timeout=10)
        self._session = None
        if not self.conversation.messages:  # start on the gateway's defaults (the demo's model)
            self.conversation = self.context.new_conversation()
            await self.chat_screen.show_conversation(self.conversation)
        self._warm_up()
        self.check_gateway(after_setup=True)

    def _offer_fresh_store(self) -> None:
        """A damaged history file: say which, and offer a fresh one (the damaged file
        is kept beside it, renamed). A file from a newer chatterm is only reported."""
        from chatterm.store import DamagedStoreError
        from chatterm.store.errors import ForeignStoreError

        error = self.context.store_error
        if not isinstance(error, DamagedStoreError) or isinstance(error, ForeignStoreError):
            self.notify(str(error), title="History is off", severity="warning", timeout=10)
            return
        from chatterm.tui.screens import ConfirmScreen

        def answered(fresh: bool | None) -> None:
            if not fresh:
                self.notify("This chat will not be saved.", title="History is off", severity="warning")
                return
            try:
                store = self.context.start_fresh_store()
            except Exception as failure:
                self.notify(str(failure), title="History is off", severity="error")
                return
            if self._session is not None:
                self._session.use_recorder(store)
            self.notify("Started a fresh history; the damaged file was kept.", title="History")

        question = (
            f"{error}\n\nStart a fresh history? The damaged file is kept beside it, renamed; nothing is overwritten."
        )
        screen = ConfirmScreen("History file damaged", question, yes="Start fresh", no="Keep history off")
        self.push_screen(screen, answered)
