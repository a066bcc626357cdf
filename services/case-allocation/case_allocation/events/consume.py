"""Handlers of the events case-allocation consumes."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field
from sqlalchemy.ext.asyncio import AsyncSession

from probation_shared.events import DomainEvent
from probation_shared.events.consumer import Subscription, read_elsewhere
from probation_shared.events.topics import RESETTLEMENT, RISK_ASSESSMENT
from probation_shared.logging import get_logger

from ..db import people as people_db
from ..workflows.contacts import book_enhanced_support
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


class _ScheduledContact(BaseModel):
    date: date
    type: str
    description: str = Field("", max_length=2000)


class _EnhancedSupportScheduled(BaseModel):
    """resettlement.enhanced-support.scheduled as resettlement publishes it; a malformed one raises and is
    dead-lettered by the consumer, never half booked."""

    releaseDate: date
    contacts: list[_ScheduledContact] = Field(max_length=100)


async def on_enhanced_support_scheduled(session: AsyncSession, event: DomainEvent) -> None:
    """Resettlement scheduled the first weeks after release: book them on the person's licence case."""
    crn = event.crn
    person = await people_db.get(session, crn) if crn else None
    if person is None:
        log.warning("enhanced_support_for_unknown_person", crn=crn, event_id=str(event.eventId))
        return
    schedule = _EnhancedSupportScheduled.model_validate(event.additionalInformation)
    await book_enhanced_support(
        session,
        person,
        schedule.releaseDate,
        [(c.date, c.description) for c in schedule.contacts if c.type == "ENHANCED_SUPPORT"],
        actor="resettlement",
    )


ENHANCED_SUPPORT_SUBSCRIPTION = Subscription(
    name="enhanced-support",
    topics=[RESETTLEMENT],
    handlers={"resettlement.enhanced-support.scheduled": on_enhanced_support_scheduled},
)
