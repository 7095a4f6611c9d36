"""Keys (issue 10, items 1-3), on the real app against the demo gateway.

Typing never acts by accident: a click on a reply does not take the letters typed next,
and keys sent in a burst right after a modal closes all reach the prompt. Message
actions live in a message mode entered on purpose (Esc on an empty prompt, Ctrl+Up),
which is visibly on (an indicator, a focus ring) and which a printable key leaves. Every
main action has a Ctrl key besides its F key, none on tmux's or screen's prefix; the
footer names them; F1 lists every key in one style; `[keys]` remaps them and a clash is
told at start. The thinking block and tool rows have direct keys in message mode.
"""

from __future__ import annotations

import re
from typing import Any

from textual import events
from textual.widgets import Footer

from chatterm.key_actions import APP_KEYS, MESSAGE_KEYS
from chatterm.tui.app import ChatApp
from chatterm.tui.screens.help import HelpScreen
from chatterm.tui.widgets.message import AssistantMessageView, MessageView, UserMessageView
from chatterm.tui.widgets.tool_call import ToolCallRow

from .approving import approve
from .conftest import reply_done, send, wait_until

SIZE = (120, 60)


def chat_requests(gateway: Any) -> int:
    return sum(1 for r in gateway.requests if r.path.endswith(("/chat/completions", "/responses")))


def burst(app: Any, keys: list[str]) -> None:
    """Keys as a fast typist (or a paste) sends them: all queued at once, with no pause
    for the app to settle between them."""
    for key in keys:
        char = key if len(key) == 1 else None
        event = events.Key(key, char)
        event.set_sender(app)
        app._driver.send_message(event)


async def test_typing_after_clicking_a_reply_reaches_the_prompt_and_acts_on_nothing(
    chat_context: Any, demo_gateway: Any
) -> None:
    app = ChatApp(chat_context)
    async with app.run_test(size=SIZE) as pilot:
        await send(pilot, "hello there")
        await reply_done(pilot)
        screen = app.chat_screen
        [reply] = screen.query(AssistantMessageView)
        [prompt_view] = screen.query(UserMessageView)
        sent = chat_requests(demo_gateway)
        app.copy_to_clipboard("kept")
        for view, word in ((reply, "rewrite"), (prompt_view, " calculate"), (reply, " bold")):
            await pilot.click(view, offset=(3, 1))
            await pilot.press(*[c if c != " " else "space" for c in word])
        assert screen.prompt.text == "rewrite calculate bold"
        assert app.focused is screen.prompt
        await pilot.pause(0.2)
        assert chat_requests(demo_gateway) == sent  # no regenerate
        assert app.editing is None  # no edit started
        assert app.clipboard == "kept"  # nothing copied
        assert len(screen.query(AssistantMessageView)) == 1


async def test_a_burst_of_keys_right_after_a_modal_closes_all_reach_the_prompt(chat_context: Any) -> None:
    app = ChatApp(chat_context)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.chat_screen
        await wait_until(pilot, lambda: app.focused is screen.prompt)
        for opener in ("f1", "f9"):  # help, chat settings
            await pilot.press(opener)
            await wait_until(pilot, lambda: app.screen is not screen)
            burst(app, ["escape", *"Summarise"])
            await wait_until(pilot, lambda: app.screen is screen and len(screen.prompt.text) >= 8)
            await pilot.pause(0.1)
            assert screen.prompt.text == "Summarise"
            screen.prompt.load_text("")


async def test_message_mode_is_entered_on_purpose_shows_and_acts(chat_context: Any, demo_gateway: Any) -> None:
    app = ChatApp(chat_context)
    async with app.run_test(size=SIZE) as pilot:
        await send(pilot, "hello there")
        await reply_done(pilot)
        screen = app.chat_screen
        [prompt_view] = screen.query(UserMessageView)
        [reply] = screen.query(AssistantMessageView)
        indicator = screen.query_one("#message-mode")
        assert not indicator.display
        await pilot.press("escape")  # the prompt is empty: into message mode
        assert screen.navigating and indicator.display
        assert app.focused is reply  # the last message
        assert "Esc" in str(indicator.render()) or "esc" in str(indicator.render()).lower()
        footer_keys = {key.description for key in screen.query_one(Footer).query("FooterKey")}  # type: ignore[attr-defined]
        assert {"Copy", "Regenerate"} <= footer_keys
        await pilot.press("c")
        assert app.clipboard == reply.message.text
        await pilot.press("up")
        assert app.focused is prompt_view
        await pilot.press("down")
        assert app.focused is reply
        # A printable key the mode does not use leaves it and goes to the prompt.
        await pilot.press("x")
        assert not screen.navigating and not indicator.display
        assert app.focused is screen.prompt and screen.prompt.text == "x"
        # Esc with text in the prompt stays in the prompt; Ctrl+Up enters from anywhere.
        await pilot.press("escape")
        assert not screen.navigating
        await pilot.press("ctrl+up")
        assert screen.navigating and app.focused is reply
        sent = chat_requests(demo_gateway)
        await pilot.press("r")  # in the mode, r regenerates on purpose
        await wait_until(pilot, lambda: chat_requests(demo_gateway) > sent)
        await reply_done(pilot)


async def test_a_focused_message_looks_focused_in_every_theme(chat_context: Any) -> None:
    app = ChatApp(chat_context)
    async with app.run_test(size=SIZE) as pilot:
        await send(pilot, "hello there")
        await reply_done(pilot)
        screen = app.chat_screen
        views: list[MessageView] = [*screen.query(UserMessageView), *screen.query(AssistantMessageView)]
        for theme in ("chatterm-dark", "chatterm-light", "chatterm-high-contrast"):
            app.theme = theme
            await pilot.pause()
            for view in views:
                screen.prompt.focus()
                await pilot.pause()
                before = (view.styles.background, view.styles.border_left)
                view.focus()
                await pilot.pause()
                after = (view.styles.background, view.styles.border_left)
                assert after[0] != before[0], (theme, type(view).__name__, "background")
                assert after[1] != before[1], (theme, type(view).__name__, "border")


async def test_thinking_and_tool_rows_have_direct_keys(chat_context: Any) -> None:
    app = ChatApp(chat_context)
    async with app.run_test(size=SIZE) as pilot:
        await send(pilot, "what time is it?")
        await approve(pilot)
        await reply_done(pilot, timeout=20)
        app.set_model("deepseek-r1")  # always reasons
        await send(pilot, "hello")
        await reply_done(pilot, replies=2, timeout=20)
        screen = app.chat_screen
        replies = list(screen.query(AssistantMessageView))
        with_rows = next(v for v in replies if v.tool_rows)
        with_thinking = next(v for v in replies if v.thinking is not None)
        await pilot.press("escape")
        assert screen.navigating
        with_thinking.focus()
        await pilot.pause()
        assert with_thinking.thinking is not None and with_thinking.thinking.collapsed
        await pilot.press("t")
        assert not with_thinking.thinking.collapsed
        await pilot.press("t")
        assert with_thinking.thinking.collapsed
        with_rows.focus()
        await pilot.pause()
        [row] = with_rows.tool_rows.values()
        assert row.collapsed
        await pilot.press("o")
        assert not row.collapsed
        assert isinstance(app.focused, ToolCallRow) or row in app.focused.ancestors_with_self  # type: ignore[union-attr]
        assert screen.navigating  # still in the mode, inside the reply


async def test_every_main_action_has_a_ctrl_key_off_tmux_and_screen_prefixes(chat_context: Any) -> None:
    app = ChatApp(chat_context)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.chat_screen
        await wait_until(pilot, lambda: app.focused is screen.prompt)
        bound = {key for binding_key, _ in app._bindings for key in [binding_key]}
        assert "ctrl+b" not in bound and "ctrl+a" not in bound
        for action in APP_KEYS:
            if action.name == "pick_preset":  # Alt+P, and "Presets…" in the palette (Ctrl+P)
                continue
            assert any(k.startswith("ctrl+") for k in action.keys.split(",")), action.name
        settings = app.settings
        await pilot.press("ctrl+t")
        await pilot.press("ctrl+s")
        await pilot.press("ctrl+backslash")
        assert (app.settings.thinking, app.settings.search, app.settings.stream) == (
            not settings.thinking,
            not settings.search,
            not settings.stream,
        )
        assert screen.prompt.text == ""
        for key, screen_name in (
            ("ctrl+g", "HelpScreen"),
            ("ctrl+l", "ModelPickerScreen"),
            ("ctrl+o", "ChatSettingsScreen"),
            ("ctrl+r", "HistoryScreen"),
        ):
            await pilot.press(key)
            await wait_until(pilot, lambda name=screen_name: type(app.screen).__name__ == name)
            await pilot.press("escape")
            await wait_until(pilot, lambda: app.screen is screen)
        # The footer names every main action (Stream and Settings too), on 80 columns.
        footer_keys = list(screen.query_one(Footer).query("FooterKey"))
        shown = {key.description for key in footer_keys}  # type: ignore[attr-defined]
        assert {"Help", "Model", "Think", "Search", "Stream", "History", "Settings", "New chat"} <= shown
        regions = [key.region for key in footer_keys]
        assert all(region.right <= 80 for region in regions)  # on screen
        assert all(not a.overlaps(b) for i, a in enumerate(regions) for b in regions[i + 1 :])  # none covered


async def test_help_lists_every_binding_in_one_style(chat_context: Any) -> None:
    app = ChatApp(chat_context)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f1")
        await wait_until(pilot, lambda: isinstance(app.screen, HelpScreen))
        help_screen = app.screen
        assert isinstance(help_screen, HelpScreen)
        text = help_screen.text
        for action in (*APP_KEYS, *MESSAGE_KEYS):
            assert action.help in text, action.name
        assert "Ctrl+T / F3" in text and "Ctrl+\\ / F5" in text and "Ctrl+Q" in text
        # Textual's own lines (focus next, minimise, ^-style keys) are not mixed in.
        for stock in ("Focus next", "Focus previous", "Minimize", "Maximize", "Show keys"):
            assert stock not in text, stock
        assert not re.search(r"\^[a-z]", text), "Textual's ^q style"  # (Ctrl+^ is our close-tab key)
        keys = [key for group in help_screen.groups for key, _ in group.rows]
        style = re.compile(r"^((Ctrl|Alt|Shift)\+)*([A-Z0-9]\w*|[^\sa-z]|[a-z]|Esc|Enter)( / .+)?$")
        for key in keys:
            assert style.match(key), key


async def test_keys_are_remapped_from_the_config_and_a_clash_is_told(demo_gateway: Any, tmp_path: Any) -> None:
    from chatterm.context import AppContext

    context = AppContext.for_tests(
        demo_gateway.base_url,
        tmp_path,
        keys={"toggle_thinking": "alt+t", "toggle_search": "ctrl+n", "message_copy": "y", "history": "ctrl+w"},
    )
    app = ChatApp(context)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.chat_screen
        await wait_until(pilot, lambda: app.focused is screen.prompt)
        thinking = app.settings.thinking
        await pilot.press("alt+t")
        assert app.settings.thinking is not thinking
        await pilot.press("ctrl+t")  # no longer bound
        assert app.settings.thinking is not thinking
        told = [n.message for n in app._notifications]
        assert any("ctrl+n" in m and "toggle_search" in m and "new_chat" in m for m in told), told
        assert any("ctrl+w" in m and "history" in m and "prompt" in m for m in told), told
        await send(pilot, "hello")
        await reply_done(pilot)
        [reply] = screen.query(AssistantMessageView)
        await pilot.press("escape")
        await pilot.press("y")
        assert app.clipboard == reply.message.text
        # F1 shows the keys as remapped.
        await pilot.press("f1")
        await wait_until(pilot, lambda: isinstance(app.screen, HelpScreen))
        assert "Alt+T" in app.screen.text  # type: ignore[attr-defined]
