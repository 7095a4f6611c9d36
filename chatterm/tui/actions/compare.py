"""Compare mode: the next prompts go to 2-4 models at once, each reply in a column.

Chosen in the model picker (Space marks models, Enter with two or more marked starts
it); a bar above the prompt says it is on. A prompt sent in compare mode runs the
engine's `Comparison` in the chat screen's `reply` worker (so Esc stops the whole turn
as it stops one reply, and the footer's Stop shows), which posts `CompareUpdate`,
`CompareDeltas` and `CompareEnded` to the app; the handlers here hand them to the
turn's `CompareView`. The compare keys (`key_actions.py`: next column, stop the
selected column, pick it) act on the last compare view of the pane. Picking shows the
chat again on the picked branch (the branch stepper reaches the others), makes the
picked model the chat's model and leaves compare mode; a prompt sent without picking
continues from the first reply that can be sent, and is compared again.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from functools import partial
from typing import TYPE_CHECKING, cast
from weakref import WeakKeyDictionary

from textual.widgets import Static

from chatterm.api.errors import ChatTermError
from chatterm.api.types import ReasoningDelta, TextDelta
from chatterm.engine.events import ReplyStarted, UserMessageAdded
from chatterm.terminal_text import visible_line
from chatterm.tui.actions.host import ChatHost
from chatterm.tui.screens.delta_pacer import DeltaPacer
from chatterm.tui.screens.reply_messages import DeltaBatch

if TYPE_CHECKING:
    from chatterm.engine.compare import Comparison
    from chatterm.engine.session import ChatSession
    from chatterm.key_actions import KeyAction
    from chatterm.tui.screens.chat import ChatScreen
    from chatterm.tui.widgets.compare_view import CompareDeltas, CompareEnded, CompareUpdate, CompareView


class CompareBar(Static):
    """Above the prompt while compare mode is on: which models, and the keys."""

    DEFAULT_CSS = """
    CompareBar { height: auto; padding: 0 1; background: $accent 20%; color: $text; }
    """


class CompareActions(ChatHost):
    def _compare_modes(self) -> WeakKeyDictionary[ChatScreen, list[str]]:
        """Compare mode per chat screen (tab), made on first use."""
        modes: WeakKeyDictionary[ChatScreen, list[str]] | None = getattr(self, "_compare_mode_table", None)
        if modes is None:
            modes = WeakKeyDictionary()
            self._compare_mode_table: WeakKeyDictionary[ChatScreen, list[str]] = modes
        return modes

    @property
    def compare_models(self) -> list[str] | None:
        """The models the shown tab's next prompt goes to (None: compare mode is off
        there). Each tab (chat screen) has its own."""
        try:
            return self._compare_modes().get(self.chat_screen)
        except RuntimeError:
            return None

    @compare_models.setter
    def compare_models(self, models: list[str] | None) -> None:
        modes = self._compare_modes()
        if models:
            modes[self.chat_screen] = models
        else:
            modes.pop(self.chat_screen, None)

    def start_compare_mode(self, models: Sequence[str]) -> None:
        from chatterm.engine.compare import CompareError, check_models

        try:
            self.compare_models = check_models(models)
        except CompareError as error:
            self.notify(str(error), title="Compare", severity="warning")
            return
        self._show_compare_bar()
        names = ", ".join(visible_line(m) for m in self.compare_models)
        self.notify(f"Compare mode: the next prompt goes to {names}", timeout=3)

    def action_compare_set(self, entry: str) -> None:
        """A saved `[compare] sets` entry ("gpt-4o,claude-...") from the palette."""
        self.start_compare_mode(entry.split(","))

    def leave_compare_mode(self) -> None:
        self.compare_models = None
        for bar in self.chat_screen.query(CompareBar):
            bar.remove()

    def _show_compare_bar(self) -> None:
        from chatterm.tui.keys import effective_keys, keys_label
        from chatterm.tui.widgets.compare_view import NUMBERS

        keymap = self._keymap
        view = self.compare_view()
        if view is not None and not (view.ended and view.comparison.models != self.compare_models):
            # The turn on screen: each column's state, the selected one marked (its header
            # may have scrolled away under a long reply).
            models = "  ".join(
                f"{'▸' if c.lane == view.selected else ' '}{NUMBERS[c.lane]} {visible_line(c.model)} {c.state_words()}"
                for c in view.columns
            )
        else:
            models = " · ".join(visible_line(m) for m in self.compare_models or [])
        keys = " · ".join(
            f"{keys_label(effective_keys(action, keymap))} {action.label.lower()}" for action in _compare_keys()
        )
        text = f"COMPARE {models} · {keys} · Ctrl+L one model to leave"
        screen = self.chat_screen
        bars = list(screen.query(CompareBar))
        if not self.compare_models and view is None:
            return
        if bars:
            bars[0].update(text)
        else:
            screen.mount(CompareBar(text, markup=False), before=screen.prompt)

    def compare_view(self) -> CompareView | None:
        """The last compare turn on screen (the one the keys act on). Found by its CSS
        type name: this runs on every footer refresh, and the compare widgets (with the
        message views they hold) load when a comparison first runs, not at start-up."""
        try:
            views = list(self.chat_screen.pane.query("CompareView"))
        except Exception:
            return None
        return cast("CompareView", views[-1]) if views else None

    # -- sending --------------------------------------------------------------------------

    def run_compare(self, prompt: str, files: list[str]) -> None:
        """Send `prompt` to every model of compare mode (called by the chat screen)."""
        session = self.ensure_session()
        if session is None or not self.compare_models:
            return
        from chatterm.engine.compare import Comparison
        from chatterm.tui.widgets.compare_view import CompareView

        comparison = Comparison(session, self.compare_models)
        view = CompareView(comparison, response_format=self.settings.response_format)
        view.prompt_text = prompt
        screen = self.chat_screen
        view.host_screen = screen  # the tab it was sent from, shown or not when events arrive
        screen.pane.anchor()
        screen.run_worker(
            self._compare_worker(session, comparison, view, prompt, files),
            group="reply",
            exclusive=True,
            exit_on_error=False,
        )
        screen.replying = True

    async def _compare_worker(
        self, session: ChatSession, comparison: Comparison, view: CompareView, prompt: str, files: list[str]
    ) -> None:
        """Iterate the comparison and post what it yields (touches no widget)."""
        from chatterm.engine.compare import LaneEvent
        from chatterm.tui.widgets.compare_view import CompareDeltas, CompareEnded, CompareUpdate

        batches = [DeltaBatch() for _ in comparison.models]
        pacers = [DeltaPacer() for _ in comparison.models]

        def flush_all() -> None:
            for pacer in pacers:
                pacer.flush()

        try:
            async for item in comparison.send(prompt, files):
                if isinstance(item, LaneEvent) and isinstance(item.event, TextDelta | ReasoningDelta):
                    batch = batches[item.lane]
                    (batch.text if isinstance(item.event, TextDelta) else batch.reasoning).append(item.event.text)
                    if not batch.posted:
                        batch.posted = True
                        pacers[item.lane].post(partial(self.post_message, CompareDeltas(view, item.lane, batch)))
                    continue
                if isinstance(item, LaneEvent):
                    pacers[item.lane].flush()
                    batches[item.lane] = DeltaBatch()  # what came before is posted in order
                else:
                    flush_all()
                self.post_message(CompareUpdate(view, item))
        except asyncio.CancelledError:
            flush_all()
            self.post_message(CompareEnded(view, stopped=True))
            raise
        except ChatTermError as error:
            flush_all()
            self.post_message(CompareEnded(view, error=error))
            return
        except Exception as error:
            flush_all()
            self.post_message(CompareEnded(view, error=ChatTermError(f"Unexpected error: {error}")))
            return
        flush_all()
        self.post_message(CompareEnded(view))

    # The handlers go by name (Textual's `on_<message>`): `@on(CompareUpdate)` would load
    # the compare widgets with the app.
    async def on_compare_update(self, message: CompareUpdate) -> None:
        from chatterm.engine.compare import LaneEnded, LaneEvent

        if isinstance(message.item, UserMessageAdded):
            from chatterm.tui.widgets.message import UserMessageView
            from chatterm.tui.widgets.welcome import Welcome

            screen = message.view.host_screen or self.chat_screen
            pane = screen.pane
            for welcome in pane.query(Welcome):
                await welcome.remove()
            await pane.add(UserMessageView(message.item.message))
            await pane.add(message.view)
            if screen is self.chat_screen:
                self._show_compare_bar()
            return
        if message.view.is_attached:
            await message.view.apply(message.item)
            if message.view.screen is self.chat_screen and (
                isinstance(message.item, LaneEnded)
                or (isinstance(message.item, LaneEvent) and isinstance(message.item.event, ReplyStarted))
            ):
                self._show_compare_bar()

    async def on_compare_deltas(self, message: CompareDeltas) -> None:
        if message.view.is_attached:
            await message.view.feed(message.lane, message.batch)
        else:
            message.batch.posted = False

    async def on_compare_ended(self, message: CompareEnded) -> None:
        from chatterm.tui.screens.approval import ToolApprovalScreen
        from chatterm.tui.widgets.error_row import ErrorRow

        view, comparison = message.view, message.view.comparison
        screen = view.host_screen or self.chat_screen
        shown = screen is self.chat_screen
        while shown and self.screen is not screen and isinstance(self.screen, ToolApprovalScreen):
            self.pop_screen()  # a question nobody waits for now
        if view.is_attached:
            await view.end()
        if message.error is not None:
            await screen.pane.add(ErrorRow(message.error))
        prompt = comparison.prompt
        if (message.error is not None and prompt is None) or (prompt is not None and prompt.state == "failed"):
            screen._restore_prompt(view.prompt_text)  # refused, or every model failed
        screen.reply = comparison.session.last_reply
        if shown and comparison.session is self.session:
            self.settings = self.conversation.settings  # the default branch's model, if it changed
            self._show_compare_bar()

    # -- the compare keys -----------------------------------------------------------------

    def action_compare_column(self) -> None:
        view = self.compare_view()
        if view is not None:
            view.select(view.selected + 1)
            self._show_compare_bar()

    def action_compare_stop(self) -> None:
        view = self.compare_view()
        if view is None:
            return
        if not view.comparison.stop(view.selected):
            self.notify("That reply is not being written.", timeout=2)

    async def action_compare_pick(self) -> None:
        view = self.compare_view()
        if view is None:
            return
        comparison = view.comparison
        if comparison.running:
            self.notify(
                "The replies are still being written: wait, or stop them first.", title="Not picked", severity="warning"
            )
            return
        if comparison.session is not self.session:
            self.notify("That comparison belongs to another chat.", severity="warning")
            return
        try:
            comparison.pick(view.selected)
        except ChatTermError as error:
            self.notify(str(error), title="Not picked", severity="warning")
            return
        self.leave_compare_mode()
        self.settings = self.conversation.settings
        await self.chat_screen.show_conversation(self.conversation)
        self.refresh_bindings()  # the compare keys leave the footer with the columns
        self.notify(f"Continuing with {visible_line(comparison.models[view.selected])}", timeout=2)

    def compare_keys_apply(self) -> bool:
        """The compare keys are offered (footer, F1) while a compare turn is on screen."""
        return self.compare_view() is not None


def _compare_keys() -> list[KeyAction]:
    from chatterm.key_actions import APP_KEYS

    return [a for a in APP_KEYS if a.name.startswith("compare_")]
