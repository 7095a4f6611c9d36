"""The history browser: every saved chat, newest first, with full-text search.

    HistoryScreen(store)       Screen[str | None]: dismisses with the chat id to open, or None
                               (`opened_message_id`: the search hit's message, if one was opened;
                               `in_new_tab`: opened with Alt+T, for a new tab;
                               `deleted`: ids deleted here; each deletion also posts
                               `HistoryScreen.ChatDeleted`, which bubbles to the app so it can
                               leave a chat that no longer exists)
    RenameChatScreen(title)    ModalScreen[str | None]: a one-line title editor

The list is a DataTable filled a page (50 chats) at a time: the first page is one
indexed query, later pages load as the cursor or the scrollbar nears the end, so a
store of 10,000 chats opens as fast as one of ten. Typing (anywhere: a printable key on
the list moves to the search box) searches the store's FTS index 150 ms after the last
keystroke; hits show the matching snippet with the match in bold.

Keys on the list: Enter open · Alt+T open in a new tab · r rename · d delete (asks first) · e export (asks where,
Markdown or JSON) ·
/ search · Esc close. Every store call runs in a worker thread and posts its answer
(`history_messages.py`): most take under 50 ms, but a search over a very large store,
a slow disk or a store locked by another chatterm window must not freeze the app.
Errors the store raises become notifications.
"""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.events import DescendantFocus, Key
from textual.message import Message
from textual.screen import ModalScreen, Screen
from textual.timer import Timer
from textual.widgets import DataTable, Input, Static
from textual.widgets.data_table import ColumnKey

from chatterm.atomic_file import write_text_atomically
from chatterm.key_actions import ALL_KEYS
from chatterm.store import ChatStore, ChatSummary, SearchHit, StoreError
from chatterm.terminal_text import visible_line
from chatterm.tui.screens.confirm import ConfirmScreen
from chatterm.tui.screens.export_dialog import ExportChoice
from chatterm.tui.screens.history_messages import (
    ChatExported,
    ChatRemoved,
    ChatRenamed,
    DeleteAsked,
    PageLoaded,
    SearchDone,
    StoreFailed,
)

PAGE_SIZE = 50
SEARCH_DELAY = 0.15
"""Seconds after the last keystroke before the search runs."""
MORE_MARGIN = 10
"""Load the next page when the cursor is this many rows from the end."""
TITLE_WIDTH = 200
"""Characters of a title kept in a list cell (the column shows what fits)."""
MODELS_WIDTH = 30
COUNT_WIDTH = 4
HIT_TITLE_WIDTH = 32
WHEN_WIDTH = 12
LIST_KEYS = frozenset({"r", "d", "e", "slash"})
"""Printable keys the list keeps for itself; any other printable key starts a search."""


def _when(ts: float) -> str:
    now = time.time()
    local = time.localtime(ts)
    if time.localtime(now)[:3] == local[:3]:
        return time.strftime("today %H:%M", local)
    if now - ts < 300 * 86400:
        return time.strftime("%d %b %H:%M", local)
    return time.strftime("%Y-%m-%d", local)


def _clip(text: str, width: int) -> str:
    text = visible_line(" ".join(text.split()))
    return text if len(text) <= width else text[: width - 1] + "…"


def _models_cell(chat: ChatSummary) -> Text:
    """The chat's preset (as the status bar marks it, "◆ name"), then its models."""
    models = Text(_clip(", ".join(chat.models), MODELS_WIDTH), style="dim", no_wrap=True, overflow="ellipsis")
    if not chat.preset:
        return models
    cell = Text(f"◆ {_clip(chat.preset, MODELS_WIDTH)}", no_wrap=True, overflow="ellipsis")
    if chat.models:
        cell.append(" · ", style="dim").append_text(models)
    return cell


def _snippet(hit: SearchHit) -> Text:
    text = Text(visible_line(hit.text), no_wrap=True, overflow="ellipsis")  # one for one: offsets hold
    for start, end in hit.highlights:
        text.stylize("bold underline", start, end)
    return text


def _slug(title: str) -> str:
    slug = re.sub(r"[^\w]+", "-", title.lower()).strip("-")
    return slug[:40].strip("-") or "chat"


class RenameChatScreen(ModalScreen[str | None]):
    """Edit a chat's title: Enter saves, Esc cancels."""

    CSS_PATH = "history.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel", priority=True)]
    AUTO_FOCUS = "#rename-input"

    def __init__(self, title: str) -> None:
        super().__init__()
        self.initial = title

    def compose(self) -> ComposeResult:
        with Vertical(id="rename-dialog", classes="history-dialog") as dialog:
            dialog.border_title = "Rename chat"
            dialog.border_subtitle = "Enter save · Esc cancel"
            # The title as shown everywhere else: saving it unedited drops its control characters.
            yield Input(visible_line(self.initial), id="rename-input", select_on_focus=True)

    @on(Input.Submitted, "#rename-input")
    def _save(self, event: Input.Submitted) -> None:
        event.stop()
        title = event.value.strip()
        self.dismiss(title or None)

    def action_cancel(self) -> None:
        self.dismiss(None)


class HistoryScreen(Screen[str | None]):
    """Browse, search and manage saved chats; dismisses with the chat id to open."""

    CSS_PATH = "history.tcss"
    AUTO_FOCUS = "#history-table"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Close", priority=True),
        Binding("r", "rename", "Rename"),
        Binding("d", "delete", "Delete"),
        Binding("e", "export", "Export"),
        # The app's new-tab key (its `[keys]` id, so a remap moves both): the chosen chat in a
        # new tab. Read before the search box, which would type Alt+T's "t".
        Binding(ALL_KEYS["new_tab"].keys, "open_in_tab", "New tab", id="new_tab", priority=True),
        Binding("slash", "focus_search", "Search"),
    ]

    class ChatDeleted(Message):
        """A chat was deleted from the store (posted on the screen; bubbles to the app).
        The app must not keep saving into it: the next message would bring back a chat
        row holding only the new messages, their parent gone."""

        def __init__(self, chat_id: str) -> None:
            super().__init__()
            self.chat_id = chat_id

    def __init__(self, store: ChatStore, export_dir: Path | None = None) -> None:
        super().__init__()
        self.store = store
        self.deleted: set[str] = set()
        """Ids of the chats deleted while this screen was open."""
        self.export_dir = export_dir
        """The folder `e` suggests (default: the current directory)."""
        self.mode: str = "list"
        """"list" (newest chats) or "search" (hits for the query)."""
        self._loaded = 0
        self._exhausted = False
        self._loading = False
        """A page of the list is being read (one at a time, in order)."""
        self._generation = 0
        """Bumped when the table starts showing something else: older answers are dropped."""
        self._focus_results = False
        """Enter was pressed in the search box before the results came."""
        self._row_chat: dict[str, str] = {}
        """Row key -> chat id (rows are chats in list mode, messages in search mode)."""
        self._titles: dict[str, str] = {}
        self._search_timer: Timer | None = None
        self._typing_query = False
        """Printable keys on the list were sent to the search box (until the list is focused again)."""
        self.last_query = ""
        self.opened_message_id: str | None = None
        self.in_new_tab = False
        """The chat was opened with the new-tab key: in a new tab, not in place of the shown one."""
        """When a search hit was opened: its message (it may sit on another branch than
        the chat's current one; `ChatStore.switch_branch` can bring it into view)."""

    # -- layout -------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        with Vertical(id="history-body") as body:
            body.border_title = "History"
            body.border_subtitle = "Enter open · Alt+T new tab · r rename · d delete · e export · / search · Esc close"
            yield Input(placeholder="Search all chats…", id="history-search", select_on_focus=False)
            yield DataTable(id="history-table", cursor_type="row", zebra_stripes=True)
            yield Static("", id="history-status")

    def on_mount(self) -> None:
        self._show_list()
        self.watch(self.table, "scroll_y", self._scrolled, init=False)

    @property
    def table(self) -> DataTable[object]:
        return self.query_one("#history-table", DataTable)

    # -- list mode ----------------------------------------------------------------------

    def _show_list(self) -> None:
        self.mode = "list"
        table = self.table
        table.clear(columns=True)
        table.add_column("Title", key="title", width=self._list_title_width())
        table.add_column("Models", key="models", width=self._models_width())
        table.add_column("Updated", key="updated", width=WHEN_WIDTH)
        table.add_column("Msgs", key="count", width=COUNT_WIDTH)
        self._row_chat = {}
        self._titles = {}
        self._loaded = 0
        self._exhausted = False
        self._loading = False
        self._generation += 1
        self._load_more()
        self._update_status()

    def _list_title_width(self) -> int:
        """The title column takes what the other columns leave, so the table spans the
        terminal's width (each column has a cell of padding either side, and the
        vertical scrollbar takes two)."""
        width = self._list_width()
        return max(16, width - self._models_width() - WHEN_WIDTH - COUNT_WIDTH - 4 * 2 - 2)

    def _list_width(self) -> int:
        return self.table.size.width or self.app.size.width - 4

    def _models_width(self) -> int:
        """A quarter of the width, 14 to 30 columns: an 80-column terminal keeps 30 for titles."""
        return max(14, min(MODELS_WIDTH, self._list_width() // 4))

    def on_resize(self) -> None:
        if self.mode != "list" or not self.table.columns:
            return
        self.call_after_refresh(self._fit_title_column)

    def _fit_title_column(self) -> None:
        table = self.table
        changed = False
        for key, width in (("title", self._list_title_width()), ("models", self._models_width())):
            column = table.columns.get(ColumnKey(key))
            if self.mode == "list" and column is not None and column.width != width:
                column.width = width
                changed = True
        if changed:
            table._require_update_dimensions = True  # Textual reads it on the next refresh
            table.refresh()

    def _load_more(self) -> None:
        """Ask for the next page of chats (list mode); `_page_loaded` appends it."""
        if self.mode != "list" or self._exhausted or self._loading:
            return
        self._loading = True
        self._read_page(self._generation, self._loaded)

    @work(thread=True, group="history-page", exit_on_error=False)
    def _read_page(self, generation: int, offset: int) -> None:
        try:
            chats = self.store.list_chats(limit=PAGE_SIZE, offset=offset)
        except StoreError as error:
            self.post_message(StoreFailed("History", str(error)))
            chats = []
        self.post_message(PageLoaded(generation, chats))

    @on(PageLoaded)
    def _page_loaded(self, event: PageLoaded) -> None:
        if event.generation != self._generation:
            return  # the table shows something else now
        self._loading = False
        chats = event.chats
        self._exhausted = len(chats) < PAGE_SIZE
        self._loaded += len(chats)
        table = self.table
        for chat in chats:
            if chat.id in self._row_chat:
                continue  # a chat that moved up while we paged
            table.add_row(*self._list_cells(chat), key=chat.id)
            self._row_chat[chat.id] = chat.id
            self._titles[chat.id] = chat.title
        self._update_status()
        if table.cursor_row >= table.row_count - MORE_MARGIN:
            self._load_more()  # the cursor went on while this page was read

    @staticmethod
    def _list_cells(chat: ChatSummary) -> tuple[object, ...]:
        return (
            # a str cell would be read as markup; the column crops what its width leaves out
            Text(_clip(chat.title, TITLE_WIDTH), no_wrap=True, overflow="ellipsis"),
            _models_cell(chat),
            _when(chat.updated_at),
            Text(str(chat.message_count), justify="right"),
        )

    def _maybe_load_more(self) -> None:
        table = self.table
        near_cursor = table.cursor_row >= table.row_count - MORE_MARGIN
        near_bottom = table.max_scroll_y > 0 and table.scroll_y >= table.max_scroll_y - MORE_MARGIN
        if table.row_count == 0:
            return
        if self.mode == "list" and not self._exhausted and (near_cursor or near_bottom):
            self._load_more()

    @on(DataTable.RowHighlighted, "#history-table")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._maybe_load_more()

    def _scrolled(self, _old: float, _new: float) -> None:
        self._maybe_load_more()

    # -- search mode --------------------------------------------------------------------

    @on(Input.Changed, "#history-search")
    def _query_changed(self, event: Input.Changed) -> None:
        if self._search_timer is not None:
            self._search_timer.stop()
            self._search_timer = None
        if not event.value.strip():
            self._generation += 1  # a search still running is not wanted any more
            if self.mode != "list":
                self._show_list()
            return
        self._search_timer = self.set_timer(SEARCH_DELAY, self._run_search)

    def _run_search(self) -> None:
        self._search_timer = None
        query = self.query_one("#history-search", Input).value
        if not query.strip():
            return
        self._generation += 1
        self._search(self._generation, query)

    @work(thread=True, group="history-search", exit_on_error=False)
    def _search(self, generation: int, query: str) -> None:
        try:
            hits = self.store.search(query, limit=PAGE_SIZE)
        except StoreError as error:
            self.post_message(StoreFailed("Search", str(error)))
            return
        self.post_message(SearchDone(generation, query, hits))

    @on(SearchDone)
    def _search_done(self, event: SearchDone) -> None:
        if event.generation != self._generation:
            return  # the query was retyped or cleared since
        hits = event.hits
        self.last_query = event.query
        self.mode = "search"
        table = self.table
        table.clear(columns=True)
        match_width = max(24, table.size.width - HIT_TITLE_WIDTH - WHEN_WIDTH - 8)
        table.add_column("Chat", key="title", width=HIT_TITLE_WIDTH)
        table.add_column("Match", key="match", width=match_width)
        table.add_column("When", key="updated", width=WHEN_WIDTH)
        self._row_chat = {}
        self._titles = {}
        for hit in hits:
            label = Text(_clip(hit.title, HIT_TITLE_WIDTH), no_wrap=True, overflow="ellipsis")
            if hit.role == "assistant":
                label.append(f"  {visible_line(hit.model or 'reply')}", style="dim")
            table.add_row(label, _snippet(hit), _when(hit.created_at), key=hit.message_id)
            self._row_chat[hit.message_id] = hit.chat_id
            self._titles[hit.message_id] = hit.title
        self._update_status(len(hits))
        if self._focus_results and hits:
            self.table.focus()
        self._focus_results = False

    def _update_status(self, hits: int | None = None) -> None:
        status = self.query_one("#history-status", Static)
        if self.mode == "search":
            count = hits if hits is not None else self.table.row_count
            status.update(f"{count} match{'es' if count != 1 else ''}" if count else "No messages match.")
        elif self.table.row_count == 0:
            status.update("Reading the history…" if self._loading else "No saved chats yet.")
        else:
            more = "" if self._exhausted else " (more below)"
            status.update(f"{self.table.row_count} chats{more}")

    @on(Input.Submitted, "#history-search")
    def _search_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if self._search_timer is not None:  # Enter before the debounce fired
            self._search_timer.stop()
            self._run_search()
            self._focus_results = True  # to the results when they come
        elif self.table.row_count:
            self.table.focus()

    def on_key(self, event: Key) -> None:
        """Type-to-search: a printable key on the list goes to the search box."""
        search = self.query_one("#history-search", Input)
        if self.focused is self.table and event.character and event.is_printable:
            if not self._typing_query and (event.character.isspace() or event.key in LIST_KEYS):
                return  # r / d / e / slash are the list's own keys
            # Once a query is started, every key typed before the focus reaches the box
            # (fast typing, a paste) belongs to it: "dreams" must not delete a chat.
            event.stop()
            event.prevent_default()
            self._typing_query = True
            search.focus()
            search.insert_text_at_cursor(event.character)
        elif self.focused is search and event.key == "down" and self.table.row_count:
            event.stop()
            self.table.focus()

    def on_descendant_focus(self, event: DescendantFocus) -> None:
        if event.widget is self.table:
            self._typing_query = False  # back on the list: r / d / e are its keys again

    # -- actions ------------------------------------------------------------------------

    def selected_chat(self) -> str | None:
        """The chat id of the highlighted row, if any."""
        table = self.table
        if table.row_count == 0:
            return None
        row_key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key
        return self._row_chat.get(str(row_key.value))

    def _selected_row_key(self) -> str | None:
        table = self.table
        if table.row_count == 0:
            return None
        return str(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)

    @on(DataTable.RowSelected, "#history-table")
    def _open(self, event: DataTable.RowSelected) -> None:
        event.stop()
        key = str(event.row_key.value)
        chat_id = self._row_chat.get(key)
        if chat_id:
            self.opened_message_id = key if self.mode == "search" else None
            self.dismiss(chat_id)

    def action_open_in_tab(self) -> None:
        key = self._selected_row_key()
        chat_id = self._row_chat.get(key) if key is not None else None
        if chat_id:
            self.in_new_tab = True
            self.opened_message_id = key if self.mode == "search" else None
            self.dismiss(chat_id)

    def action_close(self) -> None:
        self.dismiss(None)

    def action_focus_search(self) -> None:
        self.query_one("#history-search", Input).focus()

    def action_rename(self) -> None:
        chat_id, row_key = self.selected_chat(), self._selected_row_key()
        if chat_id is None or row_key is None:
            return

        def done(title: str | None) -> None:
            if title:
                self._rename(chat_id, title)

        self.app.push_screen(RenameChatScreen(self._titles.get(row_key, "")), done)

    @work(thread=True, group="history-edit", exit_on_error=False)
    def _rename(self, chat_id: str, title: str) -> None:
        try:
            self.store.rename(chat_id, title)
        except StoreError as error:
            self.post_message(StoreFailed("Rename", str(error)))
            return
        self.post_message(ChatRenamed(chat_id, title))

    @on(ChatRenamed)
    def _renamed(self, event: ChatRenamed) -> None:
        title = event.title
        for key, chat in self._row_chat.items():
            if chat == event.chat_id:
                self._titles[key] = title
                width = TITLE_WIDTH if self.mode == "list" else HIT_TITLE_WIDTH
                self.table.update_cell(key, "title", Text(_clip(title, width), no_wrap=True, overflow="ellipsis"))
        self.notify(f"Renamed to “{title}”", title="History")

    def action_delete(self) -> None:
        chat_id = self.selected_chat()
        if chat_id is not None:
            self._ask_delete(chat_id)

    @work(thread=True, group="history-edit", exit_on_error=False)
    def _ask_delete(self, chat_id: str) -> None:
        try:
            summary = self.store.summary(chat_id)
        except StoreError as error:
            self.post_message(StoreFailed("Delete", str(error)))
            return
        self.post_message(DeleteAsked(summary))

    @on(DeleteAsked)
    def _confirm_delete(self, event: DeleteAsked) -> None:
        summary = event.summary
        count = summary.message_count
        question = f"Delete “{visible_line(summary.title)}” and its {count} message{'s' if count != 1 else ''}?\nThis cannot be undone."

        def done(confirmed: bool | None) -> None:
            if confirmed:
                self._delete(summary)

        self.app.push_screen(ConfirmScreen("Delete chat", question, yes="Delete", no="Cancel", danger=True), done)

    @work(thread=True, group="history-edit", exit_on_error=False)
    def _delete(self, summary: ChatSummary) -> None:
        try:
            self.store.delete(summary.id)
        except StoreError as error:
            self.post_message(StoreFailed("Delete", str(error)))
            return
        self.post_message(ChatRemoved(summary))

    @on(ChatRemoved)
    def _removed(self, event: ChatRemoved) -> None:
        chat_id = event.summary.id
        self.deleted.add(chat_id)
        self.post_message(self.ChatDeleted(chat_id))
        for key in [k for k, c in self._row_chat.items() if c == chat_id]:
            self.table.remove_row(key)
            del self._row_chat[key]
            self._titles.pop(key, None)
        if self.mode == "list":
            self._loaded = max(0, self._loaded - 1)
        self._update_status()
        self.notify(f"Deleted “{event.summary.title}”", title="History")

    def action_export(self) -> None:
        """Ask where and as what (Markdown or JSON), then write in a worker thread."""
        from chatterm.tui.screens.export_dialog import ExportScreen

        chat_id = self.selected_chat()
        if chat_id is None:
            return
        key = self._selected_row_key()
        stem = f"{_slug(self._titles.get(key or '', ''))}-{chat_id[:8]}"

        def chosen(choice: ExportChoice | None) -> None:
            if choice is not None:
                self._export(chat_id, choice)

        self.app.push_screen(ExportScreen(self.export_dir or Path.cwd(), stem), chosen)

    @work(thread=True, group="history-edit", exit_on_error=False)
    def _export(self, chat_id: str, choice: ExportChoice) -> None:
        import json

        try:
            path, n = choice.path, 1
            while path.exists():  # never overwrite: name-1.md, name-2.md, ...
                path = choice.path.with_name(f"{choice.path.stem}-{n}{choice.path.suffix}")
                n += 1
            path.parent.mkdir(parents=True, exist_ok=True)
            if choice.format == "json":
                text = json.dumps(self.store.export_json(chat_id), ensure_ascii=False, indent=2) + "\n"
            else:
                text = self.store.export_markdown(chat_id, path)  # generated images copied beside it
            write_text_atomically(path, text)  # a full disk leaves no half file
        except (StoreError, OSError) as error:
            self.post_message(StoreFailed("Export", str(error)))
            return
        self.post_message(ChatExported(path))

    @on(ChatExported)
    def _exported(self, event: ChatExported) -> None:
        self.notify(f"Exported to {event.path}", title="History")

    @on(StoreFailed)
    def _store_failed(self, event: StoreFailed) -> None:
        self.notify(event.error, title=event.what, severity="error")
