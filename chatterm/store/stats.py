"""Use per day from the history: chats, replies, tokens and cost (`chatterm history stats`).

    usage_by_day(conn, since)   -> `UsageReport` (one `DayUsage` per local day with a
                                   reply, oldest first, and the totals)

A reply is an assistant message of any branch (a regenerated reply was paid for too),
each tool round's included: each is one request. Failed replies count only when the
server reported usage for them. Tokens and cost are what each reply stored when it was
written (`engine/reply_figures.py`): `out` is answer tokens, `think` reasoning tokens,
as the TUI shows them. Days are local calendar days. Nothing here writes, so it works on
a read-only history file; numbers a damaged or imported row holds that are not
non-negative numbers count as nothing.
"""

from __future__ import annotations

import math
import sqlite3
from dataclasses import dataclass, field
from typing import Any

_ROWS = """
SELECT date(created_at, 'unixepoch', 'localtime'), chat_id,
       CASE WHEN json_valid(usage) THEN json_extract(usage, '$.prompt_tokens') END,
       CASE WHEN json_valid(usage) THEN json_extract(usage, '$.completion_tokens') END,
       CASE WHEN json_valid(usage) THEN json_extract(usage, '$.reasoning_tokens') END,
       CASE WHEN json_valid(extra) THEN json_extract(extra, '$.cost') END
FROM messages
WHERE role = 'assistant' AND created_at >= ? AND (state != 'failed' OR usage IS NOT NULL)
"""


@dataclass(slots=True)
class DayUsage:
    """One day's use (or the totals, with `day` = "total")."""

    day: str
    chats: int = 0
    replies: int = 0
    tokens_in: int = 0
    tokens_out: int = 0
    tokens_reasoning: int = 0
    cost: float | None = None
    """None when no reply of the day has a cost (no price was set)."""
    priced_replies: int = 0
    chat_ids: set[str] = field(default_factory=set, repr=False)

    def add(self, chat_id: str, prompt: Any, completion: Any, reasoning: Any, cost: Any) -> None:
        self.chat_ids.add(chat_id)
        self.chats = len(self.chat_ids)
        self.replies += 1
        prompt, completion, reasoning = _count(prompt), _count(completion), _count(reasoning)
        self.tokens_in += prompt
        # Reasoning inside the completion count, unless the server counted it apart.
        self.tokens_out += completion if reasoning > completion else completion - reasoning
        self.tokens_reasoning += reasoning
        if isinstance(cost, (int, float)) and not isinstance(cost, bool) and math.isfinite(cost) and cost >= 0:
            self.cost = (self.cost or 0.0) + cost
            self.priced_replies += 1

    def to_dict(self) -> dict[str, Any]:
        return {
            "day": self.day,
            "chats": self.chats,
            "replies": self.replies,
            "tokens_in": self.tokens_in,
            "tokens_out": self.tokens_out,
            "tokens_reasoning": self.tokens_reasoning,
            "cost": None if self.cost is None else round(self.cost, 10),
            "priced_replies": self.priced_replies,
        }


@dataclass(slots=True)
class UsageReport:
    days: list[DayUsage]
    total: DayUsage


def _count(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else 0


def usage_by_day(conn: sqlite3.Connection, since: float) -> UsageReport:
    """Replies written at or after `since` (a Unix time), by the local day they were written."""
    days: dict[str, DayUsage] = {}
    total = DayUsage("total")
    for day, chat_id, prompt, completion, reasoning, cost in conn.execute(_ROWS, (since,)):
        if not isinstance(day, str):
            continue  # a row without a usable time
        days.setdefault(day, DayUsage(day)).add(chat_id, prompt, completion, reasoning, cost)
        total.add(chat_id, prompt, completion, reasoning, cost)
    return UsageReport(sorted(days.values(), key=lambda d: d.day), total)
