"""Builders of the events case-allocation publishes (through the outbox)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from probation_shared.events import add_event, detail_url, new_event
from probation_shared.events.topics import CASE_ALLOCATION

from ..db.models import PLATFORM, Person


async def engagement_created(session: AsyncSession, person: Person) -> None:
    event = new_event(
        "probation-case.engagement.created",
        crn=person.crn,
        noms=person.noms_number,
        description="A new person on probation has been registered",
        detail_url=detail_url(session, f"/people/{person.crn}"),
    )
    await add_event(session, PLATFORM.outbox, CASE_ALLOCATION, event)
