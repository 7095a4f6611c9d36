"""The Thinking and Search chips say what the chosen model makes of them."""

from __future__ import annotations

from typing import Any

from chatterm.tui.app import ChatApp
from chatterm.tui.widgets.status_bar import ToggleChip

SIZE = (100, 30)


def chip(app: ChatApp, setting: str) -> ToggleChip:
    return app.chat_screen.query_one(f"#toggle-{setting}", ToggleChip)


async def test_chips_follow_the_model(chat_context: Any) -> None:
    app = ChatApp(chat_context)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.set_model("gpt-4o")  # cannot think: struck through, the setting kept
        await pilot.press("f3")
        thinking = chip(app, "thinking")
        assert app.conversation.settings.thinking is True
        assert thinking.has_class("-na") and not thinking.has_class("-on")
        assert "gpt-4o has no thinking" in str(thinking.tooltip)

        app.set_model("deepseek-r1")  # thinks by itself
        await pilot.pause()
        assert chip(app, "thinking").has_class("-always") and str(chip(app, "thinking").render()).startswith("◉")

        app.set_model("claude-sonnet-4-5-20250929")  # the toggle decides; the kept value shows
        await pilot.pause()
        assert chip(app, "thinking").has_class("-on") and not chip(app, "thinking").has_class("-na")

        app.set_model("my-local-llama")  # unknown: nothing assumed
        await pilot.pause()
        assert not chip(app, "thinking").has_class("-na") and not chip(app, "search").has_class("-na")


async def test_the_figures_of_the_last_reply_give_way_while_the_next_is_written(chat_context: Any) -> None:
    from .conftest import reply_done, send, wait_until

    app = ChatApp(chat_context)
    async with app.run_test(size=SIZE) as pilot:
        await send(pilot, "one")
        await reply_done(pilot)
        stats = app.chat_screen.query_one("#stats")
        assert "TTFT" in str(stats.render())
        await send(pilot, "!tokens=400 !rate=100")
        await wait_until(pilot, lambda: str(stats.render()) == "writing…")
        await pilot.press("escape")
        await wait_until(pilot, lambda: not app.chat_screen.replying)
        assert str(stats.render()) != "writing…"


async def test_the_status_bar_follows_the_chat_settings_by_itself(chat_context: Any) -> None:
    """Whatever changes the settings (a key, the palette, the settings dialog, another
    chat opened), the bar shows them: it watches them, nobody has to tell it."""
    from dataclasses import replace

    app = ChatApp(chat_context)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.settings = replace(app.settings, model="claude-sonnet-4-5-20250929", search=True)
        await pilot.pause()
        assert str(app.chat_screen.query_one("#model-chip").render()).startswith("claude-sonnet-4-5-20250929")
        assert chip(app, "search").has_class("-on")
        assert app.conversation.settings.search is True  # what the next request reads

        other = chat_context.new_conversation()
        other.settings.model, other.settings.thinking = "claude-sonnet-4-5-20250929", True
        await app.load_conversation(other)
        await pilot.pause()
        assert chip(app, "thinking").has_class("-on") and not chip(app, "search").has_class("-on")
        assert app.settings is other.settings
