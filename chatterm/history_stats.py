"""`chatterm history stats [--days N] [--json]`: use and cost per day, and the totals.

    DAY         CHATS  REPLIES  IN      OUT    THINK  COST
    2026-12-04      2        5  12,345  3,210    410  $0.041
    total           3        9  20,001  5,002    410  $0.063

The figures come from the store (`store/stats.py`); this module only words them. The
cost of a day is the sum of the costs its replies stored when they were written (a
price added later does not price old replies); a note says when some replies had none.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from chatterm.terminal_text import visible_line

if TYPE_CHECKING:
    from chatterm.store import ChatStore
    from chatterm.store.stats import DayUsage, UsageReport


def start_of_window(days: int, today: dt.date | None = None) -> float:
    """Local midnight at the start of the last `days` days, today included (0 for a
    window reaching before the calendar's start)."""
    today = today or dt.date.today()
    try:
        first = today - dt.timedelta(days=days - 1)
    except OverflowError:
        return 0.0
    return dt.datetime.combine(first, dt.time.min).timestamp()


def print_stats(store: ChatStore | None, args: argparse.Namespace, path: Path) -> int:
    """Print the report for the store (None: there is no history file yet)."""
    from chatterm.store.stats import DayUsage, UsageReport

    since = start_of_window(args.days)
    report = store.usage_by_day(since) if store is not None else UsageReport([], DayUsage("total"))
    if args.json:
        first = dt.datetime.fromtimestamp(since).date().isoformat() if since else None
        data = {
            "days": args.days,
            "since": first,
            "by_day": [day.to_dict() for day in report.days],
            "total": report.total.to_dict(),
        }
        json.dump(data, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
        return 0
    span = "today" if args.days == 1 else f"the last {args.days} days"
    if not report.days:
        where = f"{path}" if store is not None else f"{path} (there is no history file yet)"
        print(visible_line(f"No replies in {span} in {where}."))
        return 0
    _print_report(report)
    total = report.total
    if total.priced_replies < total.replies:
        missing = total.replies - total.priced_replies
        print(
            f"\n{missing:,} of {total.replies:,} replies have no cost: their model had no"
            ' [prices."<model>"] in the config when they were written (or no usage from the server).'
        )
    return 0


def _print_report(report: UsageReport) -> None:
    header = ("DAY", "CHATS", "REPLIES", "IN", "OUT", "THINK", "COST")
    rows = [_row(day) for day in report.days]
    rows.append(_row(report.total))
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    for row in [header, *rows]:
        cells = [cell.ljust(widths[0]) if i == 0 else cell.rjust(widths[i]) for i, cell in enumerate(row)]
        print(visible_line("  ".join(cells).rstrip()))


def _row(day: DayUsage) -> tuple[str, ...]:
    from chatterm.engine.reply_figures import cost_text

    return (
        day.day,
        f"{day.chats:,}",
        f"{day.replies:,}",
        f"{day.tokens_in:,}",
        f"{day.tokens_out:,}",
        f"{day.tokens_reasoning:,}",
        "-" if day.cost is None else cost_text(day.cost),
    )
