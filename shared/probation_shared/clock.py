"""Today's date as the probation service counts it (England and Wales local time), in one place
so tests can fix it: rules that depend on "today" must not start failing on a later day."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")
_fixed: date | None = None


def today() -> date:
    return _fixed or datetime.now(LONDON).date()


def now() -> datetime:
    return datetime.now(UTC)


@contextlib.contextmanager
def fixed_today(day: date) -> Iterator[None]:
    """For tests: `today()` answers `day` inside the block."""
    global _fixed
    previous, _fixed = _fixed, day
    try:
        yield
    finally:
        _fixed = previous
