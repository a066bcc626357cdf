"""Which police partner hears about a person, and what a risk change means to them (pure).

A police partner is a force taking part in the local IOM (Integrated Offender Management) and MAPPA
(multi-agency public protection arrangements) work. A force is configured with the probation delivery
units (PDUs) its area covers; a person's case belongs to the PDU of their community offender manager.
Only a person with an active IOM (`IIOM`) or MAPPA (`MAPP`) registration is ever notified to the police,
and only to the forces covering their PDU: a person with neither, or in no force's area, reaches no one.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

# Register type codes (case-allocation reference data) that put a person in scope for police partners.
POLICE_REGISTERS = frozenset({"IIOM", "MAPP"})
ROSH_ORDER = ("LOW", "MEDIUM", "HIGH", "VERY_HIGH")


def police_registrations(registrations: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The person's active IOM / MAPPA registrations, as case-allocation lists them (`type_code`, `status`,
    `level`, `register_category`); the others are none of the police's business."""
    found = []
    for r in registrations:
        if r.get("type_code") in POLICE_REGISTERS and r.get("status") == "ACTIVE":
            found.append({"type": r["type_code"], "category": r.get("register_category"), "level": r.get("level")})
    return sorted(found, key=lambda r: (r["type"], r["category"] or "", r["level"] or ""))


def forces_for(areas: Mapping[str, Iterable[str]], pdu_code: str | None) -> list[str]:
    """The forces whose area covers this PDU (none for a person with no allocated PDU: deny by default)."""
    if not pdu_code:
        return []
    return sorted(force for force, pdus in areas.items() if pdu_code in set(pdus))


def direction(previous: str | None, current: str | None) -> str:
    """RAISED / LOWERED between two RoSH levels; CHANGED when either is unknown."""
    if previous in ROSH_ORDER and current in ROSH_ORDER:
        before, after = ROSH_ORDER.index(previous), ROSH_ORDER.index(current)
        if after != before:
            return "RAISED" if after > before else "LOWERED"
    return "CHANGED"
