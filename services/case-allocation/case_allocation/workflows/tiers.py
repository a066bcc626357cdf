"""A person's tier from risk-assessment: store it and re-weigh every open case of the person."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from ..db import cases as cases_db
from ..db.models import Person
from ..domain.workload import CASE_TYPES, base_tier, case_points


async def apply_tier(session: AsyncSession, person: Person, tier: str | None) -> bool:
    """Store `tier` (None clears it) and re-weigh the person's open cases; False when it is unchanged.
    An unreadable tier is a ValueError (the consumer dead-letters the event)."""
    if tier is not None and base_tier(tier) is None:
        raise ValueError(f"unreadable tier {tier!r}")
    if person.tier == tier:
        return False
    person.tier = tier
    await cases_db.set_points_for_person(session, person.crn, {ct: case_points(tier, ct) for ct in CASE_TYPES})
    return True
