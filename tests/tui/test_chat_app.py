"""Pilot tests of the chat app against the demo gateway (loopback TCP, real engine).

What a user checks: a prompt streams a reply that names its model; Esc stops it and
keeps the partial text; each toggle changes the next request; a model switch keeps the
chat; an error shows the gateway's message and gives the prompt back; copying puts
the right text on the clipboard; the prompt box keys work.
"""

from __future__ import annotations

from typing import Any

from chatterm.engine.conversation import Conversation, Message
from chatterm.tui.app import ChatApp, code_blocks
from chatterm.tui.widgets.error_row import ErrorRow
from chatterm.tui.widgets.message import AssistantMessageView, UserMessageView

from .conftest import reply_done, send, stop_a_long_reply, wait_until
from .waiting import wait_for_palette_hit

SIZE = (100, 36)


def chat_bodies(gateway: Any) -> list[dict[str, Any]]:
    return [r.body for r in gateway.requests if r.path.endswith("/chat/completions")]


async def test_send_streams_a_reply_that_names_its_model(chat_context: Any, demo_gateway: Any) -> None:
    app = ChatApp(chat_context)
    async with app.run_test(size=SIZE) as pilot:
        assert app.focused is app.chat_screen.prompt
        await pilot.press(*"hello there")
        await pilot.press("enter")
        await reply_done(pilot)
        screen = app.chat_screen
        [user] = screen.query(UserMessageView)
        [reply] = screen.query(AssistantMessageView)
        assert user.message.text == "hello there"
        assert "Echo: hello there" in reply.body.text
        assert reply.message.state == "ok" and reply.message.model == "gpt-4o-mini"
        assert "gpt-4o-mini" in str(reply.header.render())
        assert screen.prompt.text == ""
        stats = str(screen.status.query_one("#stats").render())
        assert "TTFT" in stats and "tok/s" in stats
        assert chat_bodies(demo_gateway)[-1]["messages"][-1] == {"role": "user", "content": "hello there"}


async def test_escape_stops_the_reply_and_keeps_the_partial_text(chat_context: Any) -> None:
    app = ChatApp(chat_context)
    async with app.run_test(size=SIZE) as pilot:
        reply = await stop_a_long_reply(pilot)
        assert reply.message.state == "stopped"
        assert "stopped" in str(reply.header.render())
        assert reply.has_class("-stopped")
        partial = reply.message.text
        assert len(partial) > 40 and reply.body.text.startswith(partial[:40])
        # The chat goes on: the next prompt is sent after the stopped reply.
        await send(pilot, "and now?")
        await reply_done(pilot, replies=2)
        assert app.conversation.messages[1].state == "stopped"


async def test_figures_of_an_older_reply_do_not_stay_after_a_stop_or_a_failure(chat_context: Any) -> None:
    """The bar shows the last reply's figures: after a stopped or failed reply, not the
    token counts of the reply before it."""
    app = ChatApp(chat_context)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.chat_screen

        def figures() -> str:
            return str(screen.status.query_one("#stats").render())

        await send(pilot, "hello there")
        await reply_done(pilot)
        first = figures()
        assert "out" in first
        await send(pilot, "!tokens=4000 !rate=400")
        await wait_until(pilot, lambda: screen.current_view is not None and len(screen.current_view.body.text) > 40)
        await pilot.press("escape")
        await reply_done(pilot, replies=2)
        assert figures() != first
        await send(pilot, "hello there")
        await reply_done(pilot, replies=3)
        assert "out" in figures()
        await send(pilot, "fail !500")
        await wait_until(pilot, lambda: bool(screen.query(ErrorRow)))
        await reply_done(pilot, replies=4)
        assert "out" not in figures()


async def test_each_toggle_changes_the_next_request(chat_context: Any, demo_gateway: Any) -> None:
    chat_context.config.model = "qwen3-coder-plus"
    app = ChatApp(chat_context)
    async with app.run_test(size=SIZE) as pilot:
        await send(pilot, "first")
        await reply_done(pilot)
        first = chat_bodies(demo_gateway)[-1]
        assert first["stream"] is True and "parameters" not in first

        await pilot.press("f3")  # thinking, from the keyboard
        await pilot.click("#toggle-search")  # search, with the mouse
        assert app.chat_screen.query_one("#toggle-thinking").has_class("-on")
        assert app.chat_screen.query_one("#toggle-search").has_class("-on")
        await send(pilot, "second")
        await reply_done(pilot, replies=2)
        second = chat_bodies(demo_gateway)[-1]
        assert second["parameters"]["enable_thinking"] is True
        assert second["parameters"]["enable_search"] is True

        await pilot.press("f5")  # stream off
        assert not app.chat_screen.query_one("#toggle-stream").has_class("-on")
        await send(pilot, "third")
        await reply_done(pilot, replies=3)
        assert chat_bodies(demo_gateway)[-1]["stream"] is False
        assert "Echo: third" in list(app.chat_screen.query(AssistantMessageView))[-1].body.text


async def test_switching_model_mid_chat_keeps_the_conversation(chat_context: Any, demo_gateway: Any) -> None:
    app = ChatApp(chat_context)
    async with app.run_test(size=SIZE) as pilot:
        await send(pilot, "one")
        await reply_done(pilot)
        await pilot.press("f2")
        await wait_until(pilot, lambda: type(app.screen).__name__ == "ModelPickerScreen")
        await pilot.press(*"claude-sonnet-4-5-20250929")
        await pilot.press("enter")
        await wait_until(pilot, lambda: app.screen is app.chat_screen)
        assert "claude-sonnet-4-5-20250929" in str(app.chat_screen.query_one("#model-chip").render())
        await send(pilot, "two")
        await reply_done(pilot, replies=2)
        body = chat_bodies(demo_gateway)[-1]
        assert body["model"] == "claude-sonnet-4-5-20250929"
        assert [m["role"] for m in body["messages"]] == ["user", "assistant", "user"]
        first, second = app.chat_screen.query(AssistantMessageView)
        assert first.message.model == "gpt-4o-mini"
        assert second.message.model == "claude-sonnet-4-5-20250929"
        assert "claude-sonnet-4-5-20250929" in str(second.header.render())
    # the pick is the default for the next start
    assert 'model = "claude-sonnet-4-5-20250929"' in chat_context.config_path.read_text()


async def test_models_tried_on_the_demo_leave_the_config_alone(tmp_path: Any) -> None:
    from chatterm.context import AppContext

    context = AppContext.for_tests("http://127.0.0.1:9/v1", tmp_path)
    await context.start_demo()
    try:
        app = ChatApp(context)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            app.set_model("deepseek-r1")
            assert app.conversation.settings.model == "deepseek-r1"
    finally:
        context.close_demo()
    assert not context.config_path.exists() or "deepseek-r1" not in context.config_path.read_text()


async def test_a_failed_reply_shows_an_error_row_and_restores_the_prompt(chat_context: Any) -> None:
    app = ChatApp(chat_context)
    async with app.run_test(size=SIZE) as pilot:
        await send(pilot, "please fail !500")
        await wait_until(pilot, lambda: bool(app.chat_screen.query(ErrorRow)))
        await reply_done(pilot)
        [row] = app.chat_screen.query(ErrorRow)
        text = str(row.render())
        assert text.startswith("API request failed")
        assert "HTTP 500" in text
        assert app.chat_screen.prompt.text == "please fail !500"
        [reply] = app.chat_screen.query(AssistantMessageView)
        assert reply.message.state == "failed" and reply.has_class("-failed")


async def test_a_reply_that_fails_at_once_shows_its_error_once(chat_context: Any) -> None:
    """A model the gateway does not know fails before the view of the reply is mounted:
    the error still shows once, not once in the reply and once under it."""
    app = ChatApp(chat_context)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: app.session is not None)
        app.set_model("no-such-model")
        for n in range(1, 4):
            await send(pilot, f"hi {n}")
            await wait_until(pilot, lambda n=n: len(app.chat_screen.query(ErrorRow)) >= n)
            await reply_done(pilot, replies=n)
            await pilot.pause(0.1)
            rows = app.chat_screen.query(ErrorRow)
            assert len(rows) == n, [str(r.render()) for r in rows]
        assert "does not exist" in str(rows.last().render())


async def test_a_rate_limit_row_says_when_to_retry_once(chat_context: Any) -> None:
    app = ChatApp(chat_context)
    async with app.run_test(size=SIZE) as pilot:
        await send(pilot, "slow down !429long")
        await wait_until(pilot, lambda: bool(app.chat_screen.query(ErrorRow)), timeout=30)
        text = str(app.chat_screen.query_one(ErrorRow).render())
        assert "HTTP 429" in text
        assert text.lower().count("retry after") == 1, text


async def test_sending_while_a_reply_streams_is_refused(chat_context: Any) -> None:
    app = ChatApp(chat_context)
    async with app.run_test(size=SIZE) as pilot:
        await send(pilot, "!tokens=3000 !rate=500")
        screen = app.chat_screen
        await wait_until(pilot, lambda: screen.current_view is not None and bool(screen.current_view.body.text))
        await send(pilot, "too soon")
        assert screen.prompt.text == "too soon"  # kept, not lost
        assert any("still being written" in n.message for n in app._notifications)
        await pilot.press("escape")
        await reply_done(pilot)
        assert [m.text for m in app.conversation.messages if m.role == "user"] == ["!tokens=3000 !rate=500"]


async def test_prompt_keys_newline_and_recall(chat_context: Any) -> None:
    app = ChatApp(chat_context)
    async with app.run_test(size=SIZE) as pilot:
        prompt = app.chat_screen.prompt
        await pilot.press("a", "ctrl+j", "b", "shift+enter", "c")
        assert prompt.text == "a\nb\nc"
        await pilot.press("enter")
        await reply_done(pilot)
        assert app.conversation.messages[0].text == "a\nb\nc"
        await send(pilot, "second prompt")
        await reply_done(pilot, replies=2)
        await pilot.press("up")
        assert prompt.text == "second prompt"
        await pilot.press("up")
        assert prompt.text == "a\nb\nc"
        await pilot.press("down", "down")
        assert prompt.text == ""


async def test_copy_last_reply_code_block_and_message(chat_context: Any) -> None:
    app = ChatApp(chat_context)
    async with app.run_test(size=SIZE) as pilot:
        await send(pilot, "show me code")
        await reply_done(pilot)
        reply = app.conversation.messages[-1]
        await pilot.press("ctrl+up", "c")  # message mode starts on the last reply
        assert app.clipboard == reply.text
        blocks = code_blocks(reply.text)
        assert blocks, "the demo reply has a code block"
        await pilot.press("b")
        assert app.clipboard == blocks[-1]
        assert "```" not in app.clipboard
        # The message above (the prompt) copies itself with "c".
        await pilot.press("up", "c")
        assert app.chat_screen.focused is app.chat_screen.query_one(UserMessageView)
        assert app.clipboard == "show me code"


async def test_a_long_chat_mounts_a_bounded_window(chat_context: Any) -> None:
    from chatterm.tui.widgets.conversation import WINDOW

    conversation = Conversation()
    for i in range(150):
        conversation.append(Message(role="user", content=f"question {i}"))
        conversation.append(Message(role="assistant", content=f"answer **{i}**", model="gpt-4o-mini"))
    app = ChatApp(chat_context, conversation=conversation)
    async with app.run_test(size=SIZE) as pilot:
        pane = app.chat_screen.pane
        await wait_until(pilot, lambda: len(pane.views()) == WINDOW)
        assert pane.views()[-1].message.text == "answer **149**"
        assert pane.hidden_before == 300 - WINDOW
        pane.scroll_to(y=0, animate=False)
        await wait_until(pilot, lambda: len(pane.views()) > WINDOW)
        assert pane.hidden_before < 300 - WINDOW
        # Sending keeps going at the bottom.
        await send(pilot, "more")
        await reply_done(pilot)
        assert pane.views()[-1].message.role == "assistant"
        assert "Echo: more" in pane.views()[-1].body.text  # type: ignore[attr-defined]


async def test_theme_choice_is_applied_and_saved(chat_context: Any, tmp_path: Any) -> None:
    chat_context.config.theme = "chatterm-light"
    app = ChatApp(chat_context)
    async with app.run_test(size=SIZE) as pilot:
        assert app.theme == "chatterm-light"
        app.theme = "chatterm-high-contrast"
        await pilot.pause()
    assert 'theme = "chatterm-high-contrast"' in (tmp_path / "config.toml").read_text()


def test_app_keys_reach_the_app_while_typing() -> None:
    """A key the prompt box binds itself never reaches the app: none of ours may be one."""
    from textual.binding import Binding

    from chatterm.tui.widgets.prompt import PromptBox

    taken = {key for b in PromptBox.BINDINGS if isinstance(b, Binding) for key in b.key.split(",")}
    ours = {key for b in ChatApp.BINDINGS if isinstance(b, Binding) for key in b.key.split(",")}
    assert ours and not ours & taken, ours & taken


async def test_command_palette_runs_chat_commands(chat_context: Any) -> None:
    app = ChatApp(chat_context)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: app.session is not None)
        assert not app.conversation.settings.search
        await pilot.press("ctrl+p")
        await wait_until(pilot, lambda: type(app.screen).__name__ == "CommandPalette")
        await pilot.press(*"toggle search")
        await wait_for_palette_hit(pilot, "Toggle search")
        await pilot.press("enter")
        await wait_until(pilot, lambda: app.conversation.settings.search)
        assert app.chat_screen.query_one("#toggle-search").has_class("-on")


async def test_palette_offers_our_help_not_textuals_key_panel(chat_context: Any) -> None:
    """Typing "keys" in the palette finds "Help" (F1's screen); Textual's "Keys" panel,
    a list of the prompt box's cursor keys, is not offered beside it."""
    app = ChatApp(chat_context)
    async with app.run_test(size=SIZE) as pilot:
        titles = [command.title for command in app.get_system_commands(app.screen)]
        assert "Keys" not in titles and "Quit" in titles
        await pilot.press("ctrl+p")
        await wait_until(pilot, lambda: type(app.screen).__name__ == "CommandPalette")
        await pilot.press(*"help")
        await wait_for_palette_hit(pilot, "Help")
        await pilot.press("enter")
        await wait_until(pilot, lambda: type(app.screen).__name__ == "HelpScreen")


async def test_clicking_the_model_chip_opens_the_picker(chat_context: Any) -> None:
    app = ChatApp(chat_context)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.click("#model-chip")
        await wait_until(pilot, lambda: type(app.screen).__name__ == "ModelPickerScreen")
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.screen is app.chat_screen)
        assert app.conversation.settings.model == "gpt-4o-mini"


async def test_views_far_above_are_unmounted_while_following(chat_context: Any, monkeypatch: Any) -> None:
    from chatterm.tui.widgets import conversation as pane_module

    monkeypatch.setattr(pane_module, "FIRST_PAINT", 2)
    monkeypatch.setattr(pane_module, "WINDOW", 4)
    monkeypatch.setattr(pane_module, "MAX_MOUNTED", 6)
    chat = Conversation()
    for i in range(3):
        chat.append(Message(role="user", content=f"q{i}"))
        chat.append(Message(role="assistant", content=f"a{i}", model="gpt-4o-mini"))
    app = ChatApp(chat_context, conversation=chat)
    async with app.run_test(size=SIZE) as pilot:
        pane = app.chat_screen.pane
        await wait_until(pilot, lambda: len(pane.views()) == 4)
        for prompt in ("one", "two"):
            await send(pilot, prompt)
            await reply_done(pilot)
        views = pane.views()
        assert len(views) <= 6
        assert views[-1].message.role == "assistant" and "Echo: two" in views[-1].message.text
        assert pane.hidden_before == len(app.conversation.messages) - len(views)


async def test_escape_is_offered_only_while_there_is_something_to_stop(chat_context: Any) -> None:
    app = ChatApp(chat_context)

    def footer_keys() -> set[str]:
        return {b.binding.key for b in app.active_bindings.values() if b.enabled and b.binding.show}

    def escape_label() -> str:
        return app.active_bindings["escape"].binding.description

    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert "escape" not in footer_keys()
        await send(pilot, "!tokens=3000 !rate=500")
        screen = app.chat_screen
        await wait_until(pilot, lambda: screen.current_view is not None and bool(screen.current_view.body.text))
        assert "escape" in footer_keys() and escape_label() == "Stop"
        await pilot.press("escape")
        await reply_done(pilot)
        await wait_until(pilot, lambda: "escape" not in footer_keys())
        # Editing a prompt: Esc cancels the edit.
        screen.query_one(UserMessageView).focus()
        await pilot.press("e")
        assert "escape" in footer_keys() and escape_label() == "Cancel edit"
        await pilot.press("escape")
        assert screen.prompt.text == "" and "escape" not in footer_keys()


def test_reply_figures_shorten_to_fit_the_status_bar() -> None:
    from chatterm.api.types import Usage
    from chatterm.engine.conversation import Timings
    from chatterm.tui.widgets.status_bar import format_stats

    reply = Message(
        role="assistant",
        content="x",
        usage=Usage(prompt_tokens=1234, completion_tokens=560, reasoning_tokens=60),
        timings=Timings(time_to_first_token=0.25, duration=2.25),
    )
    full = format_stats(reply)
    assert full == "TTFT 0.25 s · 280 tok/s · in 1,234 · out 500 · think 60"
    assert format_stats(reply, len(full)) == full
    assert format_stats(reply, 45) == "TTFT 0.25 s · 280 tok/s · 1,234→500 +60"
    assert format_stats(reply, 25) == "0.25 s · 280 tok/s"
    assert format_stats(reply, 3) == ""
    assert format_stats(None) == ""
