"""Workload Management Tool rules: points per case, available points, capacity, grade suitability."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

NOMINAL_TARGET = Decimal(2176)
STANDARD_HOURS = Decimal(37)
ACTIVE_RISK_CASE_LIMIT = 50

CASE_TYPES = ("COMMUNITY", "LICENCE", "CUSTODY")
_TIERS = ("A3", "A2", "A1", "A0", "B3", "B2", "B1", "B0", "C3", "C2", "C1", "C0", "D3", "D2", "D1", "D0")
_POINTS = {
    "COMMUNITY": (206, 158, 146, 110, 146, 115, 102, 72, 79, 63, 50, 35, 51, 41, 29, 29),
    "LICENCE": (219, 175, 163, 0, 161, 132, 119, 0, 77, 65, 52, 0, 51, 43, 31, 0),
    "CUSTODY": (75, 60, 59, 0, 59, 48, 47, 0, 30, 24, 23, 0, 17, 14, 13, 0),
}
POINTS: dict[str, dict[str, int]] = {ct: dict(zip(_TIERS, values, strict=True)) for ct, values in _POINTS.items()}

COURT_REPORT_POINTS = {"STANDARD": 138, "FAST": 65}
# A case is weighed as this tier until its tier is known (docs/domain.md, "Allocation and caseload").
UNTIERED_DEFAULT_TIER = "D1"

GRADES = ("PSO", "PQiP", "PO", "SPO")
HIGH_RISK_CODES = frozenset({"RVHR", "RHRH"})
MAPPA_CODE = "MAPP"


def base_tier(tier: str | None) -> str | None:
    """`A3S` → `A3`: the unsupervised suffix does not change the points."""
    if not tier:
        return None
    core = tier.strip().upper()[:2]
    return core if core in _TIERS else None


def case_points(tier: str | None, case_type: str) -> int:
    """Points for one case; an untiered case weighs as `UNTIERED_DEFAULT_TIER` until its tier is known, so
    a new case is never free to take."""
    return POINTS[case_type][base_tier(tier) or UNTIERED_DEFAULT_TIER]


def court_report_points(kinds: Iterable[str]) -> int:
    """Points of the court reports a practitioner is writing: standard 138, fast 65."""
    return sum(COURT_REPORT_POINTS[k] for k in kinds)


@dataclass(frozen=True)
class HeldCase:
    crn: str
    points: int
    upw_only: bool


@dataclass(frozen=True)
class Caseload:
    points: int  # case points, each person weighed once (by their heaviest case)
    people: int
    active_risk_people: int  # people with at least one case that is not unpaid-work only


def caseload(cases: Iterable[HeldCase]) -> Caseload:
    """Caseload and the 50 cap count people on probation, not sentences: one person on two orders counts
    once, weighed by the heavier order, and needs active risk management if any of their orders does."""
    by_person: dict[str, tuple[int, bool]] = {}
    for c in cases:
        points, upw_only = by_person.get(c.crn, (0, True))
        by_person[c.crn] = (max(points, c.points), upw_only and c.upw_only)
    return Caseload(
        sum(p for p, _ in by_person.values()),
        len(by_person),
        sum(1 for _, upw_only in by_person.values() if not upw_only),
    )


def available_points(
    contracted_hours: Decimal | float | int, reduction_hours: Iterable[Decimal | float | int] = ()
) -> Decimal:
    hours = Decimal(str(contracted_hours)) - sum((Decimal(str(r)) for r in reduction_hours), Decimal(0))
    if hours <= 0:
        return Decimal(0)
    return NOMINAL_TARGET * hours / STANDARD_HOURS


def capacity_percent(total_points: int, available: Decimal) -> Decimal | None:
    """Total ÷ available × 100, to 1 dp (half up); None when the practitioner has no available hours."""
    if available <= 0:
        return None
    return (Decimal(total_points) * 100 / available).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def requires_probation_officer(active_register_codes: Iterable[str]) -> bool:
    """High or very high RoSH, or any MAPPA registration → a PO must hold the case."""
    codes = set(active_register_codes)
    return bool(codes & HIGH_RISK_CODES) or MAPPA_CODE in codes


def po_required_because(active_register_codes: Iterable[str]) -> list[str]:
    """Plain reasons a PO must hold the case, e.g. "PO required: RoSH high"; empty when any grade may."""
    codes = set(active_register_codes)
    reasons = []
    if "RVHR" in codes:
        reasons.append("PO required: RoSH very high")
    if "RHRH" in codes:
        reasons.append("PO required: RoSH high")
    if MAPPA_CODE in codes:
        reasons.append("PO required: MAPPA")
    return reasons


def suitable_grades(active_register_codes: Iterable[str]) -> tuple[str, ...]:
    if requires_probation_officer(active_register_codes):
        return ("PO",)
    return ("PSO", "PQiP", "PO")


def grade_flags(holder_grade: str, active_register_codes: Iterable[str]) -> list[str]:
    """Flags on an allocation whose holder's grade no longer fits: a RoSH or MAPPA registration added after
    the case went to a PSO or PQiP means a PO must now hold it."""
    if holder_grade in suitable_grades(active_register_codes):
        return []
    why = po_required_because(active_register_codes)
    return [f"grade no longer fits: {w}, held by a {holder_grade}" for w in why]


def over_case_limit(active_risk_cases: int, adding_active_risk_case: bool) -> bool:
    """True when the allocation would take the practitioner above 50 cases needing active risk management."""
    return active_risk_cases + (1 if adding_active_risk_case else 0) > ACTIVE_RISK_CASE_LIMIT
