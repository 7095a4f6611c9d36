"""Control sequences from outside never reach the terminal from the TUI: every view of
a model's, a gateway's or the history's text shows them as visible stand-ins.

Each test reads the bytes the app would write for its screen (`screen_output`)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from textual.app import App, ComposeResult
from textual.containers import VerticalScroll

from chatterm.api.errors import APIError
from chatterm.api.types import Citation, ToolCall
from chatterm.engine.conversation import Conversation, Message
from chatterm.store import ChatStore
from chatterm.tui.app import ChatApp
from chatterm.tui.plain_toasts import PlainToasts
from chatterm.tui.screens.history import HistoryScreen
from chatterm.tui.screens.picker import ModelPickerScreen
from chatterm.tui.widgets.error_row import ErrorRow, NoticeRow
from chatterm.tui.widgets.message import build_message_view, tool_outputs
from tests.cli.hostile import HOSTILE, TITLE, injected_in
from tests.store.store_helpers import save_all

from .conftest import reply_done, send, wait_until
from .screen_output import screen_output

SIZE = (120, 80)
SHOWN = "␛]0;pwned␇"


def assert_safe(app: Any, *, expect: int = 1) -> str:
    """The screen's bytes hold none of the injected sequences; returns its text without
    the app's colours (an editor styles words apart), to look for the stand-ins in."""
    out = screen_output(app)
    assert injected_in(out.encode()) == []
    text = re.sub("\x1b\\[[0-9;]*m", "", out)
    assert text.count(SHOWN) >= expect, text
    return text


def hostile_reply() -> list[Message]:
    call = ToolCall("call_1", f"calc{TITLE}", '{"expression": "1\\u001b]0;pwned\\u0007"}')
    return [
        Message("user", f"prompt from history {TITLE}"),
        Message(
            "assistant",
            f"# Reply\n\n{HOSTILE}\n\n```\ncode {TITLE}\n```\n",
            reasoning=f"thinking {TITLE}",
            tool_calls=[call],
            model=f"model{TITLE}",
            citations=[Citation("https://example.com/a", f"Source {TITLE}"), Citation(f"https://e.com/{TITLE}")],
            state="failed",
            error=f"gateway said {TITLE}",
        ),
        Message("tool", f"file says {TITLE}", tool_call_id="call_1", name="calc"),
    ]


class Host(PlainToasts, App[None]):
    def __init__(self, messages: list[Message]) -> None:
        super().__init__()
        self.messages = messages

    def compose(self) -> ComposeResult:
        outputs = tool_outputs(self.messages)
        with VerticalScroll():
            for message in self.messages:
                view = build_message_view(message, outputs)
                if view is not None:
                    yield view
            yield ErrorRow(APIError(f"bad {TITLE}", status=400, provider_message=f"provider {TITLE}"))
            yield NoticeRow(f"notice {TITLE}")


async def test_a_saved_reply_every_part_shows_stand_ins() -> None:
    app = Host(hostile_reply())
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        for view in app.query("ThinkingBlock, ToolCallRow"):
            view.collapsed = False  # type: ignore[attr-defined]
        for result in app.query("ToolResult"):
            result.action_toggle_output()  # type: ignore[attr-defined]
        await pilot.pause()
        out = assert_safe(app, expect=10)
        for part in ("prompt from history ␛", "thinking ␛", "calc␛", "model␛", "Source ␛", "gateway said ␛"):
            assert part in out, part
        for part in ("file says ␛", "provider ␛", "notice ␛", "code ␛", "␛]52;c;aGVsbG8=␇", "␛[2J"):
            assert part in out, part
        app.notify(f"toast {TITLE}", title=f"title {TITLE}")
        await wait_until(pilot, lambda: "toast" in screen_output(app))
        assert "toast ␛" in assert_safe(app)


async def test_a_streaming_reply_shows_stand_ins_while_it_streams(chat_context: Any) -> None:
    """The demo quotes the prompt in its reply: a reply that carries the attack, live."""
    app = ChatApp(chat_context)
    async with app.run_test(size=SIZE) as pilot:
        await send(pilot, f"!rate=30 {HOSTILE}")
        screen = app.chat_screen
        # The quote of the prompt is the block being written: the live Markdown holds it.
        await wait_until(
            pilot,
            lambda: (
                screen.current_view is not None
                and "pwned" in screen.current_view.body._segmenter.tail
                and "pwned" in screen_output(app)
            ),
        )
        assert_safe(app)
        await reply_done(pilot, timeout=30)
        assert_safe(app, expect=2)  # frozen: the heading and the quote


async def test_model_ids_in_the_status_bar_and_picker(chat_context: Any) -> None:
    app = ChatApp(chat_context)
    async with app.run_test(size=SIZE) as pilot:
        settings = app.conversation.settings
        settings.model = f"evil{TITLE}"
        app.chat_screen.query_one("StatusBar").show_settings(settings)  # type: ignore[attr-defined]
        await pilot.pause()
        assert "evil␛" in assert_safe(app)
        app.push_screen(ModelPickerScreen({}, [], f"evil{TITLE}", cached=[f"listed{TITLE}"]))
        await pilot.pause()
        assert "listed␛" in assert_safe(app)


async def test_history_titles_and_search_hits(tmp_path: Path) -> None:
    with ChatStore(tmp_path / "h.db") as store:
        conv = Conversation()
        conv.append(Message("user", f"sloths {TITLE} title"))
        conv.append(Message("assistant", f"sloths reply {TITLE}", model=f"m{TITLE}"))
        save_all(store, conv)

        class HistoryHost(PlainToasts, App[None]):
            def on_mount(self) -> None:
                self.push_screen(HistoryScreen(store, export_dir=tmp_path))

        app = HistoryHost()
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            assert "sloths ␛" in assert_safe(app)
            app.screen.query_one("#history-search").value = "sloths"  # type: ignore[attr-defined]
            await wait_until(pilot, lambda: "reply ␛" in screen_output(app))
            assert_safe(app)


async def test_editors_show_stand_ins_for_saved_text() -> None:
    """A prompt loaded to edit and resend, and an imported chat's system prompt in the
    settings dialog: editors draw their text too."""
    from chatterm.engine.conversation import ChatSettings
    from chatterm.tui.screens.settings import ChatSettingsScreen
    from chatterm.tui.widgets.prompt import PromptBox

    class EditorHost(App[None]):
        def compose(self) -> ComposeResult:
            yield PromptBox(id="prompt")

    app = EditorHost()
    async with app.run_test(size=SIZE) as pilot:
        app.query_one(PromptBox).load_text(f"edit me {TITLE}")
        await pilot.pause()
        assert "edit me ␛" in assert_safe(app)
        app.push_screen(ChatSettingsScreen(ChatSettings(model=f"m{TITLE}", system_prompt=f"system {TITLE}")))
        await pilot.pause()
        out = assert_safe(app, expect=2)
        assert "system ␛" in out and "m␛" in out
