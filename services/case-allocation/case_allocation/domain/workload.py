"""Workload Management Tool rules: points per case, available points, capacity, grade suitability."""

from __future__ import annotations

from collections.abc import Iterable
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
    """Points for one case; an untiered case weighs nothing until its tier is known."""
    core = base_tier(tier)
    if core is None:
        return 0
    return POINTS[case_type][core]


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


def suitable_grades(active_register_codes: Iterable[str]) -> tuple[str, ...]:
    if requires_probation_officer(active_register_codes):
        return ("PO",)
    return ("PSO", "PQiP", "PO")


def over_case_limit(active_risk_cases: int, adding_active_risk_case: bool) -> bool:
    """True when the allocation would take the practitioner above 50 cases needing active risk management."""
    return active_risk_cases + (1 if adding_active_risk_case else 0) > ACTIVE_RISK_CASE_LIMIT
