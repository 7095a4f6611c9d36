"""Command-palette providers (Ctrl+P): chatterm's actions, tools and themes.

    ChatCommands    new chat, pick model, the thinking/search/stream toggles, copy last
                    reply, copy a code block, chat settings, history, regenerate, help,
                    attach file, attach / detach schema file, choose theme, presets, edit the
                    prompt in $EDITOR, and one entry per registered tool ("Tool: disable
                    calculator"); with several gateways, "Switch gateway: <name>" for each
                    other one
    ThemeCommands   "Theme: <name>" for every registered theme; selecting one sets
                    `app.theme` (searched only, so the empty palette stays short)

Commands call the app's actions by name (`action_new_chat`, `action_toggle_tool(name)`,
...). A command whose action the app lacks is not offered, so the providers work on
any app, including small test apps. State is read when the palette opens (tools from
`app.context.tools.names()`, disabled ones and the toggles from
`app.session.conversation.settings`, or `app.conversation.settings` before the
session exists), with getattr guards so nothing breaks while they are missing.

Use:  class ChatApp(App): COMMANDS = App.COMMANDS | {ChatCommands, ThemeCommands}
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from textual.command import DiscoveryHit, Hit, Hits, Provider


@dataclass(frozen=True, slots=True)
class PaletteCommand:
    """One palette entry: its text, a line of help, the app action and its arguments."""

    text: str
    help: str
    action: str
    args: tuple[Any, ...] = ()


# (text, help, action name without "action_"); toggles get their state in the help.
BASE_COMMANDS: tuple[tuple[str, str, str], ...] = (
    ("New chat", "Start a new conversation", "new_chat"),
    ("New tab", "A new chat in a new tab; the others keep streaming", "new_tab"),
    ("Close tab", "Close this tab (a reply being written is stopped and saved)", "close_tab"),
    ("Pick model", "Choose the model for the next reply", "pick_model"),
    ("Toggle thinking", "Ask the model to reason before it answers", "toggle_thinking"),
    ("Toggle search", "Let the model search the web", "toggle_search"),
    ("Toggle streaming", "Show replies token by token, or whole", "toggle_stream"),
    ("Copy last reply", "Copy the last reply to the clipboard", "copy_last_reply"),
    ("Copy code block", "Copy a code block of the last reply", "copy_code_block"),
    ("Chat settings", "System prompt, temperature, top_p, max tokens", "chat_settings"),
    ("Set up gateway…", "Base URL and API key, or the demo gateway", "setup_gateway"),
    ("History", "Browse, search and reopen saved chats", "history"),
    ("Regenerate reply", "Ask again for the last reply", "regenerate"),
    ("Help", "Every key binding", "help"),
    ("Tools", "Every tool by source and state: switch them for this chat, restart a server", "tools"),
    ("Attach file", "Send a file with the next message", "attach_file"),
    ("Attach schema file", "Ask for JSON that fits a JSON Schema file", "attach_schema"),
    ("Detach schema", "Replies in this chat are free text again", "detach_schema"),
    ("Presets…", "Start a new chat from a preset of the config, or apply one to this chat", "pick_preset"),
    ("Edit prompt in $EDITOR", "Write the prompt in your own editor ($VISUAL / $EDITOR)", "edit_in_editor"),
)
_TOGGLE_SETTINGS = {"toggle_thinking": "thinking", "toggle_search": "search", "toggle_stream": "stream"}


def _chat_settings(app: Any) -> Any:
    """The open chat's `ChatSettings`: the session's conversation, else the app's own
    `conversation` (the session is built after the first frame), else None."""
    for owner in (getattr(app, "session", None), app):
        settings = getattr(getattr(owner, "conversation", None), "settings", None)
        if settings is not None:
            return settings
    return None


def tool_names(app: Any) -> list[str]:
    """The registered tools (`app.context.tools.names()`), or [] before they exist."""
    tools = getattr(getattr(app, "context", None), "tools", None)
    names = getattr(tools, "names", None)
    if names is None:
        return []
    try:
        return list(names())
    except Exception:
        return []


def disabled_tools(app: Any) -> set[str]:
    return set(getattr(_chat_settings(app), "disabled_tools", None) or ())


def chat_commands(app: Any) -> list[PaletteCommand]:
    """The commands the palette offers on `app` right now."""
    settings = _chat_settings(app)
    commands: list[PaletteCommand] = []
    for text, help_text, action in BASE_COMMANDS:
        if not callable(getattr(app, f"action_{action}", None)):
            continue
        setting = _TOGGLE_SETTINGS.get(action)
        if setting is not None and settings is not None:
            state = "on" if getattr(settings, setting, False) else "off"
            help_text = f"{help_text} (now {state})"
        commands.append(PaletteCommand(text, help_text, action))
    if callable(getattr(app, "search_themes", None)):
        commands.append(PaletteCommand("Choose theme…", "Change the colours", "_search_themes"))
    if callable(getattr(app, "action_toggle_tool", None)):
        disabled = disabled_tools(app)
        for name in tool_names(app):
            if name in disabled:
                commands.append(
                    PaletteCommand(
                        f"Tool: enable {name}", "Offer this tool to the model in this chat", "toggle_tool", (name,)
                    )
                )
            else:
                commands.append(
                    PaletteCommand(
                        f"Tool: disable {name}", "Stop offering this tool in this chat", "toggle_tool", (name,)
                    )
                )
    commands += _gateway_commands(app)
    commands += _mcp_prompt_commands(app)
    commands += _compare_set_commands(app)
    return commands


def _gateway_commands(app: Any) -> list[PaletteCommand]:
    """ "Switch gateway: <name>" for each other gateway, when more than one is configured."""
    choices = getattr(app, "gateway_choices", None)
    if not callable(choices) or not callable(getattr(app, "action_switch_gateway", None)):
        return []
    from chatterm.terminal_text import visible_line

    return [
        PaletteCommand(
            visible_line(f"Switch gateway: {name}"),
            "This chat's next reply comes from that gateway (its default model; F2 lists its models)",
            "switch_gateway",
            (profile,),
        )
        for profile, name in choices()
    ]


def _compare_set_commands(app: Any) -> list[PaletteCommand]:
    """Each saved `[compare] sets` entry: choosing it turns compare mode on for those models."""
    if not callable(getattr(app, "action_compare_set", None)):
        return []
    from chatterm.terminal_text import visible_line

    sets = getattr(getattr(getattr(app, "context", None), "config", None), "compare_sets", None) or []
    return [
        PaletteCommand(
            visible_line(f"Compare: {' · '.join(name.strip() for name in entry.split(','))}"),
            "The next prompts go to these models, side by side",
            "compare_set",
            (entry,),
        )
        for entry in sets
    ]


def _mcp_prompt_commands(app: Any) -> list[PaletteCommand]:
    """Each ready MCP server's resources (attached to the prompt as text) and prompts
    (choosing one fills the prompt box)."""
    manager = getattr(getattr(app, "context", None), "mcp", None)
    if manager is None or not callable(getattr(app, "action_use_mcp_prompt", None)):
        return []
    from chatterm.terminal_text import visible_line

    resources = [
        PaletteCommand(
            visible_line(f"Attach resource: {server} / {resource.get('name') or resource.get('uri', '')}"),
            visible_line(str(resource.get("description") or resource.get("uri", ""))),
            "attach_mcp_resource",
            (server, str(resource.get("uri", ""))),
        )
        for server, resource in manager.resources()
    ]
    return resources + [
        PaletteCommand(
            visible_line(f"Prompt: {server} / {prompt.get('name', '')}"),
            visible_line(str(prompt.get("description") or "An MCP prompt: fills the prompt box")),
            "use_mcp_prompt",
            (server, str(prompt.get("name", ""))),
        )
        for server, prompt in manager.prompts()
    ]


async def run_command(app: Any, command: PaletteCommand) -> None:
    """Call the app's action for `command` (awaiting it if it is async)."""
    if command.action == "_search_themes":
        app.search_themes()
        return
    method: Callable[..., Any] | None = getattr(app, f"action_{command.action}", None)
    if method is None:
        app.notify(f"{command.text} is not available here", severity="warning")
        return
    result = method(*command.args)
    if inspect.isawaitable(result):
        await result


class ChatCommands(Provider):
    """chatterm's actions and per-chat tool switches."""

    def _commands(self) -> list[PaletteCommand]:
        return chat_commands(self.app)

    async def discover(self) -> Hits:
        for command in self._commands():
            yield DiscoveryHit(command.text, partial(run_command, self.app, command), help=command.help)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for command in self._commands():
            score = matcher.match(command.text)
            if score > 0:
                yield Hit(
                    score,
                    matcher.highlight(command.text),
                    partial(run_command, self.app, command),
                    text=command.text,
                    help=command.help,
                )


class ThemeCommands(Provider):
    """One "Theme: <name>" entry per registered theme; selecting it sets `app.theme`."""

    def _set_theme(self, name: str) -> None:
        self.app.theme = name

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        current = self.app.theme
        for name in sorted(self.app.available_themes):
            text = f"Theme: {name}"
            score = matcher.match(text)
            if score > 0:
                yield Hit(
                    score,
                    matcher.highlight(text),
                    partial(self._set_theme, name),
                    text=text,
                    help="current theme" if name == current else None,
                )
