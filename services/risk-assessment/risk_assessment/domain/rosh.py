"""Risk of serious harm levels and the bands of recorded scores (RSR, OSP)."""

from __future__ import annotations

import enum
from collections.abc import Iterable
from decimal import Decimal


class RiskLevel(str, enum.Enum):
    LOW = "LOW"
    MEDIUM = "MEDIUM"
    HIGH = "HIGH"
    VERY_HIGH = "VERY_HIGH"


RANK = {RiskLevel.LOW: 0, RiskLevel.MEDIUM: 1, RiskLevel.HIGH: 2, RiskLevel.VERY_HIGH: 3}

COMMUNITY_GROUPS = ("children", "public", "knownAdult", "staff")
CUSTODY_GROUPS = ("children", "public", "knownAdult", "staff", "prisoners")
RISK_TO_SELF = ("suicide", "selfHarm", "custody", "hostel", "vulnerability")

# RoSH registrations in case-allocation and the level each stands for.
ROSH_REGISTRATIONS = {
    "RVHR": RiskLevel.VERY_HIGH,
    "RHRH": RiskLevel.HIGH,
    "RMRH": RiskLevel.MEDIUM,
    "RLRH": RiskLevel.LOW,
}


def overall(levels: Iterable[RiskLevel | None]) -> RiskLevel | None:
    """Overall RoSH = the highest level of any group in any setting."""
    present = [lvl for lvl in levels if lvl is not None]
    return max(present, key=RANK.__getitem__) if present else None


def rsr_band(score: Decimal) -> str:
    """RSR: below 3 LOW, 3 to below 6.9 MEDIUM, 6.9 or more HIGH."""
    if score >= Decimal("6.9"):
        return "HIGH"
    if score >= Decimal("3"):
        return "MEDIUM"
    return "LOW"
