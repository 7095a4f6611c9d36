"""`ChatApp`: the Textual application, built on an injected `AppContext`.

    ChatApp(context, conversation=None)
      default screen  ChatScreen (screens/chat.py): pane, prompt, status bar, footer
      modal screens   picker, settings, help, first run, tool approval, attach, history
                      (imported when first opened)

The app owns the chat state (`conversation`, `session`) and the actions the bindings,
the status bar and the command palette call (`action_new_chat`, `action_pick_model`,
`action_toggle_thinking`, ...). The chat screen owns the widgets and the reply worker.

Start-up reads only the config (through the context) and the theme files before the
first frame; the engine session (client, tools, history store) is built right after
it, so a slow disk or network never delays the window.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, ClassVar, Literal

from textual.app import App
from textual.binding import Binding, BindingType
from textual.screen import Screen

from chatterm.api.errors import ChatTermError
from chatterm.engine.conversation import Conversation

if TYPE_CHECKING:
    from chatterm.api.types import ToolCall
    from chatterm.context import AppContext
    from chatterm.engine.session import ChatSession
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


_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})[^\n]*\n(.*?)^ {0,3}\1[ \t]*$", re.MULTILINE | re.DOTALL)


def code_blocks(text: str) -> list[str]:
    """The fenced code blocks of a Markdown text, in order, without their fences."""
    return [m.group(2).rstrip("\n") for m in _FENCE.finditer(text)]


def _chat_screen() -> Screen[Any]:
    from chatterm.tui.screens.chat import ChatScreen

    return ChatScreen()


class ChatApp(App[None]):
    TITLE = "chatterm"
    MODES: ClassVar[dict[str, Any]] = {"chat": _chat_screen}
    COMMANDS: ClassVar[set[Any]] = App.COMMANDS | {_chat_commands, _theme_commands}
    DEFAULT_MODE = "chat"
    CSS_PATH = "app.tcss"
    AUTO_FOCUS = "#prompt"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f1", "help", "Help"),
        Binding("f2", "pick_model", "Model"),
        Binding("f3", "toggle_thinking", "Thinking"),
        Binding("f4", "toggle_search", "Search"),
        Binding("f5", "toggle_stream", "Stream"),
        Binding("f8", "history", "History"),  # F6/F7 belong to the TextArea (select line/all)
        Binding("f9", "chat_settings", "Settings", show=False),
        Binding("ctrl+n", "new_chat", "New chat"),
        Binding("ctrl+r", "regenerate", "Regenerate", show=False),
        Binding("ctrl+o", "copy_last_reply", "Copy reply", show=False),
        Binding("ctrl+b", "copy_code_block", "Copy code", show=False),
        Binding("ctrl+f", "attach_file", "Attach file", show=False),
    ]

    def __init__(self, context: AppContext, *, conversation: Conversation | None = None) -> None:
        super().__init__()
        self.context = context
        self.conversation = conversation or context.new_conversation()
        self._session: ChatSession | None = None
        self._theme_ready = False
        self._code_cursor: tuple[str, int] | None = None
        self._editing: str | None = None
        """Id of the prompt being edited (the next send resends it)."""
        self._theme_errors: list[str] = []
        self._apply_themes()  # before the first compose: a later switch restyles every widget

    # -- start-up ---------------------------------------------------------------------

    def on_mount(self) -> None:
        for error in self._theme_errors:
            self.notify(error, severity="warning", title="Theme skipped")
        if self.context.needs_setup:
            self.call_after_refresh(self._first_run)
        else:
            self.call_after_refresh(self._warm_up)

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
        Markdown renderers, so the first reply starts as fast as the next ones."""
        self.ensure_session()
        from textual.widgets import Markdown

        from chatterm.tui.widgets.frozen_markdown import FrozenMarkdown

        FrozenMarkdown.warm_up(self)
        Markdown.get_block_class  # noqa: B018 - textual.widgets.markdown is now imported
        if self.context.store_error is not None:
            self._offer_fresh_store()
        for error in getattr(self.context, "tool_errors", []):
            self.notify(str(error), title="Tool not loaded", severity="warning")

    def _offer_fresh_store(self) -> None:
        """A damaged history file: say which, and offer a fresh one (the damaged file
        is kept beside it, renamed). A file from a newer chatterm is only reported."""
        from chatterm.store import DamagedStoreError

        error = self.context.store_error
        if not isinstance(error, DamagedStoreError):
            self.notify(str(error), title="History is off", severity="warning", timeout=10)
            return
        from chatterm.tui.screens import ConfirmScreen

        def answered(fresh: bool | None) -> None:
            if not fresh:
                self.notify("This chat will not be saved.", title="History is off", severity="warning")
                return
            try:
                store = self.context.start_fresh_store()
            except Exception as failure:  # noqa: BLE001 - shown, never a traceback
                self.notify(str(failure), title="History is off", severity="error")
                return
            if self._session is not None:
                self._session.recorder = store
            self.notify("Started a fresh history; the damaged file was kept.", title="History")

        question = (
            f"{error}\n\nStart a fresh history? The damaged file is kept beside it, renamed; "
            "nothing is overwritten."
        )
        self.push_screen(ConfirmScreen("History file damaged", question, yes="Start fresh", no="Keep history off"), answered)

    def _first_run(self) -> None:
        from chatterm.tui.screens import FirstRunScreen

        self.push_screen(FirstRunScreen(), self._setup_done)

    async def _setup_done(self, result: tuple[str, str | None, str | None] | None) -> None:
        if result is None:
            self.exit()
            return
        kind, base_url, api_key = result
        try:
            if kind == "demo":
                await self.context.start_demo()
            else:
                await self.context.apply_setup(base_url or "", api_key or "")
        except (ChatTermError, OSError) as error:
            self.notify(str(error), title="Setup failed", severity="error")
            self.call_after_refresh(self._first_run)
            return
        self._session = None
        if not self.conversation.messages:  # start on the gateway's defaults (the demo's model)
            self.conversation = self.context.new_conversation()
            await self.chat_screen.show_conversation(self.conversation)
        self._warm_up()
        self.notify("Ready: type a message and press Enter.", title="Connected")

    async def on_unmount(self) -> None:
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

        description = tool.description if tool is not None else ""
        answer = await self.push_screen_wait(ToolApprovalScreen(call, description))
        return answer if answer in ("once", "session", "deny") else "deny"

    async def load_conversation(self, conversation: Conversation) -> None:
        """Show another chat (new, from history, or another branch) and continue it."""
        self.chat_screen.stop_reply()
        self.conversation = conversation
        self._session = None
        self._editing = None
        if not self.context.needs_setup:
            self.ensure_session()
        await self.chat_screen.show_conversation(conversation)

    def reply_done(self) -> None:
        """The reply worker ended: refresh the branch stepper of the last reply."""
        self._show_branches()

    def _store(self) -> Any:
        session = self._session
        return getattr(session, "recorder", None) if session is not None else None

    def _show_branches(self) -> None:
        from chatterm.tui.widgets.message import AssistantMessageView

        store = self._store()
        siblings = getattr(store, "siblings", None)
        if siblings is None:
            return
        views = [v for v in self.chat_screen.pane.views() if isinstance(v, AssistantMessageView)]
        if not views:
            return
        view = views[-1]
        try:
            found = siblings(view.message.id)
        except Exception:  # noqa: BLE001 - a message not saved yet has no siblings to show
            return
        ids = [m.id for m in found if m.role == "assistant"]
        if view.message.id in ids:
            view.set_branches(ids.index(view.message.id), len(ids))

    # -- toggles and settings ----------------------------------------------------------

    def toggle_setting(self, setting: str) -> None:
        settings = self.conversation.settings
        value = not getattr(settings, setting)
        setattr(settings, setting, value)
        self.chat_screen.refresh_status()
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
        from chatterm.tui.screens import ModelPickerScreen

        async def load_models() -> list[str]:
            cached = self.context.cached_models()
            try:
                return await self.context.refresh_models()
            except ChatTermError:
                if cached:
                    return cached
                raise

        def picked(model: str | None) -> None:
            if model:
                self.set_model(model)

        self.push_screen(
            ModelPickerScreen(
                self.context.catalogue_groups(),
                list(self.context.config.favourites),
                self.conversation.settings.model,
                load_models,
            ),
            picked,
        )

    def set_model(self, model: str) -> None:
        """The next reply comes from `model`; the conversation stays."""
        self.conversation.settings.model = model
        self.chat_screen.refresh_status()
        try:
            self.context.save_config(model=model)
        except OSError:
            pass
        self.notify(f"Next reply from {model}", timeout=2)

    def action_chat_settings(self) -> None:
        from chatterm.tui.screens import ChatSettingsScreen

        def done(settings: Any) -> None:
            if settings is not None:
                self.conversation.settings = settings
                self.chat_screen.refresh_status()

        self.push_screen(ChatSettingsScreen(self.conversation.settings), done)

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

        async def opened(chat_id: str | None) -> None:
            if not chat_id:
                return
            try:
                conversation = store.load(chat_id)
            except Exception as error:  # noqa: BLE001 - a store error is shown, never raised
                self.notify(str(error), title="Cannot open chat", severity="error")
                return
            await self.load_conversation(conversation)

        self.push_screen(HistoryScreen(store), opened)

    def action_stop(self) -> None:
        if self.chat_screen.stop_reply():
            return
        if self._editing is not None:
            self._editing = None
            self.chat_screen.prompt.load_text("")
            self.notify("Edit cancelled", timeout=2)

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

    async def resend_edit(self, message_id: str, text: str) -> None:
        session = self.ensure_session()
        if session is None:
            return
        await self.chat_screen.remove_from(message_id)
        self.chat_screen.run_reply(lambda: session.edit(message_id, text))

    # -- copy --------------------------------------------------------------------------

    def _copy(self, text: str, what: str) -> None:
        self.copy_to_clipboard(text)
        lines = text.count("\n") + 1
        self.notify(f"Copied {what} ({lines} line{'s' if lines != 1 else ''})", timeout=2)

    def _last_reply_text(self) -> str | None:
        for message in reversed(self.conversation.messages):
            if message.role == "assistant" and message.text:
                return message.text
        return None

    def action_copy_last_reply(self) -> None:
        text = self._last_reply_text()
        if text is None:
            self.notify("No reply to copy yet.", severity="warning")
            return
        self._copy(text, "the last reply")

    def action_copy_code_block(self, message_text: str | None = None) -> None:
        """Copy the last code block; pressing again steps to the one before it."""
        text = message_text if message_text is not None else self._last_reply_text()
        blocks = code_blocks(text or "")
        if not blocks:
            self.notify("No code block in the last reply.", severity="warning")
            return
        index = len(blocks) - 1
        if self._code_cursor is not None and self._code_cursor[0] == text:
            index = (self._code_cursor[1] - 1) % len(blocks)
        self._code_cursor = (text or "", index)
        self._copy(blocks[index], f"code block {index + 1} of {len(blocks)}")

    def action_copy_message(self) -> None:
        """Copy the focused message (or the last reply when none has focus)."""
        from chatterm.tui.widgets.message import MessageView

        focused = self.focused
        view = next((n for n in ([focused] + list(focused.ancestors) if focused else []) if isinstance(n, MessageView)), None)
        if view is None:
            self.action_copy_last_reply()
            return
        self._copy(view.message.text, "the message")

    async def message_action(self, view: MessageView, action: str, argument: int = 0) -> None:
        """A message view asked for something (keys on a focused message, the stepper)."""
        if action == "copy":
            self._copy(view.message.text, "the message")
        elif action == "copy_code":
            self.action_copy_code_block(view.message.text)
        elif action == "edit":
            if self.chat_screen.replying:
                self.notify("A reply is still being written.", severity="warning")
                return
            self._editing = view.message.id
            prompt = self.chat_screen.prompt
            prompt.load_text(view.message.text)
            prompt.move_cursor(prompt.document.end)
            prompt.focus()
            self.notify("Editing: Enter resends from here (a new branch), Esc cancels", timeout=4)
        elif action == "regenerate":
            self.action_regenerate()
        elif action == "branch":
            await self.step_branch(view, argument)

    def take_edit(self) -> str | None:
        editing, self._editing = self._editing, None
        return editing

    async def step_branch(self, view: MessageView, step: int) -> None:
        session = self.ensure_session()
        store = self._store()
        if session is None or store is None or self.chat_screen.replying:
            return
        try:
            siblings = [m for m in store.siblings(view.message.id) if m.role == view.message.role]
            ids = [m.id for m in siblings]
            index = ids.index(view.message.id) + step
            if not 0 <= index < len(ids):
                return
            session.switch_branch(ids[index])
        except (ChatTermError, ValueError, Exception) as error:  # noqa: BLE001
            self.notify(str(error), title="Cannot switch branch", severity="warning")
            return
        await self.chat_screen.show_conversation(self.conversation)
        self._show_branches()

    # -- attachments -------------------------------------------------------------------

    def action_attach_file(self) -> None:
        from chatterm.tui.screens import AttachFileScreen
        from chatterm.tui.widgets.attachments import AttachmentChips

        def picked(path: str | None) -> None:
            if path:
                self.chat_screen.query_one(AttachmentChips).add_path(path)

        self.push_screen(AttachFileScreen(), picked)

    def action_attach_schema(self) -> None:
        from chatterm.tui.screens import AttachFileScreen

        def picked(path: str | None) -> None:
            if not path:
                return
            from chatterm.api.structured import response_format_for_schema

            try:
                self.conversation.settings.response_format = response_format_for_schema(path)
            except (ChatTermError, OSError, ValueError) as error:
                self.notify(str(error), title="Schema not used", severity="error")
                return
            self.notify("Replies in this chat will be JSON that fits the schema", title="Schema attached")

        self.push_screen(AttachFileScreen(title="Attach a JSON Schema file"), picked)

