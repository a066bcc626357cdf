"""Working days in England and Wales and the 5-working-day allocation deadline (pure functions)."""

from __future__ import annotations

import calendar
from datetime import date, timedelta
from functools import lru_cache

import holidays

ALLOCATION_WORKING_DAYS = 5


@lru_cache(maxsize=64)
def _bank_holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year).keys())


def is_bank_holiday(day: date) -> bool:
    return day in _bank_holidays(day.year)


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and not is_bank_holiday(day)


def add_working_days(start: date, days: int) -> date:
    """The `days`-th working day after `start` (the count starts the working day after `start`)."""
    if days < 0:
        raise ValueError("days must not be negative")
    current = start
    counted = 0
    while counted < days:
        current += timedelta(days=1)
        if is_working_day(current):
            counted += 1
    return current


def allocation_due_date(sentence_date: date) -> date:
    return add_working_days(sentence_date, ALLOCATION_WORKING_DAYS)


def days_not_counted(start: date, end: date) -> list[date]:
    """The weekend days and bank holidays after `start` up to `end`: what the working-day count skipped."""
    days = (start + timedelta(days=i) for i in range(1, (end - start).days + 1))
    return [d for d in days if not is_working_day(d)]


def due_status(due_date: date, today: date) -> str:
    """OVERDUE the day after the due date; DUE_TODAY on it; DUE_ON before it."""
    if today > due_date:
        return "OVERDUE"
    if today == due_date:
        return "DUE_TODAY"
    return "DUE_ON"


def add_months(day: date, months: int) -> date:
    """Calendar months added (or taken away), the day clamped to the end of the target month."""
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    last = calendar.monthrange(year, month)[1]
    return date(year, month, min(day.day, last))
