"""Contact compliance and enforcement rules (pure functions)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from .calendar import add_months

OUTCOMES = ("ATTENDED", "FTA_ACCEPTABLE", "FTA_UNACCEPTABLE")
BREACH_ABSENCES = 2
ENHANCED_SUPPORT_DAYS = 14


def breach_due(unacceptable_absence_dates: Iterable[date], on: date) -> bool:
    """Two unacceptable absences within the 12 months up to `on` raise a breach."""
    window_start = add_months(on, -12)
    return sum(1 for d in unacceptable_absence_dates if window_start < d <= on) >= BREACH_ABSENCES


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # inclusive
    kind: str  # MONTHLY | WEEKLY_AFTER_RELEASE
    contacts: int
    status: str  # MET | NOT_MET | IN_PROGRESS
    planned: int = 0  # face-to-face contacts booked in the period with no outcome yet


def _status(contacts: int, end: date, on: date) -> str:
    if contacts > 0:
        return "MET"
    return "IN_PROGRESS" if end >= on else "NOT_MET"


def compliance_periods(
    *,
    case_start: date,
    released_on: date | None,
    attended_face_to_face: Sequence[date],
    on: date,
    booked_face_to_face: Sequence[date] = (),
) -> list[Period]:
    """The minimum-contact periods due so far: each month of supervision counted from the day it started
    (the case start, or the release day), not calendar months, and the two weeks after release week by
    week (docs/domain.md, "Sentences, requirements and registrations"). Month n runs from the start plus
    n months to the day before the start plus n + 1 months, each counted from the start itself so a
    31 January start keeps its anchor (28 February–30 March, then 31 March–29 April) rather than drifting
    to the 28th.
    Booked contacts (no outcome yet) are counted as `planned`: they show the period is covered, but only
    an attended contact meets it."""
    periods: list[Period] = []

    def count(start: date, end: date) -> int:
        return sum(1 for d in attended_face_to_face if start <= d <= end)

    def planned(start: date, end: date) -> int:
        return sum(1 for d in booked_face_to_face if start <= d <= end)

    if released_on and released_on <= on:
        for week in range(ENHANCED_SUPPORT_DAYS // 7):
            start = released_on + timedelta(days=7 * week)
            if start > on:
                break
            end = start + timedelta(days=6)
            n = count(start, end)
            periods.append(Period(start, end, "WEEKLY_AFTER_RELEASE", n, _status(n, end, on), planned(start, end)))
    supervision_start = released_on if released_on else case_start
    month = 0
    start = supervision_start
    while start <= on:
        end = add_months(supervision_start, month + 1) - timedelta(days=1)
        n = count(start, end)
        periods.append(Period(start, end, "MONTHLY", n, _status(n, end, on), planned(start, end)))
        month += 1
        start = end + timedelta(days=1)
    return periods


# A refused test counts as a positive one for enforcement (docs/domain.md, "Sentences, requirements and registrations").
COUNTS_AS_POSITIVE = frozenset({"POSITIVE", "REFUSED"})


def enhanced_support_to_book(
    already_booked: Iterable[tuple[date, str]], requested: Sequence[tuple[date, str]]
) -> list[tuple[date, str]]:
    """The requested (date, type) contacts not already booked, each once: a schedule delivered again,
    or repeated within itself, books nothing twice."""
    seen = set(already_booked)
    fresh = []
    for item in requested:
        if item not in seen:
            seen.add(item)
            fresh.append(item)
    return fresh


def repeated_positive(results_latest_first: Sequence[str]) -> bool:
    """Flag for enforcement when the latest two results are both positive, a refusal counting as positive:
    POSITIVE, REFUSED, POSITIVE is flagged at the refusal and again at the second positive."""
    return len(results_latest_first) >= 2 and all(r in COUNTS_AS_POSITIVE for r in results_latest_first[:2])
