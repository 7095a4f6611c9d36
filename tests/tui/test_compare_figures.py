"""Tokens and cost in compare columns, on the demo gateway with prices configured: each
column's figures under its header say what its reply cost and how many tokens it took,
in the words of a single reply's figure line, however narrow the column (four columns
side by side), and a lane that ran a tool round counts both of its requests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from chatterm.api.pricing import answer_tokens
from chatterm.context import AppContext
from chatterm.engine.reply_figures import cost_text
from chatterm.tui.app import ChatApp
from chatterm.tui.widgets.compare_view import CompareColumn

from .approving import approve
from .conftest import send, wait_until

FOUR = ["gpt-4o", "claude-sonnet-4-5-20250929", "deepseek-r1", "gpt-4o-mini"]
PRICES = {model: {"input": 2.5 + n, "output": 10 + n} for n, model in enumerate(FOUR)}


def columns(app: Any) -> list[CompareColumn]:
    return list(app.chat_screen.query(CompareColumn))


def figures(column: CompareColumn) -> str:
    return str(column.figures.render())


async def test_four_narrow_columns_each_show_their_tokens_and_cost(demo_gateway: Any, tmp_path: Path) -> None:
    context = AppContext.for_tests(demo_gateway.base_url, tmp_path, model="gpt-4o", prices=PRICES)
    app = ChatApp(context)
    async with app.run_test(size=(160, 44)) as pilot:
        await wait_until(pilot, lambda: app.session is not None)
        app.settings.thinking = True  # deepseek-r1 thinks: its column counts the thinking tokens
        app.start_compare_mode(FOUR)
        await send(pilot, "hello there")
        await wait_until(pilot, lambda: len(columns(app)) == 4 and not app.chat_screen.replying, timeout=30)
        await pilot.pause()
        for column in columns(app):
            reply = column.last_reply
            assert reply is not None and reply.usage is not None and reply.cost is not None
            usage = reply.usage
            shown = figures(column)
            assert column.size.width < 45, "four columns side by side: each is narrow"
            assert f"in {usage.prompt_tokens:,} · out {answer_tokens(usage):,}" in shown, shown
            assert cost_text(reply.cost) in shown, f"{column.model}: {shown!r}"
            if usage.reasoning_tokens:
                assert f"think {usage.reasoning_tokens:,}" in shown
            assert "tok/s" in shown
            assert all(len(line) <= column.figures.size.width for line in shown.splitlines())


async def test_a_column_whose_model_ran_a_tool_counts_both_requests(demo_gateway: Any, tmp_path: Path) -> None:
    models = ["gpt-4o", "claude-sonnet-4-5-20250929"]
    context = AppContext.for_tests(demo_gateway.base_url, tmp_path, model="gpt-4o", prices=PRICES)
    app = ChatApp(context)
    async with app.run_test(size=(140, 44)) as pilot:
        await wait_until(pilot, lambda: app.session is not None)
        app.start_compare_mode(models)
        await send(pilot, "calculate 6*7")
        for _ in models:  # each lane's call, asked one at a time
            await approve(pilot, "y")
        await wait_until(pilot, lambda: len(columns(app)) == 2 and not app.chat_screen.replying, timeout=30)
        await pilot.pause()
        for column in columns(app):
            replies = [view.message for view in column.replies]
            assert len(replies) == 2 and replies[0].tool_calls, "a tool round, then the answer"
            assert all(r.cost is not None and r.usage is not None for r in replies)
            total = sum(r.cost or 0 for r in replies)
            prompt = sum(r.usage.prompt_tokens or 0 for r in replies if r.usage)
            shown = figures(column)
            assert cost_text(total) in shown, shown
            assert f"in {prompt:,} · out " in shown
