"""The Unified Tiering Model (A–D × 0–3, `S` for unsupervised), exactly as docs/domain.md defines it.

`calculate` is pure: it takes every input explicitly and returns the tier with its points breakdown,
so a practitioner can see why a tier is what it is.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from decimal import Decimal

from .needs import SCORED_SECTIONS, SECTIONS_BY_CODE, SEVERITY_POINTS, Severity
from .rosh import RiskLevel

COMPLEXITY_FACTORS = frozenset({"RMDO", "ALSH", "RVLN", "RCCO", "RCPR", "RCHD", "RPIR", "RVAD", "STRG", "RTAO"})
ROSH_POINTS = {RiskLevel.VERY_HIGH: 150, RiskLevel.HIGH: 20, RiskLevel.MEDIUM: 10}
MAPPA_POINTS = {"M3": 150, "M2": 150, "M1": 5}
ASSESSMENT_VALID_WEEKS = 55

_RSR_HIGH = (Decimal("7.00"), Decimal("99.99"))
_RSR_MEDIUM = (Decimal("3.00"), Decimal("6.99"))


@dataclass(frozen=True)
class TierInputs:
    rsr: Decimal | None = None
    rosh: RiskLevel | None = None
    mappa_level: str | None = None
    complexity_factors: frozenset[str] = frozenset()
    female: bool = False
    parenting_concern: bool = False
    impulsivity_or_temper_concern: bool = False
    previous_enforcement: bool = False
    mandate_for_change: bool = False
    # Severity of each scored need section of the latest complete assessment within 55 weeks; None: no such assessment.
    needs: Mapping[str, Severity] | None = None
    ogrs: int | None = None
    iom: bool = False
    unsupervised: bool = False

    def to_json(self) -> dict:
        data = {
            name: getattr(self, name) for name in _INPUT_FIELDS
        }  # every field is a plain value: no deep copy needed
        data["rsr"] = None if self.rsr is None else str(self.rsr)
        data["rosh"] = None if self.rosh is None else self.rosh.value
        data["complexity_factors"] = sorted(self.complexity_factors)
        data["needs"] = None if self.needs is None else {k: Severity(v).value for k, v in self.needs.items()}
        return {_INPUT_KEYS[k]: v for k, v in data.items()}


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(p.title() for p in rest)


_INPUT_FIELDS = tuple(f.name for f in fields(TierInputs))
_INPUT_KEYS = {name: _camel(name) for name in _INPUT_FIELDS}


@dataclass(frozen=True)
class TierResult:
    tier: str
    protect_level: str
    protect_points: int
    change_level: int
    change_points: int | None
    breakdown: dict = field(default_factory=dict)


def rsr_points(rsr: Decimal | None) -> int:
    if rsr is None:
        return 0
    if _RSR_HIGH[0] <= rsr <= _RSR_HIGH[1]:
        return 20
    if _RSR_MEDIUM[0] <= rsr <= _RSR_MEDIUM[1]:
        return 10
    return 0


def protect_letter(points: int) -> str:
    if points >= 150:
        return "A"
    if points >= 20:
        return "B"
    if points >= 10:
        return "C"
    return "D"


def change_level_of(points: int) -> int:
    if points >= 20:
        return 3
    if points >= 10:
        return 2
    return 1


def calculate(inputs: TierInputs) -> TierResult:
    # Protect
    rsr = rsr_points(inputs.rsr)
    rosh = ROSH_POINTS.get(inputs.rosh, 0) if inputs.rosh else 0
    mappa = MAPPA_POINTS.get(inputs.mappa_level or "", 0)
    factors = sorted(inputs.complexity_factors & COMPLEXITY_FACTORS)
    complexity = 2 * len(factors)
    womens = {"parenting": 0, "impulsivityOrTemper": 0, "previousEnforcement": 0}
    if inputs.female:
        womens = {
            "parenting": 2 if inputs.parenting_concern else 0,
            "impulsivityOrTemper": 2 if inputs.impulsivity_or_temper_concern else 0,
            "previousEnforcement": 2 if inputs.previous_enforcement else 0,
        }
    protect_points = max(rsr, rosh) + mappa + complexity + sum(womens.values())
    letter = protect_letter(protect_points)
    protect = {
        "rsrPoints": rsr,
        "roshPoints": rosh,
        "higherOfRsrAndRosh": max(rsr, rosh),
        "mappaPoints": mappa,
        "complexityFactors": factors,
        "complexityPoints": complexity,
        "womensFactors": womens,
        "points": protect_points,
        "level": letter,
    }

    # Change
    change: dict = {"mandateForChange": inputs.mandate_for_change}
    change_points: int | None = None
    if not inputs.mandate_for_change:
        digit = 0
        change["reason"] = "NO_MANDATE_FOR_CHANGE"
    elif inputs.needs is None:
        digit = 2
        change["reason"] = "NO_ASSESSMENT"
    else:
        needs_points = {}
        for section in SCORED_SECTIONS:
            sev = Severity(inputs.needs.get(section.code, Severity.NO_NEED))
            needs_points[section.code] = section.tier_weight * SEVERITY_POINTS[sev]
        ogrs_points = (inputs.ogrs or 0) // 10
        iom_points = 2 if inputs.iom else 0
        change_points = sum(needs_points.values()) + ogrs_points + iom_points
        digit = change_level_of(change_points)
        change.update(needsPoints=needs_points, ogrsPoints=ogrs_points, iomPoints=iom_points, reason="ASSESSED")
    change.update(points=change_points, level=digit)

    tier = f"{letter}{digit}" + ("S" if inputs.unsupervised else "")
    return TierResult(
        tier,
        letter,
        protect_points,
        digit,
        change_points,
        {"protect": protect, "change": change, "unsupervised": inputs.unsupervised},
    )


def needs_from_severities(severities: Mapping[str, str | Severity | None]) -> dict[str, Severity]:
    return {code: Severity(sev) for code, sev in severities.items() if sev is not None and code in SECTIONS_BY_CODE}
