"""Tokens, context and cost in the TUI: the line under each reply, the chat's sums in the
status bar, and the cost kept with the reply when the chat is opened again (even after
the price left the config)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from chatterm.api.pricing import Price, cost_of
from chatterm.context import AppContext
from chatterm.engine.reply_figures import cost_text
from chatterm.store import ChatStore
from chatterm.tui.app import ChatApp
from chatterm.tui.widgets.message import AssistantMessageView
from chatterm.tui.widgets.reply_figures import ReplyFigures
from chatterm.tui.widgets.status_bar import Stats

from .conftest import reply_done, send, wait_until

SIZE = (160, 30)
PRICE = {"gpt-4o": {"input": 2.5, "output": 10, "cached_input": 1.25}}


def figure_lines(app: ChatApp) -> list[str]:
    return [str(view.render()) for view in app.chat_screen.query(ReplyFigures)]


async def test_each_reply_and_the_chat_show_tokens_context_and_cost(demo_gateway: Any, tmp_path: Path) -> None:
    context = AppContext.for_tests(demo_gateway.base_url, tmp_path, model="gpt-4o", prices=PRICE)
    app = ChatApp(context)
    async with app.run_test(size=SIZE) as pilot:
        await send(pilot, "How do tides work?")
        await reply_done(pilot)
        first = app.conversation.messages[-1]
        usage = first.usage
        assert usage is not None and usage.prompt_tokens and usage.completion_tokens
        cost = cost_of(usage, Price(2.5, 10.0, 1.25))
        assert cost is not None and first.cost == pytest.approx(cost)
        used = usage.prompt_tokens + usage.completion_tokens
        percent = "<1" if used < 1280 else f"{100 * used / 128_000:.0f}"
        await wait_until(pilot, lambda: len(figure_lines(app)) == 1)
        assert figure_lines(app) == [
            f"in {usage.prompt_tokens:,} · out {usage.completion_tokens:,} · context {percent}% of 128k"
            f" · {cost_text(cost)}"
        ]
        stats = app.chat_screen.query_one(Stats)
        assert str(stats.render()).endswith(f" · context {percent}% of 128k · {cost_text(cost)}")

        await send(pilot, "And why twice a day?")
        await reply_done(pilot, replies=2)
        second = app.conversation.messages[-1]
        assert second.usage is not None and second.usage.cached_tokens  # the first turn, cached
        assert second.cost is not None
        await wait_until(pilot, lambda: len(figure_lines(app)) == 2)
        total = cost_text(first.cost + second.cost)
        prompt_sum = (first.usage.prompt_tokens or 0) + (second.usage.prompt_tokens or 0)
        assert f"chat: in {prompt_sum:,} · out " in str(stats.tooltip)
        assert str(stats.tooltip).endswith(f" · {total}")
        chat_id = app.conversation.id
    context.finish_saving()

    # Opened again with no price in the config: the cost written then is shown.
    reopened = AppContext.for_tests(demo_gateway.base_url, tmp_path, model="gpt-4o")
    with ChatStore(reopened.history_path) as store:
        conversation = store.load(chat_id)
    app = ChatApp(reopened, conversation=conversation)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: len(app.chat_screen.query(AssistantMessageView)) == 2)
        await wait_until(pilot, lambda: len(figure_lines(app)) == 2)
        assert figure_lines(app)[0].endswith(cost_text(first.cost))
        assert figure_lines(app)[1].endswith(cost_text(second.cost))
        assert "128k" in figure_lines(app)[1]
        assert str(app.chat_screen.query_one(Stats).tooltip).endswith(f" · {total}")


async def test_no_price_and_no_known_window_show_only_the_tokens(demo_gateway: Any, tmp_path: Path) -> None:
    context = AppContext.for_tests(demo_gateway.base_url, tmp_path, model="glm-5", prices=PRICE)
    app = ChatApp(context)  # no published window for GLM-5, and no price
    async with app.run_test(size=SIZE) as pilot:
        await send(pilot, "hello")
        await reply_done(pilot)
        reply = app.conversation.messages[-1]
        assert reply.usage is not None and reply.cost is None and reply.context_window is None
        await wait_until(pilot, lambda: len(figure_lines(app)) == 1)
        [line] = figure_lines(app)
        assert line.startswith("in ") and "context" not in line and "$" not in line


async def test_figures_a_damaged_or_hand_made_history_holds_do_not_break_the_chat(chat_context: Any) -> None:
    """Saved history is outside input: counts that are not numbers show as "?", a cost or
    window that is not one is left out, and the chat opens."""
    from chatterm.engine.conversation import Conversation, Message

    conversation = Conversation(title="imported")
    conversation.append(Message("user", "hi"))
    conversation.append(
        Message.from_dict(
            {
                "role": "assistant",
                "content": "hello",
                "model": "gpt-4o",
                "usage": {"prompt_tokens": "12\x1b[31m", "completion_tokens": True, "reasoning_tokens": [1]},
                "cost": "free",
                "context_window": -1,
            }
        )
    )
    conversation.append(Message("user", "again"))
    conversation.append(
        Message.from_dict(
            {
                "role": "assistant",
                "content": "hello again",
                "model": "gpt-4o",
                "usage": {"prompt_tokens": 10, "completion_tokens": 5},
                "cost": float("nan"),
                "context_window": 10**3,
            }
        )
    )
    app = ChatApp(chat_context, conversation=conversation)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: len(figure_lines(app)) == 2)
        assert figure_lines(app) == ["in ? · out ?", "in 10 · out 5 · context 2% of 1k"]
        assert "$" not in str(app.chat_screen.query_one(Stats).tooltip)


def test_the_status_bar_adds_context_cost_and_chat_sums_only_where_they_fit() -> None:
    from chatterm.api.types import Usage
    from chatterm.engine.conversation import Message, Timings
    from chatterm.engine.reply_figures import chat_totals
    from chatterm.tui.widgets.status_bar import format_stats

    def reply(prompt: int, completion: int, cost: float) -> Message:
        return Message(
            role="assistant",
            content="x",
            usage=Usage(prompt_tokens=prompt, completion_tokens=completion),
            timings=Timings(time_to_first_token=0.25, duration=1.25),
            cost=cost,
            context_window=128_000,
        )

    first, last = reply(1_000, 200, 0.0045), reply(3_000, 300, 0.0105)
    totals = chat_totals([Message("user", "a"), first, Message("user", "b"), last])
    own = "TTFT 0.25 s · 300 tok/s · in 3,000 · out 300"
    full = format_stats(last, None, totals)
    assert full == f"{own} · context 3% of 128k · chat: in 4,000 · out 500 · $0.015"
    assert format_stats(last, len(full), totals) == full
    assert format_stats(last, len(own) + 23, totals) == f"{own} · ctx 3% · chat $0.015"
    assert format_stats(last, len(own) + 20, totals) == f"{own} · ctx 3%"
    assert format_stats(last, len(own), totals) == own  # the reply's own figures first
    assert format_stats(last, 25, totals) == "0.25 s · 300 tok/s"
    # A chat of one reply: its cost is the chat's.
    alone = chat_totals([Message("user", "b"), last])
    assert format_stats(last, None, alone) == f"{own} · context 3% of 128k · $0.0105"
    # After a reply without figures (stopped early, failed), nothing stale stays.
    failed = Message(role="assistant", content="", state="failed")
    assert format_stats(failed, 200, chat_totals([first, last, failed])) == ""


async def test_a_background_tabs_bar_sums_its_own_chat(demo_gateway: Any, tmp_path: Path) -> None:
    """A reply that ends in a tab out of sight sets that tab's status bar from its own
    chat, not from the chat shown at the time."""
    context = AppContext.for_tests(demo_gateway.base_url, tmp_path, model="gpt-4o", prices=PRICE)
    app = ChatApp(context)
    async with app.run_test(size=SIZE) as pilot:
        first = app.chat_screen
        await send(pilot, "one")
        await reply_done(pilot)
        await send(pilot, "!tokens=600 !rate=200")
        await wait_until(pilot, lambda: first.current_view is not None)
        await pilot.press("alt+t")
        await wait_until(pilot, lambda: app.chat_screen is not first and app.chat_screen.is_mounted)
        await send(pilot, "hello")
        await reply_done(pilot)
        await wait_until(pilot, lambda: not first.replying, timeout=30)
        replies = [m for m in first.shown_conversation.messages if m.role == "assistant"]
        assert len(replies) == 2 and all(m.cost is not None for m in replies)
        stats = first.query_one(Stats)
        assert stats.totals is not None and stats.totals.replies == 2
        assert str(stats.tooltip).endswith(f" · {cost_text(sum(m.cost or 0 for m in replies))}")
        shown = app.chat_screen.query_one(Stats)
        assert shown.totals is not None and shown.totals.replies == 1
