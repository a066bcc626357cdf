"""Offender Management in Custody: who is responsible (COM or POM) and when handover happens."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from .calendar import add_months

SHORT_SENTENCE_MONTHS = 10
RELEASE_DATE_PRECEDENCE = (
    "confirmed_release_date",
    "actual_parole_date",
    "hdc_actual_date",
    "conditional_release_date",
    "automatic_release_date",
)


def sentence_end(start: date, value: int, unit: str) -> date:
    unit = unit.upper()
    if unit == "DAYS":
        return start + timedelta(days=value)
    if unit == "WEEKS":
        return start + timedelta(weeks=value)
    if unit == "MONTHS":
        return add_months(start, value)
    if unit == "YEARS":
        return add_months(start, value * 12)
    raise ValueError(f"unknown length unit {unit!r}")


def is_short_sentence(start: date, value: int, unit: str) -> bool:
    """A custodial sentence of 10 months or less."""
    return sentence_end(start, value, unit) <= add_months(start, SHORT_SENTENCE_MONTHS)


def release_date(dates: dict[str, date | None]) -> date | None:
    """The release date by precedence: confirmed → parole → HDC actual → CRD → ARD."""
    for name in RELEASE_DATE_PRECEDENCE:
        if dates.get(name):
            return dates[name]
    return None


def handover_date(release: date, sentence_start: date) -> date:
    """Release − 7 calendar months (day clamped) − 15 days, never before the sentence start."""
    return max(add_months(release, -7) - timedelta(days=15), sentence_start)


@dataclass(frozen=True)
class Handover:
    responsible: str  # COM | POM
    handover_date: date | None


def responsibility(*, start: date, length_value: int, length_unit: str, release: date | None, on: date) -> Handover:
    if is_short_sentence(start, length_value, length_unit):
        return Handover("COM", start)
    if release is None:
        return Handover("POM", None)
    when = handover_date(release, start)
    return Handover("COM" if on >= when else "POM", when)
