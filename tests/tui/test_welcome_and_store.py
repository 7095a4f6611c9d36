"""What an empty chat shows, and a damaged history file met at start-up."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from chatterm.context import AppContext
from chatterm.tui.app import ChatApp
from chatterm.tui.widgets.welcome import Welcome

from .conftest import reply_done, send, wait_until

SIZE = (100, 36)


async def test_demo_welcome_lists_what_to_try_and_leaves_with_the_first_message(
    demo_gateway: Any, tmp_path: Path
) -> None:
    context = AppContext.for_tests(demo_gateway.base_url, tmp_path)
    context.demo = demo_gateway  # as `--demo` does
    app = ChatApp(context)
    async with app.run_test(size=SIZE) as pilot:
        [welcome] = app.chat_screen.query(Welcome)
        text = str(welcome.render())
        assert "demo gateway" in text and "what time is it?" in text and "!tokens=3000" in text
        await send(pilot, "hello")
        await reply_done(pilot)
        assert not app.chat_screen.query(Welcome)
        # a new chat shows it again
        await pilot.press("ctrl+n")
        await wait_until(pilot, lambda: bool(app.chat_screen.query(Welcome)))


async def test_real_gateway_welcome_says_where(chat_context: Any) -> None:
    app = ChatApp(chat_context)
    async with app.run_test(size=SIZE) as pilot:
        text = str(app.chat_screen.query_one(Welcome).render())
        assert "gateway 127.0.0.1" in text and "gpt-4o-mini" in text
        assert "connected" not in text  # not before a request said so (issue 10 item 9)
        await wait_until(pilot, lambda: "gateway reachable" in str(app.chat_screen.query_one(Welcome).render()))


async def test_damaged_history_is_reported_and_replaced_only_when_asked(demo_gateway: Any, tmp_path: Path) -> None:
    damaged = tmp_path / "history.db"
    damaged.write_bytes(b"this is not a database" * 100)
    context = AppContext.for_tests(demo_gateway.base_url, tmp_path)
    app = ChatApp(context)
    async with app.run_test(size=SIZE) as pilot:
        from chatterm.tui.screens.confirm import ConfirmScreen

        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        question = str(app.screen.query_one("#confirm-question").render())
        assert str(damaged) in question
        assert damaged.read_bytes() == b"this is not a database" * 100  # untouched while asking
        await pilot.press("y")
        await wait_until(pilot, lambda: not isinstance(app.screen, ConfirmScreen))
        kept = [p for p in tmp_path.iterdir() if p.name.startswith("history.db.damaged")]
        assert len(kept) == 1 and kept[0].read_bytes() == b"this is not a database" * 100
        await send(pilot, "saved now?")
        await reply_done(pilot)
    from chatterm.store import ChatStore

    store = ChatStore(damaged)
    [chat] = store.list_chats()
    assert chat.title == "saved now?"
    store.close()


async def test_declining_keeps_the_damaged_file_and_history_off(demo_gateway: Any, tmp_path: Path) -> None:
    damaged = tmp_path / "history.db"
    damaged.write_bytes(b"garbage" * 500)
    app = ChatApp(AppContext.for_tests(demo_gateway.base_url, tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        from chatterm.tui.screens.confirm import ConfirmScreen

        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("n")
        await send(pilot, "not saved")
        await reply_done(pilot)
    assert damaged.read_bytes() == b"garbage" * 500
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("history")) == ["history.db"]


def _screen_lines(app: Any) -> list[str]:
    """The terminal's lines as a user reads them (the screenshot's text)."""
    import html
    import re

    svg = app.export_screenshot()
    rows: dict[str, list[str]] = {}
    for line_id, text in re.findall(r'clip-path="url\(#[\w-]+-line-(\d+)\)">([^<]*)</text>', svg):
        rows.setdefault(line_id, []).append(html.unescape(text).replace("\xa0", " "))
    return ["".join(parts) for _, parts in sorted(rows.items(), key=lambda item: int(item[0]))]


async def test_an_80x24_terminal_shows_the_whole_welcome_and_every_footer_key(
    demo_gateway: Any, tmp_path: Path
) -> None:
    """The classic terminal size: the welcome's title is not scrolled away, each tip
    keeps its prompt and description on one line, and the footer keys all fit."""
    context = AppContext.for_tests(demo_gateway.base_url, tmp_path)
    context.demo = demo_gateway
    app = ChatApp(context)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        lines = _screen_lines(app)
        text = "\n".join(lines)
        assert "chatterm  on the built-in demo gateway" in text
        assert any("what time is it?" in line and "you approve it" in line for line in lines)
        assert any("!500" in line and "your prompt comes back" in line for line in lines)
        footer = lines[-1]
        # Every main action; the palette's key makes room for them (F1 lists it).
        for label in ("Help", "Model", "Think", "Search", "Stream", "History", "Settings", "New chat"):
            assert label in footer
