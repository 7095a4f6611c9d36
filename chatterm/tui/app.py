"""`ChatApp`: the Textual application, built on an injected `AppContext`.

    ChatApp(context, conversation=None)
      default screen  ChatScreen (screens/chat.py): pane, prompt, status bar, footer
      modal screens   picker, settings, help, first run, tool approval, attach, history
                      (imported when first opened)

The app owns the chat state (`conversation`, `session`) and the actions the bindings,
the status bar and the command palette call (`action_new_chat`, `action_pick_model`,
`action_toggle_thinking`, ...). The chat screen owns the widgets and the reply worker.
Groups of actions live in `chatterm/tui/actions/`: copy, branches (regenerate, edit,
steppers), attachments (files, schema) and setup (first run, damaged history file).
Each subclasses `ChatHost` (actions/host.py), the typed contract of the state and
methods they use, which this class implements.

Start-up reads only the config (through the context) and the theme files before the
first frame; the engine session (client, tools, history store) is built right after
it, so a slow disk or network never delays the window.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterable
from dataclasses import replace
from typing import TYPE_CHECKING, Any, ClassVar, Literal

from textual import events
from textual.app import App, SystemCommand
from textual.binding import BindingType
from textual.screen import Screen

from chatterm.api.errors import ChatTermError
from chatterm.engine.conversation import Conversation
from chatterm.key_actions import APP_KEYS
from chatterm.tui import gc_tuning
from chatterm.tui.actions.attachments import AttachmentActions
from chatterm.tui.actions.branches import BranchActions
from chatterm.tui.actions.compare import CompareActions
from chatterm.tui.actions.copy import CopyActions, code_blocks
from chatterm.tui.actions.editor import EditorActions
from chatterm.tui.actions.gateways import GatewayActions
from chatterm.tui.actions.presets import PresetActions
from chatterm.tui.actions.setup import SetupActions
from chatterm.tui.actions.tabs import TabActions
from chatterm.tui.actions.tools import ToolActions
from chatterm.tui.kept_stylesheet import KeptStylesheet
from chatterm.tui.keys import bindings as app_bindings
from chatterm.tui.keys import clashes
from chatterm.tui.tabs import TabSet
from chatterm.tui.widgets.frame_clock import FrameClock

if TYPE_CHECKING:
    from textual._path import CSSPathType

    from chatterm.api.types import ToolCall
    from chatterm.context import AppContext
    from chatterm.engine.session import ChatSession
    from chatterm.presets import Preset
    from chatterm.tools import Tool
    from chatterm.tui.screens.chat import ChatScreen
    from chatterm.tui.widgets.message import MessageView


def _chat_commands() -> Any:
    """The palette's chatterm commands (imported when the palette first opens)."""
    from chatterm.tui.commands import ChatCommands

    return ChatCommands


def _theme_commands() -> Any:
    from chatterm.tui.commands import ThemeCommands

    return ThemeCommands


def _chat_screen() -> Screen[Any]:
    from chatterm.tui.screens.chat import ChatScreen

    return ChatScreen()


__all__ = ["ChatApp", "code_blocks"]


class ChatApp(
    TabActions,
    CopyActions,
    BranchActions,
    AttachmentActions,
    SetupActions,
    ToolActions,
    PresetActions,
    EditorActions,
    GatewayActions,
    CompareActions,
):
    TITLE = "chatterm"
    MODES: ClassVar[dict[str, Any]] = {"chat": _chat_screen}
    COMMANDS: ClassVar[set[Any]] = App.COMMANDS | {_chat_commands, _theme_commands}
    DEFAULT_MODE = "chat"
    CSS_PATH: ClassVar[CSSPathType | None] = ["app.tcss", "screens/chat.tcss"]
    """The chat screen's CSS too (it is also its `CSS_PATH`, for a chat screen alone):
    read with the app's, it is parsed with it instead of costing a CSS refresh of its
    own when the first screen is installed."""
    AUTO_FOCUS = "#prompt"
    BINDINGS: ClassVar[list[BindingType]] = app_bindings(APP_KEYS)
    """From the key table (`chatterm/key_actions.py`): a Ctrl key for every main action
    beside its F key; ids are the `[keys]` names, so the config can remap them."""

    def __init__(
        self, context: AppContext, *, conversation: Conversation | None = None, preset: Preset | None = None
    ) -> None:
        super().__init__()
        self.stylesheet = KeptStylesheet(variables=self.get_css_variables())  # see kept_stylesheet.py
        self.context = context
        self.start_preset = preset
        """`chatterm --preset NAME`: laid over the chat opened at start after the first frame
        (`PresetActions.apply_start_preset`), as the picker lays one over the open chat."""
        self.set_reactive(ChatApp.conversation, conversation or context.new_conversation())
        self.set_reactive(ChatApp.settings, self.conversation.settings)
        self.tabs = TabSet.first(self.conversation)
        self._session: ChatSession | None = None
        self._theme_ready = False
        self._froze_gc = False
        self._theme_errors: list[str] = []
        self._apply_themes()  # before the first compose: a later switch restyles every widget
        self.last_key_at = 0.0
        """perf_counter of the last key: a streaming reply defers its next frame a little
        and lays out the pane just after keys (`typing_rhythm`), so the echo of a key is painted first."""

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key):
            self.last_key_at = time.perf_counter()
            FrameClock.key_typed(self)
        await super().on_event(event)

    # -- start-up ---------------------------------------------------------------------

    def on_mount(self) -> None:
        for error in self._theme_errors:
            self.notify(error, severity="warning", title="Theme skipped")
        for warning in self.context.config.warnings:
            self.notify(warning, severity="warning", title="Config")
        keymap = self.context.config.keys
        if keymap:
            self.set_keymap(keymap)
        for clash in clashes(keymap):
            self.notify(clash, severity="warning", title="Keys")
        if self.start_preset is not None:
            self.call_after_refresh(self.apply_start_preset)  # before the session is built
        if self.context.needs_setup:
            self.call_after_refresh(self._first_run)
            self.call_after_refresh(gc_tuning.resume)  # settled once setup is done
        else:
            self.call_after_refresh(self._warm_up)
            self.call_after_refresh(self.check_gateway)

    def _apply_themes(self) -> None:
        try:
            from chatterm.config import config_dir
            from chatterm.tui.themes import register_themes

            self._theme_errors = [str(e) for e in register_themes(self, config_dir() / "themes")]
        except ImportError:
            pass
        wanted = self.context.config.theme
        if wanted in self.available_themes:
            self.theme = wanted
        elif "chatterm-dark" in self.available_themes:
            self.theme = "chatterm-dark"
        self._theme_ready = True

    def watch_theme(self, theme: str) -> None:
        if self._theme_ready and theme != self.context.config.theme:
            try:
                self.context.save_config(theme=theme)
            except OSError as error:
                self.notify(f"Could not save the theme: {error}", severity="warning")

    def _warm_up(self) -> None:
        """After the first frame: build the session (client, tools, store) and load the
        message views and Markdown renderers, so the first reply starts as fast as the
        next ones.

        A chat opened at start (`-c`, `--chat`) was shown before the session could tell
        its branches: its steppers are set now, as `load_conversation` sets them for a
        chat opened from history, so a chat looks the same whichever way it is opened."""
        self.ensure_session()
        self.show_branches()
        from chatterm.tui.widgets import message  # noqa: F401 - the views a reply is shown in
        from chatterm.tui.widgets.frozen_markdown import FrozenMarkdown

        FrozenMarkdown.warm_up(self)
        if self.context.store_error is not None:
            self._offer_fresh_store()
        for error in getattr(self.context, "tool_errors", []):
            self.notify(str(error), title="Tool not loaded", severity="warning")
        if getattr(self.context, "mcp", None) is not None:
            self.set_interval(1.0, self._tell_mcp_failures)
        self._freeze_startup_objects()

    def _freeze_startup_objects(self) -> None:
        """Move everything alive after start-up out of the cyclic GC's sight.

        A long streamed reply creates tens of thousands of long-lived objects (rendered
        strips and their caches); each full collection then rescans the ~70k objects of
        Textual, Rich and our screens too, pausing the UI 60-130 ms several times per
        reply. Frozen, those pauses drop to 10-30 ms. `on_unmount` unfreezes them, so an
        app that ends (a test, say) leaves nothing uncollectable behind. Young
        collections are made rarer too (`gc_tuning`).
        """
        gc_tuning.settle()
        self._froze_gc = True

    async def on_unmount(self) -> None:
        if self._froze_gc:
            gc_tuning.restore()
            self._froze_gc = False
        await self.context.aclose()

    # -- state ------------------------------------------------------------------------

    @property
    def session(self) -> ChatSession | None:
        """The engine session (None until the first frame, or while setup is needed)."""
        return self._session

    def ensure_session(self) -> ChatSession | None:
        if self._session is None:
            if self.context.needs_setup:
                self._first_run()
                return None
            self.follow_chat_gateway()  # a chat goes back to the gateway it was held on
            try:
                self._session = self.context.make_session(self.conversation, approve=self._approve)
            except ChatTermError as error:
                self.notify(str(error), title="Cannot start", severity="error")
                return None
        return self._session

    @property
    def chat_screen(self) -> ChatScreen:
        from chatterm.tui.screens.chat import ChatScreen

        for screen in self.screen_stack:
            if isinstance(screen, ChatScreen):
                return screen
        raise RuntimeError("no chat screen")

    async def _approve(self, call: ToolCall, tool: Tool | None) -> Literal["once", "session", "deny"]:
        """The engine asks before a tool runs (called inside the reply worker)."""
        from chatterm.tui.screens import ToolApprovalScreen

        await self.show_asking_tab()  # a background tab's question is asked in that tab
        description = tool.description if tool is not None else ""
        source, read_only = (tool.source, tool.read_only) if tool is not None else ("", False)
        answer = await self.push_screen_wait(ToolApprovalScreen(call, description, source=source, read_only=read_only))
        return answer if answer in ("once", "session", "deny") else "deny"

    async def load_conversation(self, conversation: Conversation, *, focus: str | None = None) -> None:
        """Show another chat (new, from history, or another branch) and continue it;
        `focus`: a message to show (a search hit) instead of the chat's end."""
        self.chat_screen.stop_reply()
        await self.prepare_chat_gateway(conversation)
        self.conversation = conversation
        self._session = None
        self.editing = None
        if not self.context.needs_setup:
            self.ensure_session()
        await self.chat_screen.show_conversation(conversation, focus=focus)
        self.refresh_tab_strips()

    def reply_done(self) -> None:
        """The reply worker ended: refresh the steppers of this exchange (a regenerated
        reply or an edited prompt has siblings now; older messages' cannot change)."""
        from chatterm.tui.widgets.message import UserMessageView

        views = self.chat_screen.pane.views()
        last_prompt = max((i for i, v in enumerate(views) if isinstance(v, UserMessageView)), default=0)
        self.show_branches(views[last_prompt:])

    async def message_action(self, view: MessageView, action: str, argument: int = 0) -> None:
        """A message view asked for something (keys on a focused message, the stepper)."""
        if action == "copy":
            self._copy(view.message.text, "the message")
        elif action == "copy_code":
            self.action_copy_code_block(view.message.text)
        elif action == "edit":
            self.start_edit(view)
        elif action == "regenerate":
            self.action_regenerate()
        elif action == "branch":
            await self.step_branch(view, argument)
        elif action == "continue":
            self.chat_screen.continue_reply(view)

    # -- toggles and settings ----------------------------------------------------------

    def toggle_setting(self, setting: str) -> None:
        settings = replace(self.settings)  # settings change by assignment (see ChatHost)
        value = not getattr(settings, setting)
        setattr(settings, setting, value)
        self.settings = settings
        self.notify(f"{setting.capitalize()} {'on' if value else 'off'} for the next reply", timeout=2)

    def action_toggle_thinking(self) -> None:
        self.toggle_setting("thinking")

    def action_toggle_search(self) -> None:
        self.toggle_setting("search")

    def action_toggle_stream(self) -> None:
        self.toggle_setting("stream")

    def action_toggle_tool(self, name: str) -> None:
        disabled = self.conversation.settings.disabled_tools
        if name in disabled:
            disabled.remove(name)
            self.notify(f"Tool {name} enabled for this chat")
        else:
            disabled.append(name)
            self.notify(f"Tool {name} disabled for this chat")

    def action_pick_model(self) -> None:
        """The picker shows the cached gateway list at once and refreshes it behind."""
        from chatterm.tui.screens import ModelPickerScreen

        def picked(model: str | list[str] | None) -> None:
            if isinstance(model, list):  # two or more marked: compare mode
                self.start_compare_mode(model)
            elif model:
                self.leave_compare_mode()
                self.picked_from(screen, model)  # a model of another gateway moves the chat there

        self.follow_chat_gateway()  # another tab may have left the context on its gateway
        groups, favourites = self.context.catalogue_groups(), list(self.context.config.favourites)
        cached = self.context.cached_models()
        screen = self.gateway_picker(groups, favourites, self.settings.model, cached) or ModelPickerScreen(
            groups, favourites, self.settings.model, self.context.refresh_models, cached=cached
        )
        self.push_screen(screen, picked)

    def set_model(self, model: str) -> None:
        """The next reply comes from `model`; the conversation stays."""
        self.settings = replace(self.settings, model=model)
        if self.context.demo is None:  # trying models on the demo leaves the real default alone
            with contextlib.suppress(OSError, ValueError):
                self.context.remember_model(model)  # the gateway in use's default
        self.notify(f"Next reply from {model}", timeout=2)

    def action_chat_settings(self) -> None:
        from chatterm.tui.screens import ChatSettingsScreen

        def done(settings: Any) -> None:
            if settings is not None:
                self.settings = settings

        self.push_screen(ChatSettingsScreen(self.settings), done)

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        """Textual's palette entries, less "Keys": it opens Textual's own key panel (every
        cursor key of the prompt box) beside our "Help" (F1), which lists what matters;
        and less "Theme", which does what our "Choose theme…" does (one entry, not two)."""
        for command in super().get_system_commands(screen):
            if command.title not in ("Keys", "Theme"):
                yield command

    def action_message_mode(self) -> None:
        self.chat_screen.enter_message_mode()

    def action_help(self) -> None:
        from chatterm.tui.screens import HelpScreen

        self.push_screen(HelpScreen())

    # -- chats -------------------------------------------------------------------------

    async def action_new_chat(self) -> None:
        await self.load_conversation(self.context.new_conversation())

    def action_history(self) -> None:
        store = self.context.open_store()
        if store is None:
            reason = self.context.store_error or "history is turned off"
            self.notify(str(reason), title="No history", severity="warning")
            return
        from chatterm.tui.screens.history import HistoryScreen

        screen = HistoryScreen(store)

        async def opened(chat_id: str | None) -> None:
            if not chat_id:
                return
            hit = screen.opened_message_id  # a search hit may sit on another branch: show that one
            try:
                conversation = store.switch_branch(chat_id, hit) if hit else store.load(chat_id)
            except Exception as error:
                self.notify(str(error), title="Cannot open chat", severity="error")
                return
            self.tabs.active.conversation = self.conversation
            holding = self.tabs.holding(chat_id)
            if holding is not None and holding is not self.tabs.active:
                await self.show_tab(holding)  # one tab per chat: two would write over each other
            elif screen.in_new_tab and holding is None:
                if await self.open_in_new_tab(conversation) is not None and hit:
                    await self.chat_screen.show_conversation(conversation, focus=hit)
            else:
                await self.load_conversation(conversation, focus=hit)

        self.push_screen(screen, opened)

    async def on_history_screen_chat_deleted(self, message: Any) -> None:
        """The open chat was deleted in the history screen: start a new one, so the next
        message does not bring back a chat row whose earlier messages are gone."""
        if message.chat_id == self.conversation.id:
            await self.load_conversation(self.context.new_conversation())
        await self.forget_deleted_chat(message.chat_id)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Esc is offered, and named in the footer, only while it does something: "Stop"
        while a reply is written, "Cancel edit" while a prompt is edited; the tab keys
        while several tabs are open."""
        if action.endswith("_tab"):
            return self.tab_check_action(action)
        if action.startswith("compare_"):
            return self.compare_keys_apply()
        if action in ("stop", "cancel_edit"):
            try:
                replying = self.chat_screen.replying
            except RuntimeError:
                return False
            return replying if action == "stop" else (self.editing is not None and not replying)
        return True

    def action_stop(self) -> None:
        if not self.chat_screen.stop_reply():
            self.action_cancel_edit()

    def action_cancel_edit(self) -> None:
        if self.editing is not None:
            self.editing = None
            self.chat_screen.prompt.load_text("")
            self.notify("Edit cancelled", timeout=2)
