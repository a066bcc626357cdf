"""The single-axis A–G tier (HMPPS tiering "v3"), beside the A–D × 0–3 Unified Tiering Model.

Re-derived from the rules of `ministryofjustice/hmpps-tier` (its TierCalculator, ReoffendingPredictorTable
and ProvisionalStatusCalculator): the tier is the highest of the tiers each step gives, G if none gives one.

Steps:
- reoffending: the matrix of the combined serious reoffending predictor (CSRP) against the all-reoffending
  predictor (ARP); no ARP or no CSRP → the outcome is MISSING (and nothing else is calculated);
- sexual reoffending: the direct-contact sexual reoffending predictor (DC-SRP) band, and within MEDIUM its score;
- MAPPA and RoSH: one table with a MAPPA category, another without;
- lifer / IPP: by how long ago the latest release was;
- domestic abuse (E), stalking (F), child protection (F), a sexual offence ever committed (E).
No active event (sentence) → NOT_SUPERVISED.

Provisional: a static ARP and/or CSRP, or a missing RoSH, make the result provisional unless the other steps
alone already reach the tier the missing or static input could at most have given.

`calculate` is pure: every input is explicit (today's date too) and the result carries each step's tier and why.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from probation_shared.domain_error import DomainError

from .rosh import RiskLevel


class Tier(enum.IntEnum):
    """Ordered so that a higher value is a higher tier (A is the highest)."""

    G = 0
    F = 1
    E = 2
    D = 3
    C = 4
    B = 5
    A = 6


NOT_SUPERVISED = "NOT_SUPERVISED"
MISSING = "MISSING"


class ScoreType(str, enum.Enum):
    STATIC = "STATIC"
    DYNAMIC = "DYNAMIC"


class Step(str, enum.Enum):
    REOFFENDING = "REOFFENDING"
    SEXUAL_REOFFENDING = "SEXUAL_REOFFENDING"
    MAPPA_ROSH = "MAPPA_ROSH"
    LIFER_IPP = "LIFER_IPP"
    DOMESTIC_ABUSE = "DOMESTIC_ABUSE"
    STALKING = "STALKING"
    CHILD_PROTECTION = "CHILD_PROTECTION"
    SEXUAL_OFFENCES = "SEXUAL_OFFENCES"


# Table 1: rows by CSRP (first threshold the score reaches), columns by ARP.
CSRP_THRESHOLDS: tuple[Decimal, ...] = tuple(Decimal(v) for v in ("6.9", "3.0", "1.0", "0.5", "0"))
ARP_THRESHOLDS: tuple[Decimal, ...] = tuple(Decimal(v) for v in ("90", "75", "50", "25", "15", "0"))
_T = Tier
REOFFENDING_MATRIX: tuple[tuple[Tier, ...], ...] = (
    # ARP:    90+   75+   50+   25+   15+   0+
    (_T.A, _T.A, _T.B, _T.B, _T.B, _T.B),  # CSRP 6.9+
    (_T.A, _T.B, _T.C, _T.C, _T.C, _T.C),  # CSRP 3.0+
    (_T.B, _T.C, _T.D, _T.E, _T.E, _T.E),  # CSRP 1.0+
    (_T.C, _T.D, _T.E, _T.E, _T.F, _T.F),  # CSRP 0.5+
    (_T.D, _T.D, _T.E, _T.F, _T.F, _T.G),  # CSRP 0+
)

# Tables 2a/2b: DC-SRP by band; within MEDIUM by score (the first threshold reached, in this order:
# the thresholds without risk reduction, then those with it).
DC_SRP_BY_BAND = {"VERY_HIGH": Tier.A, "HIGH": Tier.B, "LOW": Tier.E}
DC_SRP_MEDIUM_BY_SCORE: tuple[tuple[Decimal, Tier], ...] = (
    (Decimal("3.36"), Tier.C),
    (Decimal("2.11"), Tier.D),
    (Decimal("1.12"), Tier.C),
    (Decimal("0.60"), Tier.D),
)
DC_SRP_BANDS = ("LOW", "MEDIUM", "HIGH", "VERY_HIGH")

# MAPPA (any category M1–M4) and RoSH; None: no RoSH recorded. Without MAPPA, only high RoSH gives a tier.
MAPPA_CATEGORIES = ("M1", "M2", "M3", "M4")
ROSH_WITH_MAPPA = {
    RiskLevel.VERY_HIGH: Tier.A,
    RiskLevel.HIGH: Tier.C,
    RiskLevel.MEDIUM: Tier.D,
    RiskLevel.LOW: Tier.E,
    None: Tier.E,
}
ROSH_WITHOUT_MAPPA = {RiskLevel.VERY_HIGH: Tier.C, RiskLevel.HIGH: Tier.D}

# Lifer / IPP: released within (years, inclusive of the anniversary) → tier; released longer ago → E.
LIFER_SINCE_RELEASE: tuple[tuple[int, Tier], ...] = ((1, Tier.B), (5, Tier.D))
LIFER_LONG_AGO = Tier.E

# Registration-style flags and the tier each gives.
FLAG_TIERS = {
    Step.DOMESTIC_ABUSE: Tier.E,
    Step.STALKING: Tier.F,
    Step.CHILD_PROTECTION: Tier.F,
    Step.SEXUAL_OFFENCES: Tier.E,
}


@dataclass(frozen=True)
class Predictor:
    """ARP (a percentage) or CSRP, with whether it was calculated from static factors only."""

    score: Decimal
    type: ScoreType | None = None

    def to_json(self) -> dict:
        return {"score": str(self.score), "type": None if self.type is None else self.type.value}


@dataclass(frozen=True)
class BandedPredictor:
    """DC-SRP: used only with a score above 0 and a band (not "not applicable")."""

    score: Decimal | None
    band: str | None

    def to_json(self) -> dict:
        return {"score": None if self.score is None else str(self.score), "band": self.band}


@dataclass(frozen=True)
class TierAGInputs:
    has_active_event: bool = True
    arp: Predictor | None = None
    csrp: Predictor | None = None
    dc_srp: BandedPredictor | None = None
    rosh: RiskLevel | None = None
    mappa_category: str | None = None
    lifer_ipp: bool = False
    latest_release_date: date | None = None
    domestic_abuse: bool = False
    stalking: bool = False
    child_protection: bool = False
    sexual_offence_history: bool = False

    def to_json(self) -> dict:
        return {
            "hasActiveEvent": self.has_active_event,
            "arp": None if self.arp is None else self.arp.to_json(),
            "csrp": None if self.csrp is None else self.csrp.to_json(),
            "dcSrp": None if self.dc_srp is None else self.dc_srp.to_json(),
            "rosh": None if self.rosh is None else self.rosh.value,
            "mappaCategory": self.mappa_category,
            "liferIpp": self.lifer_ipp,
            "latestReleaseDate": None if self.latest_release_date is None else self.latest_release_date.isoformat(),
            "domesticAbuse": self.domestic_abuse,
            "stalking": self.stalking,
            "childProtection": self.child_protection,
            "sexualOffenceHistory": self.sexual_offence_history,
        }


@dataclass(frozen=True)
class TierAGResult:
    tier: str  # "A".."G", MISSING or NOT_SUPERVISED
    provisional: bool = False
    breakdown: dict = field(default_factory=dict)


def reoffending_tier(arp: Decimal, csrp: Decimal) -> Tier:
    row = next(i for i, t in enumerate(CSRP_THRESHOLDS) if csrp >= t)
    col = next(i for i, t in enumerate(ARP_THRESHOLDS) if arp >= t)
    return REOFFENDING_MATRIX[row][col]


def _usable_dc_srp(p: BandedPredictor | None) -> tuple[Decimal, str] | None:
    """(score, band) of a usable DC-SRP, else None."""
    if p is None or p.score is None or p.score <= 0 or p.band is None or p.band not in DC_SRP_BANDS:
        return None
    return p.score, p.band


def sexual_reoffending_tier(p: BandedPredictor | None) -> Tier | None:
    usable = _usable_dc_srp(p)
    if usable is None:
        return None
    score, band = usable
    if band != "MEDIUM":
        return DC_SRP_BY_BAND[band]
    for threshold, tier in DC_SRP_MEDIUM_BY_SCORE:
        if score >= threshold:
            return tier
    raise DomainError.on(
        "dcSrp",
        "dc-srp-score-outside-band",
        f"a MEDIUM direct-contact sexual reoffending score must be at least 0.60 (got {score})",
    )


def check_dc_srp(score: Decimal | None, band: str | None) -> None:
    """Refuse a DC-SRP score and band the A–G model cannot place (raises the DomainError)."""
    sexual_reoffending_tier(BandedPredictor(score, band))


def mappa_rosh_tier(mappa_category: str | None, rosh: RiskLevel | None) -> Tier | None:
    if mappa_category in MAPPA_CATEGORIES:
        return ROSH_WITH_MAPPA[rosh]
    return ROSH_WITHOUT_MAPPA.get(rosh) if rosh is not None else None


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February → 28 February, as java.time does
        return day.replace(year=day.year - years, day=28)


def lifer_tier(lifer_ipp: bool, latest_release_date: date | None, today: date) -> Tier | None:
    if not lifer_ipp or latest_release_date is None:
        return None
    for years, tier in LIFER_SINCE_RELEASE:
        if latest_release_date >= _years_before(today, years):
            return tier
    return LIFER_LONG_AGO


_MAX = Decimal("1e30")


def _is(p: Predictor | None, kind: ScoreType) -> bool:
    return p is not None and p.type == kind


def provisional_reasons(inputs: TierAGInputs, steps: dict[Step, Tier | None]) -> list[str]:
    """Why the result is provisional (empty: it is not)."""
    reasons = []
    arp_static, csrp_static = _is(inputs.arp, ScoreType.STATIC), _is(inputs.csrp, ScoreType.STATIC)
    arp_score = inputs.arp.score if inputs.arp else Decimal(0)
    csrp_score = inputs.csrp.score if inputs.csrp else Decimal(0)
    without_reoffending = max((t for s, t in steps.items() if s != Step.REOFFENDING and t is not None), default=Tier.G)
    if arp_static and csrp_static:
        if without_reoffending < Tier.A:
            reasons.append("ARP and CSRP are static and no other step gives tier A")
    elif arp_static:
        ceiling = reoffending_tier(_MAX, csrp_score)
        if without_reoffending < ceiling:
            reasons.append(
                f"ARP is static and no other step reaches {ceiling.name}, the highest tier its CSRP row allows"
            )
    elif csrp_static:
        ceiling = reoffending_tier(arp_score, _MAX)
        if without_reoffending < ceiling:
            reasons.append(
                f"CSRP is static and no other step reaches {ceiling.name}, the highest tier its ARP column allows"
            )

    if inputs.rosh is None:
        both_dynamic = _is(inputs.arp, ScoreType.DYNAMIC) and _is(inputs.csrp, ScoreType.DYNAMIC)
        without_rosh = max(
            (
                t
                for s, t in steps.items()
                if s != Step.MAPPA_ROSH and (s != Step.REOFFENDING or both_dynamic) and t is not None
            ),
            default=Tier.G,
        )
        has_mappa = inputs.mappa_category in MAPPA_CATEGORIES
        needed = Tier.A if has_mappa else Tier.C
        if without_rosh < needed:
            reasons.append(
                f"no RoSH is recorded and {'with' if has_mappa else 'without'} MAPPA no other step "
                f"reaches tier {needed.name}"
            )
    return reasons


def calculate(inputs: TierAGInputs, today: date) -> TierAGResult:
    if not inputs.has_active_event:
        return TierAGResult(NOT_SUPERVISED, False, {"outcome": NOT_SUPERVISED, "reason": "no active event (sentence)"})
    if inputs.arp is None or inputs.csrp is None:
        missing = [name for name, p in (("arp", inputs.arp), ("csrp", inputs.csrp)) if p is None]
        return TierAGResult(
            MISSING,
            False,
            {"outcome": MISSING, "reason": "no " + " and no ".join(m.upper() for m in missing), "missing": missing},
        )

    steps: dict[Step, Tier | None] = {
        Step.REOFFENDING: reoffending_tier(inputs.arp.score, inputs.csrp.score),
        Step.SEXUAL_REOFFENDING: sexual_reoffending_tier(inputs.dc_srp),
        Step.MAPPA_ROSH: mappa_rosh_tier(inputs.mappa_category, inputs.rosh),
        Step.LIFER_IPP: lifer_tier(inputs.lifer_ipp, inputs.latest_release_date, today),
        Step.DOMESTIC_ABUSE: FLAG_TIERS[Step.DOMESTIC_ABUSE] if inputs.domestic_abuse else None,
        Step.STALKING: FLAG_TIERS[Step.STALKING] if inputs.stalking else None,
        Step.CHILD_PROTECTION: FLAG_TIERS[Step.CHILD_PROTECTION] if inputs.child_protection else None,
        Step.SEXUAL_OFFENCES: FLAG_TIERS[Step.SEXUAL_OFFENCES] if inputs.sexual_offence_history else None,
    }
    tier = max((t for t in steps.values() if t is not None), default=Tier.G)
    reasons = provisional_reasons(inputs, steps)
    decisive = [s.value for s, t in steps.items() if t == tier]
    breakdown = {
        "outcome": "CALCULATED",
        "steps": {s.value: None if t is None else t.name for s, t in steps.items()},
        "decidedBy": decisive or ["DEFAULT_G"],
        "provisionalReasons": reasons,
        "calculatedOn": today.isoformat(),
    }
    return TierAGResult(tier.name, bool(reasons), breakdown)
