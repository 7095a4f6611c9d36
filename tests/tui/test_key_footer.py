"""The footer is rebuilt only when the keys it shows change (issue 12: Textual's footer
removed and mounted all its keys on every bindings signal, three times before the
first frame), and still follows the keys that do change."""

from __future__ import annotations

from typing import Any

from textual.widgets import Footer
from textual.widgets._footer import FooterKey

from chatterm.tui.app import ChatApp

from .conftest import reply_done, send, wait_until


async def test_the_footer_keeps_its_keys_until_what_it_shows_changes(chat_context: Any) -> None:
    app = ChatApp(chat_context)
    async with app.run_test(size=(120, 30)) as pilot:
        footer = app.chat_screen.query_one(Footer)
        await wait_until(pilot, lambda: len(footer.query(FooterKey)) > 5)
        keys = list(footer.query(FooterKey))

        after_check: list[bool] = []
        app.chat_screen.refresh_bindings()  # nothing the footer shows changed
        footer.call_after_refresh(lambda: after_check.append(True))  # runs after the footer's own check
        await wait_until(pilot, lambda: after_check)
        assert list(footer.query(FooterKey)) == keys
        assert all(key.is_attached for key in keys)

        def descriptions() -> list[str]:
            return [key.description for key in footer.query(FooterKey)]

        await send(pilot, "!tokens=4000 !rate=400")
        await wait_until(pilot, lambda: "Stop" in descriptions())
        await pilot.press("escape")
        await reply_done(pilot)
        await wait_until(pilot, lambda: "Stop" not in descriptions())


async def test_the_footer_has_its_keys_from_its_first_compose(chat_context: Any, monkeypatch: Any) -> None:
    """Textual's footer composed no key until the first bindings signal, after the first
    layout: its keys then cost a rebuild and a layout pass of their own before the
    first frame. Now they come with the footer, and nothing rebuilds it at start-up."""
    rebuilds: list[Footer] = []
    recompose = Footer.recompose

    async def counting_recompose(self: Footer) -> None:
        rebuilds.append(self)
        await recompose(self)

    monkeypatch.setattr(Footer, "recompose", counting_recompose)
    app = ChatApp(chat_context)
    async with app.run_test(size=(120, 30)) as pilot:
        footer = app.chat_screen.query_one(Footer)
        await wait_until(pilot, lambda: app.chat_screen.prompt.has_focus)
        await pilot.pause()
        assert len(footer.query(FooterKey)) > 5
        assert rebuilds == []
