"""Handlers of the events risk-assessment consumes."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from probation_shared.events import DomainEvent
from probation_shared.events.consumer import Subscription
from probation_shared.events.topics import CASE_ALLOCATION

from ..domain.people import ensure_person


async def on_engagement_created(session: AsyncSession, event: DomainEvent) -> None:
    if not event.crn:
        raise ValueError("probation-case.engagement.created without a CRN")
    await ensure_person(session, event.crn, event.noms, event.occurredAt)


CASE_EVENTS = Subscription(
    name="case-events",
    topics=[CASE_ALLOCATION],
    handlers={"probation-case.engagement.created": on_engagement_created},
)
