"""Today's date as the probation service counts it (England and Wales local time), in one place
so tests can fix it: rules that depend on "today" must not start failing on a later day."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import overload
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")
_fixed: date | None = None


def today() -> date:
    return _fixed or datetime.now(LONDON).date()


def now() -> datetime:
    return datetime.now(UTC)


@overload
def as_utc(value: datetime) -> datetime: ...
@overload
def as_utc(value: None) -> None: ...
def as_utc(value: datetime | None) -> datetime | None:
    """A stored timestamp as an aware datetime: SQLite keeps no offset and every timestamp is written in UTC,
    so a naive value is read as UTC; an aware one is returned unchanged."""
    if value is None:
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


@contextlib.contextmanager
def fixed_today(day: date) -> Iterator[None]:
    """For tests: `today()` answers `day` inside the block."""
    global _fixed
    previous, _fixed = _fixed, day
    try:
        yield
    finally:
        _fixed = previous
