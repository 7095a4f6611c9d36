"""Issue 12 (start-up to a usable prompt): a CSS refresh that changes nothing parses
nothing again (Textual re-parsed every source three times before the first frame),
and a theme switch still restyles everything with the new colours."""

from __future__ import annotations

from typing import Any

import textual.css.stylesheet

from chatterm.tui.app import ChatApp

from .conftest import wait_until


async def test_a_css_refresh_parses_again_only_when_the_theme_changes(chat_context: Any, monkeypatch: Any) -> None:
    parsed: list[object] = []
    parse = textual.css.stylesheet.parse

    def counting_parse(*args: Any, **kwargs: Any) -> Any:
        parsed.append(args[2])  # where the source was read from
        return parse(*args, **kwargs)

    monkeypatch.setattr(textual.css.stylesheet, "parse", counting_parse)
    app = ChatApp(chat_context)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_until(pilot, lambda: app.chat_screen.prompt.has_focus)
        parsed.clear()
        app.refresh_css()
        await pilot.pause()
        assert parsed == []

        background = app.screen.styles.background
        app.theme = "chatterm-light"
        await wait_until(pilot, lambda: app.screen.styles.background != background)
        assert len(parsed) == len(app.stylesheet.source)
