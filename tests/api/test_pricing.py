"""What a reply cost: `cost_of(usage, price)` on the usage the demo gateway reports, and
on the shapes other servers send (reasoning inside or apart, cached prompt tokens).

`cost_of` is the one function every view prices with (the TUI, `ask --json`, the compare
columns), so a figure in one place is the figure in all.
"""

from __future__ import annotations

import pytest

from chatterm.api import ChatRequest
from chatterm.api.pricing import Price, cost_of, price_for, prices_from_table
from chatterm.api.types import Usage

from .conftest import DemoPair

GPT_4O = Price(input=2.5, output=10.0, cached_input=1.25)


async def test_a_demo_reply_is_priced_from_the_usage_it_reports(demo: DemoPair) -> None:
    _, client = demo
    messages = [
        {"role": "user", "content": "first question here"},
        {"role": "assistant", "content": "an earlier answer of several words"},
        {"role": "user", "content": "and a second question"},
    ]
    completion = await client.complete(ChatRequest(model="gpt-4o", messages=messages))
    usage = completion.usage
    assert usage is not None and usage.prompt_tokens and usage.completion_tokens
    # The demo counts the turns before the last prompt as cached, as OpenAI does.
    assert usage.cached_tokens is not None and 0 < usage.cached_tokens < usage.prompt_tokens
    fresh = usage.prompt_tokens - usage.cached_tokens
    expected = (fresh * 2.5 + usage.cached_tokens * 1.25 + usage.completion_tokens * 10.0) / 1e6
    assert cost_of(usage, GPT_4O) == pytest.approx(expected)
    # Without a cached price every prompt token costs the input price.
    assert cost_of(usage, Price(2.5, 10.0)) == pytest.approx(
        (usage.prompt_tokens * 2.5 + usage.completion_tokens * 10.0) / 1e6
    )


async def test_reasoning_the_demo_reports_is_billed_as_output_once(demo: DemoPair) -> None:
    _, client = demo
    request = ChatRequest(model="deepseek-r1", messages=[{"role": "user", "content": "why is the sky blue"}])
    usage = (await client.complete(request)).usage
    assert usage is not None and usage.reasoning_tokens and usage.completion_tokens
    assert usage.reasoning_tokens < usage.completion_tokens  # inside the completion count
    price = Price(input=1.0, output=2.0)
    assert cost_of(usage, price) == pytest.approx((usage.prompt_tokens or 0) / 1e6 + usage.completion_tokens * 2 / 1e6)


def test_costs_from_hand_counted_usage() -> None:
    million = 1_000_000
    assert cost_of(Usage(prompt_tokens=million, completion_tokens=million), GPT_4O) == pytest.approx(12.5)
    cached = Usage(prompt_tokens=million, completion_tokens=0, cached_tokens=million // 2)
    assert cost_of(cached, GPT_4O) == pytest.approx(1.25 + 0.625)
    # Reasoning reported apart from (more than) the completion: billed on top of it.
    apart = Usage(prompt_tokens=0, completion_tokens=100_000, reasoning_tokens=900_000)
    assert cost_of(apart, GPT_4O) == pytest.approx(10.0)
    # Nonsense cached counts price every prompt token at the input price.
    odd = Usage(prompt_tokens=1_000, completion_tokens=0, cached_tokens=5_000)
    assert cost_of(odd, GPT_4O) == pytest.approx(0.0025)


@pytest.mark.parametrize(
    "usage",
    [
        None,
        Usage(prompt_tokens=None, completion_tokens=10),
        Usage(prompt_tokens=10, completion_tokens=None),
        Usage(prompt_tokens=-5, completion_tokens=10),
        Usage(prompt_tokens=5, completion_tokens=-10),
    ],
)
def test_a_cost_is_never_guessed_from_missing_counts(usage: Usage | None) -> None:
    assert cost_of(usage, GPT_4O) is None


def test_no_price_no_cost_and_prices_match_the_exact_model_id() -> None:
    usage = Usage(prompt_tokens=10, completion_tokens=10)
    prices = prices_from_table({"gpt-4o": {"input": 2.5, "output": 10}, "bad": {"input": -1, "output": 1}})
    assert set(prices) == {"gpt-4o"}
    assert price_for("gpt-4o", prices) == Price(2.5, 10.0)
    assert price_for("gpt-4o-mini", prices) is None
    assert price_for("openai/gpt-4o", prices) is None
    assert cost_of(usage, price_for("gpt-4o-mini", prices)) is None
