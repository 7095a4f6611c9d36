"""What a `[prices."<model>"]` table of the config file must hold.

    price_problem(entry) -> (field, problem) | None

Stdlib only: the config check (`config_check.py`) calls it on load, and `api/pricing.py`
builds its `Price`s from the tables that pass, so the rule lives in one place that
either side may import.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

PRICE_FIELDS = ("input", "output", "cached_input")
REQUIRED_FIELDS = ("input", "output")
MAX_PRICE = 1_000_000.0
"""A price per million tokens above this is a typo (the dearest models cost hundreds)."""


def price_problem(entry: Any) -> tuple[str, str] | None:
    """(field, what is wrong) for a `[prices."<model>"]` value that is not a price, else
    None. The field is "" when the problem is the whole entry."""
    if not isinstance(entry, Mapping):
        return "", f"must be a table: input = …, output = … per million tokens (got {entry!r})"
    for name in entry:
        if name not in PRICE_FIELDS:
            return str(name), f"is not a price field (use {', '.join(PRICE_FIELDS)})"
    for name in REQUIRED_FIELDS:
        if name not in entry:
            return "", f"needs {name} = … (per million tokens)"
    for name in PRICE_FIELDS:
        if name not in entry:
            continue
        value = entry[name]
        if isinstance(value, bool) or not isinstance(value, (int, float)) or math.isnan(value):
            return name, f"must be a number of money per million tokens (got {value!r})"
        if value < 0:
            return name, f"must not be negative (got {value!r})"
        if value > MAX_PRICE:
            return name, f"must be at most {MAX_PRICE:,.0f} per million tokens (got {value!r})"
    return None
