"""What a daily user trips over, checked on the real app against the demo gateway.

Reading a long reply without leaving the prompt (PageUp / PageDown), typing while a
message has the focus, a mistyped `@path`, a second tool call waiting its turn, an
edit that stays visible, a stopped reply marked where the text ends, one theme entry
in the palette, and the first-run dialog whole on an 80x24 terminal.
"""

from __future__ import annotations

from typing import Any

from textual.app import App
from textual.widgets import Static

from chatterm.tui.app import ChatApp
from chatterm.tui.screens.first_run import FirstRunScreen
from chatterm.tui.screens.reply_messages import missing_at_paths
from chatterm.tui.widgets.message import STOPPED_NOTE, AssistantMessageView, UserMessageView
from chatterm.tui.widgets.tool_call import ToolCallRow

from .approving import approve
from .conftest import reply_done, send, stop_a_long_reply, wait_until

SIZE = (100, 30)


def chat_requests(gateway: Any) -> int:
    return sum(1 for r in gateway.requests if r.path.endswith(("/chat/completions", "/responses")))


async def test_page_keys_in_the_prompt_scroll_the_conversation(chat_context: Any) -> None:
    app = ChatApp(chat_context)
    async with app.run_test(size=SIZE) as pilot:
        await send(pilot, "!tokens=1500")
        await reply_done(pilot)
        screen = app.chat_screen
        pane = screen.pane
        await wait_until(pilot, lambda: pane.max_scroll_y > 0 and pane.scroll_y == pane.max_scroll_y)
        assert app.focused is screen.prompt
        bottom = pane.scroll_y
        await pilot.press("pageup")
        await wait_until(pilot, lambda: pane.scroll_y < bottom)
        assert app.focused is screen.prompt  # still typing in the prompt
        await pilot.press(*"abc")
        assert screen.prompt.text == "abc"
        for _ in range(40):
            await pilot.press("pagedown")
        await wait_until(pilot, lambda: pane.scroll_y == pane.max_scroll_y)
        assert pane._following()  # back at the bottom: a new reply is followed again


async def test_a_letter_typed_on_a_focused_message_goes_to_the_prompt(chat_context: Any) -> None:
    app = ChatApp(chat_context)
    async with app.run_test(size=SIZE) as pilot:
        await send(pilot, "hello there")
        await reply_done(pilot)
        screen = app.chat_screen
        [reply] = screen.query(AssistantMessageView)
        reply.focus()
        await pilot.pause()
        await pilot.press(*"so")
        assert app.focused is screen.prompt
        assert screen.prompt.text == "so"
        # A key the message binds keeps its meaning: c copies the message.
        reply.focus()
        await pilot.pause()
        await pilot.press("c")
        assert app.clipboard == reply.message.text
        assert screen.prompt.text == "so"


async def test_a_missing_at_path_is_refused_and_the_prompt_kept(
    chat_context: Any, demo_gateway: Any, tmp_path: Any
) -> None:
    app = ChatApp(chat_context)
    async with app.run_test(size=SIZE) as pilot:
        before = chat_requests(demo_gateway)
        missing = tmp_path / "nope.pdf"
        await send(pilot, f"summarise @{missing} please")
        await pilot.pause()
        screen = app.chat_screen
        assert screen.prompt.text == f"summarise @{missing} please"
        assert not screen.query(UserMessageView)
        assert chat_requests(demo_gateway) == before
        assert any(f"No file at @{missing}" in str(n.message) for n in app._notifications)
        # A file that exists is attached; `@name` words are not taken for paths.
        present = tmp_path / "note.txt"
        present.write_text("hello from a note")
        screen.prompt.load_text("")
        await send(pilot, f"ask @octocat about @{present}")
        await reply_done(pilot)
        [user] = screen.query(UserMessageView)
        assert user.message.attachments


def test_missing_at_paths_only_takes_what_is_clearly_a_path(tmp_path: Any) -> None:
    present = tmp_path / "here.txt"
    present.write_text("x")
    text = f"@octocat @org/repo @{present} @{tmp_path}/gone.md @~/no-such-file-here @./nope.txt"
    assert missing_at_paths(text) == [f"{tmp_path}/gone.md", "~/no-such-file-here", "./nope.txt"]


async def test_a_tool_call_waiting_its_turn_reads_queued(chat_context: Any) -> None:
    app = ChatApp(chat_context)
    async with app.run_test(size=SIZE) as pilot:
        await send(pilot, "!parallel")
        await wait_until(pilot, lambda: type(app.screen).__name__ == "ToolApprovalScreen")
        rows = list(app.chat_screen.query(ToolCallRow))
        titles = [str(row.title) for row in rows]
        assert titles[0].endswith("waiting for approval")
        assert titles[1].endswith("queued")
        await approve(pilot)
        await wait_until(pilot, lambda: str(rows[1].title).endswith("waiting for approval"))
        await approve(pilot)
        await reply_done(pilot, replies=2)


async def test_editing_a_prompt_shows_on_the_prompt_box_until_sent_or_cancelled(chat_context: Any) -> None:
    app = ChatApp(chat_context)
    async with app.run_test(size=SIZE) as pilot:
        await send(pilot, "first question")
        await reply_done(pilot)
        screen = app.chat_screen
        [user] = screen.query(UserMessageView)
        user.focus()
        await pilot.press("e")
        prompt = screen.prompt
        assert prompt.text == "first question"
        assert "Editing" in str(prompt.border_title) and prompt.has_class("-editing")
        await pilot.press("escape")
        assert not prompt.border_title and not prompt.has_class("-editing")
        user.focus()
        await pilot.press("e", *" again", "enter")
        assert not prompt.border_title
        await reply_done(pilot)


async def test_a_stopped_reply_says_so_where_its_text_ends(chat_context: Any) -> None:
    app = ChatApp(chat_context)
    async with app.run_test(size=SIZE) as pilot:
        reply = await stop_a_long_reply(pilot)
        [note] = reply.query(".stop-note")
        assert str(note.render()) == STOPPED_NOTE
        children = list(reply.children)
        assert children.index(note) == children.index(reply.body) + 1
        chat_id = app.conversation.id
        # Reopened from history, the note is still there; a finished reply has none.
        await send(pilot, "and now?")
        await reply_done(pilot, replies=2)
        await app.load_conversation(app.context.open_store().load(chat_id))
        await pilot.pause()
        views = list(app.chat_screen.query(AssistantMessageView))
        assert [len(v.query(".stop-note")) for v in views] == [1, 0]


async def test_the_palette_offers_one_theme_entry(chat_context: Any) -> None:
    app = ChatApp(chat_context)
    async with app.run_test(size=SIZE):
        titles = [command.title for command in app.get_system_commands(app.screen)]
        assert "Theme" not in titles and "Keys" not in titles
        assert "Quit" in titles


async def test_first_run_dialog_keeps_its_buttons_on_80x24_after_an_error() -> None:
    class Host(App[None]):
        def on_mount(self) -> None:
            self.push_screen(FirstRunScreen())

    app = Host()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.click("#first-run-save")
        screen = app.screen
        assert screen.query_one("#first-run-error", Static).display
        dialog = screen.query_one("#first-run-dialog")
        for button in ("#first-run-save", "#first-run-demo"):
            region = screen.query_one(button).region
            assert dialog.content_region.contains_region(region), button
