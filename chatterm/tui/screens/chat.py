"""`ChatScreen`: the conversation pane, the prompt and the status bar.

    ConversationView   (anchored; a bounded window of MessageViews)
    AttachmentChips    files for the next prompt
    PromptBox #prompt  Enter sends
    StatusBar          model · Thinking/Search/Stream · schema · last reply's figures
    Footer

One reply at a time runs in the `reply` worker: it iterates the engine
(`session.send/regenerate/edit`) and posts what it gets; it touches no widget. Text
and reasoning deltas are gathered in a `DeltaBatch` (one message per batch, not per
token, and at most one per frame: `DeltaPacer`); every other engine event is posted as an `EngineMessage` (reply_messages.py). The handlers own the
widgets and dispatch with `match`. Esc cancels the worker: the engine marks the reply
stopped and keeps its text, and the view shows it so.

Branch steppers are filled in after views are painted (`ConversationView.ViewsMounted`)
and when a reply ends, for the mounted views only; never per token.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from functools import partial
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.reactive import var
from textual.widget import Widget
from textual.widgets import Input, Static, TextArea
from textual.worker import Worker

from chatterm.api.errors import ChatTermError
from chatterm.api.types import (
    CitationsUpdate,
    Notice,
    ReasoningDelta,
    TextDelta,
    ToolCallDelta,
    UsageUpdate,
)
from chatterm.engine.conversation import Conversation, Message
from chatterm.engine.events import (
    EngineEvent,
    ImageAdded,
    ReplyFailed,
    ReplyFinished,
    ReplyStarted,
    ToolCallStatus,
    ToolLoopStopped,
    UserMessageAdded,
)
from chatterm.engine.finish_reasons import CONTINUE_PROMPT
from chatterm.engine.reply_figures import chat_totals
from chatterm.key_actions import MESSAGE_KEYS
from chatterm.tui.first_frame import FirstFrameAtOnce
from chatterm.tui.key_first_paint import KeyFirstPaint
from chatterm.tui.keys import effective_keys, keys_label
from chatterm.tui.screens.delta_pacer import DeltaPacer
from chatterm.tui.screens.reply_messages import (
    DeltaBatch,
    DeltasReady,
    EngineMessage,
    ReplyEnded,
    at_paths,
    missing_at_paths,
)
from chatterm.tui.settled_layout import SettledLayout
from chatterm.tui.widgets.attachments import AttachmentChips
from chatterm.tui.widgets.conversation import ConversationView
from chatterm.tui.widgets.error_row import ErrorRow, NoticeRow
from chatterm.tui.widgets.key_footer import KeyFooter
from chatterm.tui.widgets.prompt import PromptBox
from chatterm.tui.widgets.status_bar import StatusBar
from chatterm.tui.widgets.tab_strip import TabStrip
from chatterm.tui.widgets.welcome import Welcome

if TYPE_CHECKING:
    from chatterm.tui.app import ChatApp
    from chatterm.tui.widgets.message import AssistantMessageView, MessageView

# The message views (`tui/widgets/message.py`, with every widget a reply holds) are
# imported where they are used: a new chat's first frame shows none (~10 ms of imports
# later, in `ChatApp._warm_up`).

EventSource = Callable[[], AsyncIterator[EngineEvent]]


# First frame at once, keys echoed first, one layout per change.
class ChatScreen(FirstFrameAtOnce, KeyFirstPaint, SettledLayout):
    CSS_PATH = "chat.tcss"
    AUTO_FOCUS = "#prompt"
    BINDINGS = [
        Binding("escape", "app.stop", "Stop", show=True),
        # The same key, offered (and named in the footer) only while a prompt is edited.
        Binding("escape", "app.cancel_edit", "Cancel edit", show=True),
        # And on an empty prompt with nothing to stop or cancel: into message mode.
        Binding("escape", "enter_message_mode", "Messages", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.current_view: AssistantMessageView | None = None
        """The reply being written."""
        self._views: dict[int, AssistantMessageView] = {}
        self._tool_rows: dict[str, Any] = {}
        self._pending_prompt = ""
        self.shown_conversation: Conversation | None = None
        """The chat this screen shows (the status bar's sums are its own, not the shown tab's)."""

    reply: var[Message | None] = var(None, always_update=True, init=False)
    """The reply whose figures the status bar shows: the last finished one, or the one
    being written ("writing…"); assigned again when its state changes."""
    navigating: var[bool] = var(False, init=False)
    """Message mode: a message (or a row inside one) has the focus, entered on purpose
    from the keyboard; single keys act on it (`MESSAGE_KEYS`), and the indicator above
    the prompt says so. A click never enters it: the pane takes no focus on click."""
    replying: var[bool] = var(False, init=False)
    """A reply worker is started and not finished (also while it is being stopped);
    the footer offers Esc (Stop) while it holds."""

    @property
    def chat_app(self) -> ChatApp:
        return self.app  # type: ignore[return-value]

    COMPACT_FOOTER_BELOW = 100
    """Terminal widths under which the footer packs its keys tighter and leaves out the
    palette's key, so every main action fits on 80 columns."""

    def compose(self) -> ComposeResult:
        yield TabStrip(id="tab-strip")
        yield ConversationView(id="conversation")
        yield AttachmentChips(id="attachments")
        yield Static("", id="message-mode", markup=False)
        yield PromptBox(
            id="prompt", placeholder="Message… (Enter send · Shift+Enter/Ctrl+J newline · ↑ earlier prompts)"
        )
        yield StatusBar(id="status")
        narrow = self.app.size.width < self.COMPACT_FOOTER_BELOW
        yield KeyFooter(compact=narrow, show_command_palette=not narrow)

    def on_resize(self) -> None:
        footer = self.query_one(KeyFooter)
        footer.compact = self.size.width < self.COMPACT_FOOTER_BELOW
        # Narrow, the palette's key (docked right) would cover the last main action;
        # F1 names it, and the palette lists itself there.
        footer.show_command_palette = not footer.compact

    @property
    def pane(self) -> ConversationView:
        return self.query_one(ConversationView)

    @property
    def prompt(self) -> PromptBox:
        return self.query_one(PromptBox)

    @property
    def status(self) -> StatusBar:
        return self.query_one(StatusBar)

    async def on_mount(self) -> None:
        self.status.gateway_label = getattr(self.chat_app, "gateway_label", None)
        self.watch(self.app, "settings", self.status.show_settings)
        await self.show_conversation(self.chat_app.conversation)

    def watch_reply(self, reply: Message | None) -> None:
        # This screen's chat (a background tab's reply ends while another chat is shown).
        conversation = self.shown_conversation or self.chat_app.conversation
        self.status.show_stats(reply, chat_totals(conversation.messages))

    def watch_replying(self) -> None:
        self.app.refresh_bindings()

    async def show_conversation(
        self, conversation: Conversation, *, focus: str | None = None, take_focus: bool = False
    ) -> None:
        """Show a whole chat (start-up, a chat opened from history, a branch switch).

        `focus`: the id of a message to keep in sight (the sibling just stepped to);
        `take_focus`: also give it the keyboard focus (it was stepped from the keyboard).
        """
        self.current_view = None
        self.shown_conversation = conversation
        self._tool_rows.clear()
        pane = self.pane
        await pane.show_messages(
            conversation.messages,
            response_format=conversation.settings.response_format,
            eager=focus is not None,
            reach=focus,
        )
        if not conversation.messages:
            await pane.mount(self._welcome())
        if focus is not None:
            self._focus_message(focus, take_focus)
        self.prompt.prompt_history = [m.text for m in conversation.messages if m.role == "user" and m.text][-100:]
        replies = [m for m in conversation.messages if m.role == "assistant"]
        self.reply = replies[-1] if replies else None

    def _focus_message(self, message_id: str, take_focus: bool) -> None:
        views = self.pane.views()
        view = next((v for v in views if v.message.id == message_id), None)
        if view is None:
            return
        if view is not views[-1]:
            self.pane.release_anchor()  # keep it in sight rather than following the bottom
        if take_focus:
            view.focus()
        else:
            self.call_after_refresh(self.pane.scroll_to_widget, view, animate=False, top=True)

    @on(ConversationView.ViewsMounted)
    def _views_mounted(self, event: ConversationView.ViewsMounted) -> None:
        if event.views:
            self.call_after_refresh(self.chat_app.show_branches, event.views)

    def _welcome(self) -> Welcome:
        context = self.chat_app.context
        base_url = context.connection.base_url
        where = urlsplit(base_url).netloc if base_url else None
        return Welcome(demo=context.demo is not None, where=where, model=self.chat_app.conversation.settings.model)

    # -- sending ---------------------------------------------------------------------

    def _reply_running(self) -> bool:
        """This screen's reply worker runs (`self.workers` is the app's: each tab's
        screen has its own)."""
        return any(not w.is_finished for w in self.workers if w.group == "reply" and w.node is self)

    @on(PromptBox.Changed, "#prompt")
    def _prompt_changed(self, event: PromptBox.Changed) -> None:
        """Files typed as `@path` show as chips while the prompt names them."""
        chips = self.query_one(AttachmentChips)
        text = event.text_area.text
        if "@" in text or chips.mentioned:
            chips.show_mentioned(at_paths(text) if "@" in text else [])

    @on(PromptBox.Submitted)
    def _submitted(self, event: PromptBox.Submitted) -> None:
        text = event.text
        chips = self.query_one(AttachmentChips)
        if not text.strip() and not chips.paths:
            return
        if self.replying:
            self.notify(
                "A reply is still being written: wait for it, or press Esc to stop it.",
                title="Not sent",
                severity="warning",
            )
            return
        missing = missing_at_paths(text)
        if missing:
            names = ", ".join(f"@{name}" for name in missing)
            self.notify(
                f"No file at {names}. Fix the path (Ctrl+F browses), or remove the @ to send it as text.",
                title="Not sent",
                severity="warning",
            )
            return
        problem = chips.problem(at_paths(text), model=self.chat_app.conversation.settings.model)
        if problem is not None:  # refused before the prompt and the chips are taken
            self.notify(problem, title="Not sent", severity="warning")
            return
        session = self.chat_app.ensure_session()
        if session is None:
            return
        editing = self.chat_app.take_edit()
        self.prompt.remember(text)
        self.prompt.load_text("")
        self._pending_prompt = text
        if editing is not None:
            self.call_later(self.chat_app.resend_edit, editing, text)
            return
        files = chips.take() + at_paths(text)
        if self.chat_app.compare_models:  # compare mode: to every model, in columns
            self.chat_app.run_compare(text, files)
            return
        self.run_reply(lambda: session.send(text, files))

    def continue_reply(self, view: MessageView) -> None:
        """ "Continue" under a reply cut at the token limit: ask the model to go on, as
        the next prompt (the reply it continues is the chat's last)."""
        if self.replying:
            self.notify("A reply is still being written.", severity="warning")
            return
        replies = [m for m in self.chat_app.conversation.messages if m.role == "assistant"]
        if not replies or replies[-1] is not view.message:
            self.notify("Only the last reply can be continued.", severity="warning")
            return
        session = self.chat_app.ensure_session()
        if session is None:
            return
        self._pending_prompt = CONTINUE_PROMPT
        self.run_reply(lambda: session.send(CONTINUE_PROMPT, []))

    def run_reply(self, source: EventSource) -> None:
        self.pane.anchor()
        self._stream(source)
        self.replying = True

    @work(exclusive=True, group="reply", exit_on_error=False)
    async def _stream(self, source: EventSource) -> None:
        """Iterate the engine and post what it yields (never touches a widget)."""
        batch = DeltaBatch()
        pacer = DeltaPacer()
        try:
            async for event in source():
                match event:
                    case TextDelta(text=text):
                        batch.text.append(text)
                    case ReasoningDelta(text=text):
                        batch.reasoning.append(text)
                    case _:
                        pacer.flush()  # the text before it is posted first
                        batch = DeltaBatch()
                        self.post_message(EngineMessage(event))
                        continue
                if not batch.posted:
                    batch.posted = True
                    pacer.post(partial(self.post_message, DeltasReady(batch)))
        except asyncio.CancelledError:
            pacer.flush()
            self.post_message(ReplyEnded(stopped=True))
            raise
        except ChatTermError as error:
            pacer.flush()
            self.post_message(ReplyEnded(error=error))
            return
        except Exception as error:
            pacer.flush()
            self.post_message(ReplyEnded(error=ChatTermError(f"Unexpected error: {error}")))
            return
        pacer.flush()
        self.post_message(ReplyEnded())

    async def on_deltas_ready(self, message: DeltasReady) -> None:
        batch = message.batch
        batch.posted = False
        view = self.current_view
        reasoning, text = "".join(batch.reasoning), "".join(batch.text)
        batch.reasoning.clear()
        batch.text.clear()
        if view is not None:
            await view.add_deltas(reasoning, text)

    async def on_engine_message(self, message: EngineMessage) -> None:
        from chatterm.tui.widgets.message import AssistantMessageView, UserMessageView

        pane = self.pane
        match message.event:
            case UserMessageAdded(message=user):
                for welcome in pane.query(Welcome):
                    await welcome.remove()
                await pane.add(UserMessageView(user))
            case ReplyStarted(message=reply):
                settings = self.chat_app.settings_of(self)
                view = AssistantMessageView(reply, response_format=settings.response_format, live=True)
                self.current_view = view
                await pane.add(view)
                self.reply = reply  # "writing…" until its own figures
            case ToolCallDelta() | CitationsUpdate() | ImageAdded() as part:
                if self.current_view is not None:
                    await self.current_view.add_part(part)
            case UsageUpdate():
                pass  # shown when the reply ends (the message holds it)
            case Notice(text=text, kind=kind):
                self.notify(text, title="Note")
                if kind == "search_refused":  # the engine keeps it for the chat: the chip says so
                    self.status.show_settings(self.chat_app.settings_of(self))
            case ReplyFinished(message=reply):
                await self._finish_view(reply)
                self.reply = reply
            case ReplyFailed(message=reply, error=error, prompt=prompt):
                await self._finish_view(reply)
                self.reply = reply  # not the figures of an older reply
                await pane.add(ErrorRow(error))
                for prompt_view in pane.query(UserMessageView):
                    await prompt_view.show_state()  # the prompt of this turn, if the engine left it out
                self._restore_prompt(prompt)
            case ToolCallStatus(call=call, status=status, output=output):
                row = self._find_row(call.id)
                if row is not None:
                    row.set_status(status, output)
            case ToolLoopStopped(reason=reason):
                await pane.add(NoticeRow(reason))

    async def on_reply_ended(self, message: ReplyEnded) -> None:
        from chatterm.tui.screens.approval import ToolApprovalScreen

        # A stop while the approval modal waits: nobody is waiting for its answer now.
        # (Only on this tab's own stack: another tab's modal is not this reply's.)
        while (
            self in self.app.screen_stack
            and self.app.screen is not self
            and isinstance(self.app.screen, ToolApprovalScreen)
        ):
            self.app.pop_screen()
        view = self.current_view
        if message.stopped and view is not None:
            if view.message.state == "streaming":
                view.message.state = "stopped"
            await view.finish()
            self.reply = view.message  # what is known of it, not an older reply's
        if message.error is not None:
            if view is not None:
                await view.finish()
            await self.pane.add(ErrorRow(message.error))
            self._restore_prompt(self._pending_prompt)
        self.current_view = None
        self.chat_app.reply_done()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.group == "reply":
            self.replying = self._reply_running()

    async def _finish_view(self, reply: Message) -> None:
        view = self.current_view
        if view is None or view.message is not reply:
            return
        await view.finish(reply)
        for call_id, row in view.tool_rows.items():
            self._tool_rows[call_id] = row

    def _find_row(self, call_id: str) -> Any:
        return self._tool_rows.get(call_id)

    def _restore_prompt(self, prompt: str) -> None:
        """The failed prompt back in the box, selected: typing replaces it, and an arrow
        key keeps it to edit."""
        if prompt and not self.prompt.text.strip():
            self.prompt.load_text(prompt)
            self.prompt.select_all()
        self.prompt.focus()

    async def remove_after_last_prompt(self) -> None:
        """Before regenerating: the old reply (kept in the store as a branch) leaves the pane."""
        from chatterm.tui.widgets.message import UserMessageView

        children = list(self.pane.children)
        last_user = max((i for i, c in enumerate(children) if isinstance(c, UserMessageView)), default=None)
        if last_user is not None:
            await self.pane.remove_children(children[last_user + 1 :])

    async def remove_from(self, message_id: str) -> None:
        """Before resending an edited prompt: it and everything after it leave the pane."""
        from chatterm.tui.widgets.message import MessageView

        children = list(self.pane.children)
        start = next(
            (i for i, c in enumerate(children) if isinstance(c, MessageView) and c.message.id == message_id), None
        )
        if start is not None:
            await self.pane.remove_children(children[start:])

    def stop_reply(self) -> bool:
        """Cancel the reply worker; True when there was one."""
        if not self._reply_running():
            return False
        self.workers.cancel_group(self, "reply")
        return True

    # -- status bar and message actions ---------------------------------------------

    @on(PromptBox.PageKey)
    def _page(self, event: PromptBox.PageKey) -> None:
        """PageUp / PageDown in the prompt scroll the conversation (up releases the
        anchor; back at the bottom it follows the reply again)."""
        pane = self.pane
        if event.step < 0:
            pane.scroll_page_up(animate=False)
        elif pane.scroll_y + pane.scrollable_content_region.height >= pane.max_scroll_y:
            pane.scroll_end(animate=False)  # the last page: follow the reply again
        else:
            pane.scroll_page_down(animate=False)

    def on_key(self, event: events.Key) -> None:
        """A printable key goes to the prompt unless message mode is on and binds it:
        after a click on a message, with no focus at all (a modal just closed), or on a
        row inside a message. Outside message mode no letter acts on a message."""
        focused = self.focused
        if isinstance(focused, TextArea | Input) or not event.is_printable or not event.character:
            return
        if event.key.startswith("alt+"):
            return  # a command (Alt+E, Alt+P), not a letter for the prompt
        if self.navigating and self._mode_binds(event.key):
            return  # the binding acts
        event.stop()
        event.prevent_default()
        self.leave_message_mode()
        self.prompt.insert(event.character)

    def _mode_binds(self, key: str) -> bool:
        """A widget in the conversation binds `key`: a message, or one inside it (an image's o / s)."""
        pane = self.pane
        return any(
            key in bindings.key_to_bindings
            for node, bindings in self._binding_chain
            if node is not pane and pane in node.ancestors
        )

    # -- message mode ------------------------------------------------------------------

    def get_focusable_widget_at(self, x: int, y: int) -> Widget | None:
        """A click in the conversation keeps the focus where it is (the prompt): text can
        be selected and titles clicked open without the next letters acting on a message."""
        widget = super().get_focusable_widget_at(x, y)
        if widget is not None and self.pane in widget.ancestors_with_self:
            return None
        return widget

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "enter_message_mode":
            return not self.navigating and not self.prompt.text and bool(self.pane.views())
        return True

    def action_enter_message_mode(self) -> None:
        self.enter_message_mode()

    def enter_message_mode(self) -> None:
        views = self.pane.views()
        if not views:
            self.notify("No messages yet.", timeout=2)
            return
        self.navigating = True
        views[-1].focus()

    def leave_message_mode(self) -> None:
        self.navigating = False
        if self.focused is not self.prompt:
            self.prompt.focus()

    def move_message_focus(self, view: MessageView, step: int) -> None:
        views = self.pane.views()
        if view in views:
            index = max(0, min(len(views) - 1, views.index(view) + step))
            views[index].focus()
            views[index].scroll_visible(animate=False)

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        """Focus reaching the conversation (never by a click, see above) is message mode;
        focus anywhere else ends it."""
        self.navigating = self.pane in event.widget.ancestors_with_self and event.widget is not self.pane

    def watch_navigating(self, navigating: bool) -> None:
        indicator = self.query_one("#message-mode", Static)
        if navigating:
            keymap = self.app._keymap
            parts = [f"{keys_label(effective_keys(a, keymap))} {a.label.lower()}" for a in MESSAGE_KEYS if a.footer]
            indicator.update("MESSAGE MODE · " + " · ".join(parts))
        indicator.display = navigating
        self.set_class(navigating, "-navigating")
        self.app.refresh_bindings()

    @on(StatusBar.PickModel)
    def _pick_model(self) -> None:
        self.chat_app.action_pick_model()

    @on(StatusBar.Toggle)
    def _toggle(self, event: StatusBar.Toggle) -> None:
        self.chat_app.toggle_setting(event.setting)

    async def on_message_view_action(self, event: MessageView.Action) -> None:  # by name: no import at start
        if event.action == "move":
            self.move_message_focus(event.view, event.argument)
        elif event.action == "leave":
            self.leave_message_mode()
        else:
            if event.action in ("regenerate", "edit"):
                self.leave_message_mode()  # what follows happens in the prompt and the new reply
            await self.chat_app.message_action(event.view, event.action, event.argument)
