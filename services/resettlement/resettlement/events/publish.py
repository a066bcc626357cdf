"""The events resettlement publishes (docs/events.md), written to the outbox with the change they report."""

from __future__ import annotations

from typing import Annotated

from sqlalchemy.ext.asyncio import AsyncSession

from probation_shared.events import add_event, detail_url, new_event
from probation_shared.events.contracts import contract, info
from probation_shared.events.topics import RESETTLEMENT
from probation_shared.redaction import Classified, DataClass, Outbound

from ..db.models import PLATFORM

Ref = Annotated[str | int | None, Classified(DataClass.REFERENCE)]
SentenceFact = Annotated[str | None, Classified(DataClass.SENTENCE)]


@contract("resettlement.plan.created", description="Resettlement plan created")
class PlanCreated(Outbound):
    planId: Ref
    stage: Ref


@contract("resettlement.pathway.status-changed", description="Resettlement pathway status changed")
class PathwayStatusChanged(Outbound):
    planId: Ref
    pathway: Ref
    status: Ref
    previousStatus: Ref


@contract("resettlement.report.submitted", description="Pre-release report submitted")
class ReportSubmitted(Outbound):
    reportId: Ref
    reportType: Ref


@contract("resettlement.pack.generated", description="Resettlement pack generated")
class PackGenerated(Outbound):
    version: Ref
    reason: Ref
    regionCode: Ref


class EnhancedContact(Outbound):
    date: SentenceFact
    type: Ref
    description: SentenceFact


@contract("resettlement.enhanced-support.scheduled", description="Enhanced support after release scheduled")
class EnhancedSupportScheduled(Outbound):
    releaseDate: SentenceFact
    contacts: list[EnhancedContact]


async def publish(session: AsyncSession, event_type: str, crn: str, description: str, path: str, payload) -> None:
    event = new_event(
        event_type,
        crn=crn,
        description=description,
        detail_url=detail_url(session, path),
        additional_information=info(payload),
    )
    await add_event(session, PLATFORM.outbox, RESETTLEMENT, event)
