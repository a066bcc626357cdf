"""Dates and times written out in words, the same whatever the machine's locale ("Tuesday 3 March 2027")."""

from __future__ import annotations

from datetime import date, datetime

_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def long_date(value: date) -> str:
    """`Tuesday 3 March 2027`: no ordinals or abbreviations, which some readers find hard."""
    return f"{_DAYS[value.weekday()]} {value.day} {_MONTHS[value.month - 1]} {value.year}"


def clock_time(value: datetime) -> str:
    """`10:30am`, `12 noon`, `2pm`: the 12-hour clock most readers use."""
    if value.hour == 12 and value.minute == 0:
        return "12 noon"
    if value.hour == 0 and value.minute == 0:
        return "midnight"
    hour = value.hour % 12 or 12
    suffix = "am" if value.hour < 12 else "pm"
    return f"{hour}{suffix}" if value.minute == 0 else f"{hour}:{value.minute:02d}{suffix}"


def date_and_time(value: datetime) -> str:
    """`Tuesday 3 March 2027 at 10:30am`."""
    return f"{long_date(value.date())} at {clock_time(value)}"
