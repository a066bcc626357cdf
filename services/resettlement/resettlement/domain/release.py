"""Release dates: which recorded date is the release date, who is due for release, and the first weeks after it."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta

# The first recorded date of these, in this order, is the release date (docs/domain.md).
RELEASE_DATE_PRECEDENCE = (
    "confirmed_release_date",
    "actual_parole_date",
    "hdc_actual_date",
    "conditional_release_date",
    "automatic_release_date",
)

# A pack is made, with no human action, once the release date is this close (12 weeks).
PACK_WINDOW_DAYS = 84
MAX_WINDOW_DAYS = 366

# Enhanced support after release: at least one contact a week for the first two weeks.
ENHANCED_SUPPORT_OFFSETS = (0, 3, 7, 10)


def release_date(dates: Mapping[str, date | None]) -> date | None:
    """The release date: the first of confirmed, actual parole, HDC actual, conditional and automatic release
    dates that is recorded; None when none is."""
    for name in RELEASE_DATE_PRECEDENCE:
        value = dates.get(name)
        if value is not None:
            return value
    return None


def due_within(release: date | None, today: date, days: int) -> bool:
    """Due for release within `days` days from today (today included; a date already past is not due)."""
    return release is not None and today <= release <= today + timedelta(days=days)


def enhanced_support(release: date) -> list[tuple[date, str]]:
    """The enhanced-support contacts of the first two weeks after release: day of release, +3, +7, +10 days."""
    descriptions = {
        0: "Enhanced support: first meeting on the day of release",
        3: "Enhanced support: check-in, first week",
        7: "Enhanced support: meeting, second week",
        10: "Enhanced support: check-in, second week",
    }
    return [(release + timedelta(days=d), descriptions[d]) for d in ENHANCED_SUPPORT_OFFSETS]
