"""The history screen over a real SQLite store: paging, search, open, rename, delete,
export, close."""

from __future__ import annotations

import html
from pathlib import Path

import pytest
from textual.app import App
from textual.widgets import DataTable, Input, Static

from chatterm.engine.conversation import Conversation, Message
from chatterm.store import ChatStore
from chatterm.tui.plain_toasts import PlainToasts
from chatterm.tui.screens.confirm import ConfirmScreen
from chatterm.tui.screens.history import HistoryScreen, RenameChatScreen

from .waiting import wait_until

CHATS = 120


class Host(PlainToasts, App[None]):
    def __init__(self, store: ChatStore, export_dir: Path) -> None:
        super().__init__()
        self.store = store
        self.export_dir = export_dir
        self.results: list[str | None] = []
        self.deleted: list[str] = []

    def on_history_screen_chat_deleted(self, event: HistoryScreen.ChatDeleted) -> None:
        self.deleted.append(event.chat_id)

    def on_mount(self) -> None:
        self.push_screen(HistoryScreen(self.store, export_dir=self.export_dir), self.results.append)


def _fill(store: ChatStore, count: int) -> list[Conversation]:
    chats = []
    for i in range(count):
        conv = Conversation()
        conv.append(Message("user", f"Question {i} about chat number {i}"))
        conv.append(Message("assistant", f"Answer {i}", model="model-a" if i % 2 else "model-b"))
        conv.created_at = conv.updated_at = 1_700_000_000 + i * 60
        store.save_conversation(conv)
        chats.append(conv)
    special = chats[7]
    special.append(Message("user", "where do wombats live?"))
    special.append(Message("assistant", "Wombats live in Australia.", model="model-c"))
    special.updated_at = 1_700_000_000 + 7 * 60  # stays in its place in the list
    store.save_conversation(special)
    return chats


@pytest.fixture
def store(tmp_path: Path):
    s = ChatStore(tmp_path / "history.db")
    yield s
    s.close()


@pytest.fixture
def chats(store: ChatStore) -> list[Conversation]:
    return _fill(store, CHATS)


def _screen(app: App[None]) -> HistoryScreen:
    assert isinstance(app.screen, HistoryScreen)
    return app.screen


def _table(app: App[None]) -> DataTable[object]:
    return _screen(app).query_one("#history-table", DataTable)


def _row_titles(app: App[None]) -> list[str]:
    table = _table(app)
    return [str(table.get_row_at(i)[0]) for i in range(table.row_count)]


def _status(app: App[None]) -> str:
    return str(_screen(app).query_one("#history-status", Static).render())


async def _listed(pilot, rows: int = 50) -> None:
    """The screen's first page came from the store (its reads run in worker threads)."""
    await wait_until(pilot, lambda: isinstance(pilot.app.screen, HistoryScreen) and _table(pilot.app).row_count == rows)


def _screen_text(app: App[None]) -> str:
    """What the terminal shows (the screenshot's text, entities decoded)."""
    return html.unescape(app.export_screenshot()).replace("\xa0", " ")


async def test_first_page_newest_first_then_more_on_scroll(store, chats, tmp_path) -> None:
    app = Host(store, tmp_path)
    async with app.run_test() as pilot:
        await _listed(pilot)
        table = _table(app)
        titles = _row_titles(app)
        assert titles[0] == "Question 119 about chat number 119"
        assert titles[49] == "Question 70 about chat number 70"
        first = table.get_row_at(0)
        assert str(first[1]) == "model-a" and str(first[3]) == "2"
        assert "50 chats (more below)" in _status(app)
        assert app.focused is table

        table.move_cursor(row=45)  # the cursor nears the end
        await wait_until(pilot, lambda: table.row_count == 100)
        table.scroll_end(animate=False, immediate=True)  # the scrollbar reaches the end
        await wait_until(pilot, lambda: table.row_count == CHATS)
        assert _row_titles(app)[-1] == "Question 0 about chat number 0"
        assert f"{CHATS} chats" in _status(app)


async def test_enter_opens_the_highlighted_chat(store, chats, tmp_path) -> None:
    app = Host(store, tmp_path)
    async with app.run_test() as pilot:
        await _listed(pilot)
        await pilot.press("down", "down", "enter")
        await pilot.pause()
        assert app.results == [chats[117].id]


async def test_escape_closes_with_none(store, chats, tmp_path) -> None:
    app = Host(store, tmp_path)
    async with app.run_test() as pilot:
        await pilot.press("escape")
        await pilot.pause()
        assert app.results == [None]
        assert not isinstance(app.screen, HistoryScreen)


async def test_typing_searches_and_enter_opens_the_hit(store, chats, tmp_path) -> None:
    app = Host(store, tmp_path)
    async with app.run_test() as pilot:
        await _listed(pilot)
        await pilot.press("w")  # type-to-search from the list
        search = _screen(app).query_one("#history-search", Input)
        assert app.focused is search and search.value == "w"
        await pilot.press(*"ombat")
        screen = _screen(app)
        await wait_until(pilot, lambda: screen.mode == "search" and screen.last_query == "wombat")
        table = _table(app)
        assert table.row_count == 2
        prompt_row = table.get_row_at(0)
        assert str(prompt_row[0]).startswith("Question 7 about chat")
        snippet = prompt_row[1]
        assert snippet.plain == "where do wombats live?"
        assert any(
            span.style == "bold underline" and snippet.plain[span.start : span.end] == "wombats"
            for span in snippet.spans
        )
        assert "2 matches" in _status(app)

        await pilot.press("enter")  # from the search box: to the results
        assert app.focused is table
        await pilot.press("down", "enter")
        await pilot.pause()
        assert app.results == [chats[7].id]
        assert screen.opened_message_id == chats[7].messages[-1].id  # the reply hit


async def test_clearing_the_search_returns_to_the_list(store, chats, tmp_path) -> None:
    app = Host(store, tmp_path)
    async with app.run_test() as pilot:
        await _listed(pilot)
        await pilot.press("slash", *"nothing-matches-this")
        await wait_until(pilot, lambda: "No messages match" in _status(app))
        assert _table(app).row_count == 0
        _screen(app).query_one("#history-search", Input).value = ""
        await _listed(pilot)
        assert _screen(app).mode == "list"


async def test_delete_asks_then_removes_the_chat(store, chats, tmp_path) -> None:
    app = Host(store, tmp_path)
    async with app.run_test() as pilot:
        await _listed(pilot)
        await pilot.press("d")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        assert isinstance(app.screen, ConfirmScreen)
        assert "Question 119" in app.screen.question and "2 messages" in app.screen.question
        assert app.screen.focused is not None and app.screen.focused.id == "confirm-no"  # Enter keeps it
        await pilot.press("n")  # changed my mind
        await wait_until(pilot, lambda: isinstance(app.screen, HistoryScreen))
        assert store.count_chats() == CHATS
        assert app.deleted == []

        await pilot.press("d")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await wait_until(pilot, lambda: app.deleted != [])
        assert isinstance(app.screen, HistoryScreen)
        assert store.count_chats() == CHATS - 1
        assert chats[119].id not in {c.id for c in store.list_chats(200)}
        assert store.search("119") == []
        assert _row_titles(app)[0] == "Question 118 about chat number 118"
        # the app hears of it (so it can leave a chat that no longer exists)
        assert app.deleted == [chats[119].id]
        assert _screen(app).deleted == {chats[119].id}


async def test_rename_updates_store_and_row(store, chats, tmp_path) -> None:
    app = Host(store, tmp_path)
    async with app.run_test() as pilot:
        await _listed(pilot)
        await pilot.press("down", "r")
        await wait_until(pilot, lambda: isinstance(app.screen, RenameChatScreen))
        assert isinstance(app.screen, RenameChatScreen)
        field = app.screen.query_one(Input)
        assert field.value == "Question 118 about chat number 118"
        field.value = ""
        await pilot.press(*"Renamed chat", "enter")
        await wait_until(pilot, lambda: isinstance(app.screen, HistoryScreen) and _row_titles(app)[1] == "Renamed chat")
        loaded = store.load(chats[118].id)
        assert loaded.title == "Renamed chat" and loaded.title_is_custom
        assert _row_titles(app)[1] == "Renamed chat"


async def test_export_writes_markdown_and_says_where(store, chats, tmp_path) -> None:
    app = Host(store, tmp_path)
    async with app.run_test() as pilot:
        await _listed(pilot)
        await pilot.press("e")  # the dialog suggests this folder and a Markdown name: Enter takes them
        await wait_until(pilot, lambda: type(app.screen).__name__ == "ExportScreen")
        await pilot.press("enter")
        await wait_until(pilot, lambda: any("Exported" in str(n.message) for n in app._notifications))
        [path] = list(tmp_path.glob("*.md"))
        assert path.name == f"question-119-about-chat-number-119-{chats[119].id[:8]}.md"
        assert path.read_text().startswith("# Question 119 about chat number 119")
        await pilot.press("e")  # again: a second file, never overwriting the first
        await wait_until(pilot, lambda: type(app.screen).__name__ == "ExportScreen")
        await pilot.press("enter")
        await wait_until(pilot, lambda: len(list(tmp_path.glob("*.md"))) == 2)
        assert any(str(path) in str(n.message) for n in app._notifications)


async def test_empty_store(store, tmp_path) -> None:
    app = Host(store, tmp_path)
    async with app.run_test() as pilot:
        await wait_until(pilot, lambda: "No saved chats yet" in _status(app))
        assert _table(app).row_count == 0
        await pilot.press("enter", "r", "d", "e")
        await pilot.pause()
        assert isinstance(app.screen, HistoryScreen) and app.results == []


async def test_titles_with_brackets_show_as_typed_and_never_crash(store, tmp_path) -> None:
    """A prompt like "explain arr[i]" titles its chat: the list, the delete question and
    the notifications show it as typed (not read as markup), and "[/]" crashes nothing."""
    conv = Conversation()
    conv.append(Message("user", "explain arr[i] and [bold]x"))
    conv.append(Message("assistant", "ok", model="m"))
    store.save_conversation(conv)
    app = Host(store, tmp_path)
    async with app.run_test() as pilot:
        await _listed(pilot, rows=1)
        assert "explain arr[i] and [bold]x" in _screen_text(app)
        await pilot.press("d")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        assert isinstance(app.screen, ConfirmScreen)
        question = str(app.screen.query_one("#confirm-question", Static).render())
        assert "“explain arr[i] and [bold]x”" in question
        await pilot.press("n")
        await pilot.press("r")
        await wait_until(pilot, lambda: isinstance(app.screen, RenameChatScreen))
        field = app.screen.query_one(Input)
        field.value = ""
        await pilot.press(*"weird [/] title", "enter")
        await wait_until(pilot, lambda: any("weird" in str(n.message) for n in app._notifications))
        assert isinstance(app.screen, HistoryScreen)  # still running
        assert "weird [/] title" in _screen_text(app)
        toasts = [n for n in app._notifications if "weird" in n.message]
        assert toasts and not any(n.markup for n in toasts)  # shown as typed
        assert store.load(conv.id).title == "weird [/] title"
        assert any("weird [/] title" in str(n.message) for n in app._notifications)


async def test_fast_typing_on_the_list_all_goes_to_the_search(store, chats, tmp_path) -> None:
    """Keys typed faster than the focus moves (a quick typist, a paste, tmux send-keys):
    after the first letter sends the search box focus, r / d / e are letters of the
    query, never rename / delete / export."""
    from textual import events

    app = Host(store, tmp_path)
    async with app.run_test() as pilot:
        await _listed(pilot)
        assert _screen(app).focused is _table(app)
        for char in "wombat dreams":
            app.post_message(events.Key("space" if char == " " else char, char))
        await wait_until(pilot, lambda: _screen(app).last_query == "wombat dreams")
        assert isinstance(app.screen, HistoryScreen), "no dialog opened"
        assert _screen(app).query_one("#history-search", Input).value == "wombat dreams"
        assert store.count_chats() == CHATS
        assert not list(tmp_path.glob("*.md"))


async def test_the_list_names_each_chats_preset_made_safe(store, tmp_path) -> None:
    """A chat started from a preset says so in the list, before its models; a preset name
    from a hand-edited or damaged history is shown, never obeyed; a chat without one, or
    whose saved settings are not JSON, lists as before."""
    import sqlite3

    from tests.tui.screen_output import screen_output

    made = {}
    for n, preset in enumerate(["reviewer", "evil\x1b[31m[bold]x", None, "broken"]):
        conv = Conversation()
        conv.settings.preset = preset
        conv.append(Message("user", f"chat {n}"))
        conv.append(Message("assistant", "ok", model="model-a"))
        conv.created_at = conv.updated_at = 1_700_000_000 + n
        store.save_conversation(conv)
        made[n] = conv.id
    with sqlite3.connect(store.path) as db:
        db.execute("UPDATE chats SET settings = '{not json' WHERE id = ?", (made[3],))
    app = Host(store, tmp_path)
    async with app.run_test(size=(120, 30)) as pilot:
        await _listed(pilot, rows=4)
        table = _table(app)
        cells = {str(table.get_row_at(i)[0]): str(table.get_row_at(i)[1]) for i in range(4)}
        assert cells == {
            "chat 0": "◆ reviewer · model-a",
            "chat 1": "◆ evil␛[31m[bold]x · model-a",
            "chat 2": "model-a",
            "chat 3": "model-a",
        }
        assert "◆ reviewer" in _screen_text(app)
        assert "\x1b[31m" not in screen_output(app)
