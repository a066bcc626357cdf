"""Ranking practitioners for a case, with the plain reasons behind each place (pure; docs/domain.md,
"Allocation and caseload")."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from .workload import ACTIVE_RISK_CASE_LIMIT, base_tier

# The grade that suits a case best first, by the tier's letter: the higher the risk of harm, the more
# qualified the practitioner it suits. A PO-only case never reaches this (only POs are candidates).
_GRADE_ORDER = {
    "A": ("PO", "PQiP", "PSO"),
    "B": ("PO", "PQiP", "PSO"),
    "C": ("PSO", "PQiP", "PO"),
    "D": ("PSO", "PQiP", "PO"),
}


def grade_fit(grade: str, tier: str | None) -> int:
    """0 for the grade that suits the case best, then 1, 2; an untiered case is taken as tier D."""
    order = _GRADE_ORDER[(base_tier(tier) or "D")[0]]
    return order.index(grade) if grade in order else len(order)


@dataclass(frozen=True)
class Candidate:
    staff_code: str
    grade: str
    capacity: Decimal | None  # now
    projected: Decimal | None  # after taking this case
    over_case_limit: bool
    continuity: bool  # holds or held this person's last order
    current_holder: bool  # a transfer: holds this case now


def rank_key(c: Candidate, tier: str | None) -> tuple:
    """Projected capacity first, then grade suitability, then continuity. Two things come before all of
    that: the current holder of a case being transferred goes last (holding it is why it is moving), and
    anyone the case would take over the active-risk cap follows those within it (they need an override)."""
    return (
        c.current_holder,
        c.over_case_limit,
        c.projected is None,
        c.projected if c.projected is not None else Decimal(0),
        grade_fit(c.grade, tier),
        not c.continuity,
        c.staff_code,
    )


def rank(candidates: list[Candidate], tier: str | None) -> list[Candidate]:
    return sorted(candidates, key=lambda c: rank_key(c, tier))


def reasons(c: Candidate, tier: str | None, po_required: list[str]) -> list[str]:
    """Why the candidate stands where they do, in words a practitioner reads."""
    out = list(po_required)
    if c.current_holder:
        out.append("holds this case now: a transfer moves it to someone else")
    if c.projected is None:
        out.append("has no available hours")
    else:
        out.append(f"would reach {c.projected}% (now {c.capacity}%)")
    if c.over_case_limit:
        out.append(f"over the {ACTIVE_RISK_CASE_LIMIT} active-risk-case limit: needs an override reason")
    if not po_required:
        letter = (base_tier(tier) or "D")[0]
        fit = grade_fit(c.grade, tier)
        label = f"tier {letter}" if base_tier(tier) else "an untiered"
        out.append(f"grade {c.grade} {'suits' if fit == 0 else 'can hold'} {label} case")
    if c.continuity and not c.current_holder:
        out.append("held this person's last order")
    return out
