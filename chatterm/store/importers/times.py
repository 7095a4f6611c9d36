"""Times as other apps store them -> seconds since the epoch (what chatterm keeps)."""

from __future__ import annotations

from datetime import UTC, datetime


def utc_seconds(value: object) -> float | None:
    """An ISO time ("2026-12-05 15:59:05.438264", "...T16:00:57+00:00") or epoch number;
    a time without a zone is UTC (elia and llm write UTC without saying so)."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        when = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.timestamp()
