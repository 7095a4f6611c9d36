"""What a reply cost: the config's `[prices."<model>"]` applied to a reply's `Usage`.

    Price(input, output, cached_input)   per million tokens, in the user's currency
    price_problem(entry)                 why a `[prices."<model>"]` table is not a price
                                         (`price_table.py`, which the config check uses)
    prices_from_table(table)             the checked config table -> {model: Price}
    price_for(model, prices)             the model's price (exact id), or None
    cost_of(usage, price)                the cost of one reply, or None when unknown

Pure functions over values, so the TUI, `ask` and the compare columns can each price a
reply the same way. A cost is never guessed: no price, or no prompt or completion count
in the usage, gives None (shown as nothing). Reasoning tokens are output tokens: servers
count them inside `completion_tokens` (the gateway page's Grok rule); a server that
reports more reasoning than completion tokens has counted them apart, and both are
billed. Cached prompt tokens cost `cached_input` when the price names it and the usage
says how many were cached; otherwise every prompt token costs `input`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from chatterm.api.types import Usage
from chatterm.price_table import price_problem

PER = 1_000_000
"""Prices are per million tokens, as providers publish them."""


@dataclass(frozen=True, slots=True)
class Price:
    """One model's price per million tokens."""

    input: float
    output: float
    cached_input: float | None = None


def prices_from_table(table: Mapping[str, Any]) -> dict[str, Price]:
    """The config's checked `[prices]` table as `Price`s (entries that are not a price are
    left out: the config check has refused them already)."""
    prices: dict[str, Price] = {}
    for model, entry in table.items():
        if price_problem(entry) is not None:
            continue
        cached = entry.get("cached_input")
        prices[model] = Price(float(entry["input"]), float(entry["output"]), None if cached is None else float(cached))
    return prices


def price_for(model: str | None, prices: Mapping[str, Price]) -> Price | None:
    """The price written for exactly this model id (a variant or another vendor's copy
    of a model may cost something else, so nothing is matched loosely)."""
    if not model:
        return None
    return prices.get(model)


def output_tokens(usage: Usage) -> int | None:
    """The reply's tokens, reasoning included once: inside `completion_tokens`, unless
    the server reported more reasoning than completion tokens (counted apart)."""
    completion = usage.completion_tokens
    if completion is None or completion < 0:
        return None
    reasoning = usage.reasoning_tokens or 0
    return completion + reasoning if reasoning > completion else completion


def answer_tokens(usage: Usage) -> int | None:
    """The reply's tokens that are not reasoning (`output_tokens` less the reasoning)."""
    output = output_tokens(usage)
    return None if output is None else max(0, output - max(usage.reasoning_tokens or 0, 0))


def cost_of(usage: Usage | None, price: Price | None) -> float | None:
    """The cost of one request, in the price's currency; None when the price or the token
    counts it needs are unknown."""
    if usage is None or price is None:
        return None
    prompt, output = usage.prompt_tokens, output_tokens(usage)
    if prompt is None or output is None or prompt < 0:
        return None
    cached = usage.cached_tokens or 0
    if price.cached_input is not None and 0 < cached <= prompt:
        input_cost = (prompt - cached) * price.input + cached * price.cached_input
    else:
        input_cost = prompt * price.input
    return (input_cost + output * price.output) / PER
