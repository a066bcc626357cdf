"""Handlers of the events case-allocation consumes."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from probation_shared.events import DomainEvent
from probation_shared.events.consumer import Subscription, read_elsewhere
from probation_shared.events.topics import RISK_ASSESSMENT
from probation_shared.logging import get_logger

from ..db import people as people_db
from ..workflows.tiers import apply_tier

log = get_logger(__name__)


async def on_tier_changed(session: AsyncSession, event: DomainEvent) -> None:
    """A new tier re-weighs every open case of the person."""
    crn = event.crn
    tier = event.additionalInformation.get("tier")
    person = await people_db.get(session, crn) if crn else None
    if person is None:
        log.warning("tier_for_unknown_person", crn=crn, event_id=str(event.eventId))
        return
    await apply_tier(session, person, tier)


TIER_SUBSCRIPTION = Subscription(
    name="tier",
    topics=[RISK_ASSESSMENT],
    # Version 2 of tier.calculation.complete carries the A–G tier; workload points follow the A–D × 0–3
    # tier of version 1, published beside it.
    handlers={
        "tier.calculation.changed": on_tier_changed,
        "tier.calculation.complete": {1: on_tier_changed, 2: read_elsewhere},
    },
)
