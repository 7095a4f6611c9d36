"""A reply's cost and context window, fixed when it is written, and a chat's sums.

    meter_reply(reply, prices, window_of)   sets `reply.cost` and `reply.context_window`
    chat_totals(messages)                   `ChatTotals`: tokens in/out/reasoning, cost,
                                            and how full the last request left the window

The cost is kept with the message (in history too) at the price the config named when
it was written: a price changed later does not rewrite what was paid. The window is
kept for the same reason (the reply's figures look the same after a reload, with or
without the server that listed it).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from chatterm.api.context_window import ContextUse, context_use
from chatterm.api.pricing import Price, answer_tokens, cost_of, price_for
from chatterm.engine.conversation import Message

WindowOf = Callable[[str], "int | None"]


def meter_reply(reply: Message, prices: Mapping[str, Price], window_of: WindowOf | None) -> None:
    """Price the reply by its usage and note its model's context window (either stays
    None when not known)."""
    reply.cost = cost_of(reply.usage, price_for(reply.model, prices))
    if reply.model and window_of is not None:
        reply.context_window = window_of(reply.model)


@dataclass(frozen=True, slots=True)
class ChatTotals:
    """Sums over a chat's replies (each request's prompt counts: it was sent, and paid, each time)."""

    replies: int = 0
    prompt_tokens: int = 0
    answer_tokens: int = 0
    reasoning_tokens: int = 0
    cost: float | None = None
    """None when no reply has a cost; otherwise the sum of those that have one."""
    priced_replies: int = 0
    context: ContextUse | None = None
    """The last reply's: how full its request left the window."""


def chat_totals(messages: Iterable[Message]) -> ChatTotals:
    replies = prompt = answer = reasoning = priced = 0
    cost: float | None = None
    context: ContextUse | None = None
    for message in messages:
        if message.role != "assistant" or message.usage is None:
            continue
        usage = message.usage
        replies += 1
        prompt += max(usage.prompt_tokens or 0, 0)
        answer += answer_tokens(usage) or 0
        reasoning += max(usage.reasoning_tokens or 0, 0)
        if message.cost is not None:
            cost = (cost or 0.0) + message.cost
            priced += 1
        context = context_use(usage, message.context_window)
    return ChatTotals(replies, prompt, answer, reasoning, cost, priced, context)


# --- words for people: the line under a reply, the status bar, `history stats` -------------


def cost_text(cost: float) -> str:
    """$1.23, $0.0213, $0.0005: cents for a dollar or more, three significant figures
    below (trailing zeros dropped past the cents)."""
    if cost >= 1 or cost <= 0:
        return f"${cost:,.2f}"
    decimals = min(8, max(2, 2 - math.floor(math.log10(cost))))
    text = f"{cost:.{decimals}f}".rstrip("0")
    whole, _, fraction = text.partition(".")
    return f"${whole}.{fraction.ljust(2, '0')}"


def window_text(window: int) -> str:
    """128k, 1.05M: the window in three figures."""
    if window >= 1_000_000:
        return f"{window / 1_000_000:.3g}M"
    if window >= 1_000:
        return f"{window / 1_000:.3g}k"
    return str(window)


def context_text(use: ContextUse) -> str:
    """ "3% of 128k" (under 1% says so rather than 0%)."""
    percent = use.percent
    shown = "<1" if 0 < percent < 1 else f"{percent:.0f}"
    return f"{shown}% of {window_text(use.window)}"


def reply_line(message: Message) -> str:
    """The line under a finished reply: its tokens, how full its request left the
    context window, its cost; "" when the server reported no usage."""
    usage = message.usage
    if usage is None:
        return ""
    answer = answer_tokens(usage)
    parts = [
        f"in {'?' if usage.prompt_tokens is None else f'{usage.prompt_tokens:,}'}",
        f"out {'?' if answer is None else f'{answer:,}'}",
    ]
    if usage.reasoning_tokens:
        parts.append(f"think {usage.reasoning_tokens:,}")
    if (use := context_use(usage, message.context_window)) is not None:
        parts.append(f"context {context_text(use)}")
    if message.cost is not None:
        parts.append(cost_text(message.cost))
    return " · ".join(parts)
