"""Sentence rules: types, case types, mandate for change (pure functions)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from probation_shared.domain_error import DomainError, FieldError

from .calendar import add_months

SENTENCE_TYPES = ("COMMUNITY_ORDER", "SUSPENDED_SENTENCE_ORDER", "CUSTODY")
REQUIREMENT_TYPES = ("RAR", "UPW", "DRR", "ATR", "MHTR", "CURFEW", "AAMR")
REQUIREMENT_UNITS = {
    "RAR": "DAYS",
    "UPW": "HOURS",
    "DRR": "MONTHS",
    "ATR": "MONTHS",
    "MHTR": "MONTHS",
    "CURFEW": "MONTHS",
    "AAMR": "DAYS",
}


# What progress is counted in, per type (docs/domain.md, "Sentences, requirements and registrations"):
# RAR days attended, UPW hours worked, DRR/ATR/MHTR months of treatment completed (their length is ordered
# in months), curfew days served (ordered in months, served night by night) and AAMR days monitored.
PROGRESS_UNITS = {
    "RAR": "DAYS",
    "UPW": "HOURS",
    "DRR": "MONTHS",
    "ATR": "MONTHS",
    "MHTR": "MONTHS",
    "CURFEW": "DAYS",
    "AAMR": "DAYS",
}
# Requirements monitored electronically, which carry monitoring details.
MONITORED = ("CURFEW", "AAMR")


def progress_total(requirement_type: str, length: int, start: date) -> int:
    """The progress that completes the requirement, in its progress unit: the length itself, except for a
    curfew ordered in months and counted in days (the days from its start to the same day `length`
    months later)."""
    if PROGRESS_UNITS[requirement_type] == "DAYS" and REQUIREMENT_UNITS[requirement_type] == "MONTHS":
        return (add_months(start, length) - start).days
    return length


def check_progress(previous: int, completed: int, total: int, unit: str) -> None:
    """Progress only moves forward, and never beyond what completes the requirement."""
    if completed > total:
        raise DomainError(
            "progress-exceeds-length",
            f"{completed} exceeds the requirement's {total} {unit.lower()}.",
            [FieldError("completed", f"must not exceed {total}")],
            status=422,
        )
    if completed < previous:
        raise DomainError(
            "progress-backwards",
            f"Progress only moves forward: {previous} {unit.lower()} are already recorded as completed.",
            [FieldError("completed", f"must not be less than {previous}")],
            status=422,
        )


def curfew_hours(start: str, end: str) -> float:
    """Hours a day between two HH:MM times, across midnight when the end is earlier (19:00–07:00 → 12)."""
    sh, sm = (int(x) for x in start.split(":"))
    eh, em = (int(x) for x in end.split(":"))
    minutes = (eh * 60 + em - sh * 60 - sm) % (24 * 60)
    return minutes / 60


def is_custodial(sentence_type: str) -> bool:
    return sentence_type == "CUSTODY"


def case_type(sentence_type: str, released: bool) -> str:
    if is_custodial(sentence_type):
        return "LICENCE" if released else "CUSTODY"
    return "COMMUNITY"


@dataclass(frozen=True)
class SentenceFacts:
    sentence_type: str
    active: bool
    active_requirement_types: tuple[str, ...] = ()


def mandate_for_change(sentences: Iterable[SentenceFacts]) -> bool:
    """A current custodial sentence, or a current community sentence with a requirement other than UPW."""
    for s in sentences:
        if not s.active:
            continue
        if is_custodial(s.sentence_type):
            return True
        if any(t != "UPW" for t in s.active_requirement_types):
            return True
    return False


def upw_only(sentence_type: str, active_requirement_types: Iterable[str]) -> bool:
    """Unpaid-work-only cases are exempt from the 50 active-risk-case limit."""
    types = set(active_requirement_types)
    return not is_custodial(sentence_type) and types == {"UPW"}
