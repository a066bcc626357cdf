"""When to try again: exponential backoff with jitter over about a day, and `Retry-After`."""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

# Seconds before retry 1, 2, ...: roughly exponential, about 24 hours in all (Standard Webhooks' advice).
DEFAULT_SCHEDULE = (5.0, 30.0, 120.0, 600.0, 1800.0, 3600.0, 7200.0, 14400.0, 28800.0, 28800.0)
DEFAULT_JITTER = 0.2  # each wait is drawn from ±20% of its scheduled value


def retry_delay(
    retry_number: int, schedule: tuple[float, ...] | list[float], jitter: float, draw: float
) -> float | None:
    """Seconds to wait before retry `retry_number` (1-based); None once the schedule is spent.

    `draw` is a uniform number in [0, 1) from the caller's random source (injected, so tests are exact).
    """
    if retry_number < 1 or retry_number > len(schedule):
        return None
    base = float(schedule[retry_number - 1])
    return max(0.0, base * (1.0 - jitter + 2.0 * jitter * min(max(draw, 0.0), 1.0)))


def retry_after_seconds(value: str | None, now: datetime) -> float | None:
    """`Retry-After` as seconds: delta-seconds or an HTTP date; None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max((when - now).total_seconds(), 0.0)
