"""Police partner notifications: a drug-test result or a RoSH change of a person with an active IOM or
MAPPA registration goes to the police forces whose area covers the person's PDU, through the partner
notification topic and webhooks, rendered for the POLICE_PARTNER audience (`events/police_contracts.py`).

Scope is read from case-allocation when the event is handled (registrations and the community manager's
PDU, with the service token), not from this service's projection: the projection is kept by another
consumer, and a registration event handled there later must not decide what the police were told.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from probation_shared.events import DomainEvent
from probation_shared.http import service_http
from probation_shared.logging import get_logger

from ..domain import police, upstream
from ..events.police_contracts import (
    OffenderManager,
    PoliceDrugTest,
    PolicePayload,
    PoliceRegistration,
    PoliceRiskChange,
    publish_police_notification,
)
from . import projection as p

log = get_logger(__name__)


def _crn(event: DomainEvent) -> str:
    if not event.crn:
        raise ValueError(f"{event.eventType} without a CRN")
    return event.crn


def _manager(doc: dict[str, Any] | None) -> OffenderManager | None:
    if not doc or not doc.get("allocated", True):
        return None
    details = upstream.practitioner_details(doc)
    return OffenderManager(
        staffCode=details.get("staff_code"),
        name=details.get("name"),
        email=details.get("email"),
        phone=details.get("phone"),
        teamCode=details.get("team_code"),
        pduCode=doc.get("pdu_code") or doc.get("pduCode"),
    )


async def police_scope(session: AsyncSession, crn: str) -> tuple[list[str], PolicePayload] | None:
    """The forces to notify about this person and the payload's common part; None when no force may hear
    of them (no active IOM / MAPPA registration, no allocated PDU, or a PDU no force covers)."""
    listed = await p.fetch(session, p.case_allocation_url(session, f"/people/{crn}/registrations"))
    registrations = police.police_registrations((listed or {}).get("registrations") or [])
    if not registrations:
        return None
    manager = _manager(await p.fetch(session, p.case_allocation_url(session, f"/people/{crn}/manager")))
    areas = service_http(session).settings.police_force_areas
    forces = police.forces_for(areas, manager.pduCode if manager else None)
    if not forces:
        log.info("police_partner_none_for_pdu", crn=crn, pdu=manager.pduCode if manager else None)
        return None
    payload = PolicePayload(
        crn=crn, registrations=[PoliceRegistration(**r) for r in registrations], offenderManager=manager
    )
    return forces, payload


async def _notify(session: AsyncSession, forces: list[str], event: DomainEvent, payload: PolicePayload) -> None:
    for force_id in forces:
        await publish_police_notification(session, force_id, event.eventType, payload.crn, payload)


async def on_drug_test_recorded(session: AsyncSession, event: DomainEvent) -> None:
    """Only a test case-allocation marked notifiable (an IOM or MAPPA case when recorded), and only while
    the person is still in scope."""
    crn = _crn(event)
    if event.additionalInformation.get("policePartnerNotifiable") is not True:
        return
    scope = await police_scope(session, crn)
    if scope is None:
        return
    test_id = event.additionalInformation.get("testId")
    doc = await p.fetch(
        session, event.detailUrl or p.case_allocation_url(session, f"/people/{crn}/drug-tests/{test_id}")
    )
    if doc is None:  # gone since: nothing to tell
        return
    forces, payload = scope
    payload.drugTest = PoliceDrugTest(
        testId=doc.get("id", test_id),
        testDate=doc.get("test_date"),
        result=str(doc.get("result") or event.additionalInformation.get("result") or "UNKNOWN"),
        flaggedForEnforcement=doc.get("flagged_for_enforcement"),
        substances=doc.get("substances") or [],
    )
    await _notify(session, forces, event, payload)


async def on_rosh_changed(session: AsyncSession, event: DomainEvent) -> None:
    crn = _crn(event)
    scope = await police_scope(session, crn)
    if scope is None:
        return
    info = event.additionalInformation
    forces, payload = scope
    payload.riskChange = PoliceRiskChange(
        overallLevel=info.get("overallLevel"),
        previousLevel=info.get("previousLevel"),
        direction=police.direction(info.get("previousLevel"), info.get("overallLevel")),
        version=info.get("version"),
    )
    await _notify(session, forces, event, payload)
