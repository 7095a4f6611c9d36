"""The tools screen: every tool by source, its state, whether it asks; on/off per chat.

    Space / Enter   switch the selected tool on or off for this chat (the model is not
                    offered a tool that is off; `ChatSettings.disabled_tools`)
    r               restart the selected tool's MCP server
    Escape          close

Sources come in order: built-in, the user's (files, modules, entry points), then each
MCP server with its state (`starting`, `ready`, `failed` with the reason). A server that
has no tools (it failed to start) still has a row, so its failure and the restart are
reachable. The table is refreshed while the screen is open: a starting server's tools
appear as it becomes ready. Names and descriptions come from servers: shown as plain
text with control characters made visible.
"""

from __future__ import annotations

from typing import Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Static

from chatterm.terminal_text import visible, visible_line
from chatterm.tools.registry import ToolRegistry

_SOURCE_ORDER = {"builtin": 0, "user": 1}


def tool_rows(registry: ToolRegistry, disabled: set[str], safe: set[str]) -> list[tuple[str, str, str, str, str, str]]:
    """(row key, on, tool, source, state, approval) for every tool, then a row for each
    MCP server without tools. The row key is the tool's name, or `source:<name>`."""
    rows: list[tuple[str, str, str, str, str, str]] = []
    tools = sorted(registry, key=lambda t: (_SOURCE_ORDER.get(t.source or "user", 2), t.source))
    sources_with_tools = set()
    for tool in tools:
        source = tool.source or "user"
        origin = registry.sources.get(source)
        state: str = origin.status().state if origin is not None else "ready"
        approval = "auto" if tool.safe and tool.name in safe else "ask"
        if tool.read_only:
            approval += " · read-only"
        on = "off" if tool.name in disabled else "on"
        rows.append((tool.name, on, tool.name, source, state, approval))
        sources_with_tools.add(source)
    for name, outside in registry.sources.items():
        if name in sources_with_tools:
            continue
        status = outside.status()
        state = status.state + (f": {status.detail}" if status.detail else "")
        rows.append((f"source:{name}", "", "(no tools)", name, state, ""))
    return rows


class ToolsScreen(ModalScreen[None]):
    """Every tool, by source; switch tools for this chat, restart a server."""

    CSS_PATH = "tools.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Close", priority=True),
        Binding("space", "switch_tool", "On/off"),
        Binding("enter", "switch_tool", "On/off", show=False),
        Binding("r", "restart", "Restart server"),
    ]

    def __init__(self, registry: ToolRegistry, disabled: list[str], safe: set[str]) -> None:
        super().__init__()
        self.registry = registry
        self.disabled_tools = disabled
        """The chat's `disabled_tools` list itself: switching edits it in place."""
        self.safe = safe

    def compose(self) -> ComposeResult:
        with Vertical(id="tools-dialog") as dialog:
            dialog.border_title = "Tools"
            dialog.border_subtitle = "space on/off · r restart server · esc close"
            table: DataTable[Any] = DataTable(id="tools-table", cursor_type="row", zebra_stripes=True)
            table.add_columns("on", "tool", "source", "state", "approval")
            yield table
            yield Static("", id="tools-detail", markup=False)

    def on_mount(self) -> None:
        self.refresh_rows()
        self.set_interval(0.5, self.refresh_rows)

    def refresh_rows(self) -> None:
        table: DataTable[Any] = self.query_one("#tools-table", DataTable)
        rows = tool_rows(self.registry, set(self.disabled_tools), self.safe)
        selected = self.selected_key()
        table.clear()
        for key, *cells in rows:
            table.add_row(*(Text(visible_line(cell)) for cell in cells), key=key)  # Text: no markup
        keys = [row[0] for row in rows]
        if selected in keys:
            table.move_cursor(row=keys.index(selected))
        self._show_detail()

    def selected_key(self) -> str | None:
        table: DataTable[Any] = self.query_one("#tools-table", DataTable)
        if table.row_count == 0:
            return None
        try:
            key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        except Exception:
            return None
        return str(key) if key is not None else None

    def _selected_source(self) -> str | None:
        key = self.selected_key()
        if key is None:
            return None
        if key.startswith("source:"):
            return key[len("source:") :]
        tool = self.registry.get(key)
        return tool.source if tool is not None else None

    def _show_detail(self) -> None:
        key = self.selected_key()
        text = ""
        tool = self.registry.get(key) if key else None
        if tool is not None:
            text = tool.description
        source = self.registry.sources.get(self._selected_source() or "")
        if source is not None and source.status().detail:
            text = f"{text}\n{source.status().state}: {source.status().detail}".strip()
        self.query_one("#tools-detail", Static).update(visible(text[:2000]) if text else "")

    def on_data_table_row_highlighted(self, event: Any) -> None:
        self._show_detail()

    def on_data_table_row_selected(self, event: Any) -> None:
        self.action_switch_tool()

    def action_switch_tool(self) -> None:
        key = self.selected_key()
        if key is None or key not in self.registry:
            return
        if key in self.disabled_tools:
            self.disabled_tools.remove(key)
        else:
            self.disabled_tools.append(key)
        self.refresh_rows()

    def action_restart(self) -> None:
        name = self._selected_source()
        source = self.registry.sources.get(name or "")
        if source is None:
            self.notify("Only an MCP server can be restarted", severity="warning")
            return
        source.restart()
        self.notify(f"Restarting {name}…")
        self.refresh_rows()

    def action_close(self) -> None:
        self.dismiss(None)
