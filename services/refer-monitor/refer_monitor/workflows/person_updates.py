"""Use cases run when case-allocation or risk-assessment report a change to a person.

Each updates the person projection (fetching detail from the owner through `detailUrl` with a
service token) and then propagates the change to the provider views of the person's active referrals.
The consumer (`events/handlers.py`) maps event types to these; the consumer's transaction is the unit of work.
"""

from __future__ import annotations

import asyncio
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from probation_shared import clock
from probation_shared.events import DomainEvent

from ..db import queries as q
from ..domain import upstream
from . import projection as p
from . import referrals


def _crn(event: DomainEvent) -> str:
    if not event.crn:
        raise ValueError(f"{event.eventType} without a CRN")
    return event.crn


async def on_person_details(session: AsyncSession, event: DomainEvent) -> None:
    crn = _crn(event)
    doc = await p.fetch(session, event.detailUrl or p.case_allocation_url(session, f"/people/{crn}"))
    person = await q.person_for_update(session, crn)
    if doc:
        p.apply_person_document(person, doc)
    await p.propagate(session, person, event.eventType, clock.now())


def _address_change(session: AsyncSession, event: DomainEvent) -> tuple[str, str | None, str | None]:
    """(CRN, address id, the detail URL to read, or None when there is nothing to read: deleted)."""
    crn = _crn(event)
    address_id = event.additionalInformation.get("addressId")
    address_id = str(address_id) if address_id is not None else None
    url = event.detailUrl or (
        p.case_allocation_url(session, f"/people/{crn}/addresses/{address_id}") if address_id else None
    )
    return crn, address_id, None if event.eventType.endswith(".deleted") else url


async def on_address(session: AsyncSession, event: DomainEvent) -> None:
    crn, address_id, url = _address_change(session, event)
    doc = None if url is None else await p.fetch(session, url)
    person = await q.person_for_update(session, crn)
    p.apply_address_document(person, address_id, doc, clock.now().date())
    await p.propagate(session, person, event.eventType, clock.now())


# Detail reads in flight at once for a run of address events (case-allocation serves them side by side).
FETCHES_AT_ONCE = 16


async def on_addresses(session: AsyncSession, events: list[DomainEvent]) -> None:
    """`on_address` for a run of consecutive address events (the consumer's batch handler): the detail
    documents are read side by side, each distinct URL once; the people, their active referrals and
    their contracts' providers are loaded in a few queries for the whole run; then each change is
    applied and propagated in the events' order, as one by one. Any failure fails the run, which the
    consumer then handles event by event with `on_address`."""
    changes = [_address_change(session, event) for event in events]
    urls = list(dict.fromkeys(url for _, _, url in changes if url is not None))
    limit = asyncio.Semaphore(FETCHES_AT_ONCE)

    async def read(url: str) -> Any | None:
        async with limit:
            return await p.fetch(session, url)

    docs = dict(zip(urls, await asyncio.gather(*(read(url) for url in urls)), strict=True))
    loaded = await p.load_for_propagation(session, [crn for crn, _, _ in changes])
    history: list[dict] = []
    for event, (crn, address_id, url) in zip(events, changes, strict=True):
        person = loaded.people[crn]
        p.apply_address_document(person, address_id, None if url is None else docs[url], clock.now().date())
        await p.propagate_loaded(
            session, person, event.eventType, clock.now(), loaded.referrals[crn], loaded.providers, history
        )
    q.stage_view_history(session, history)


async def on_manager(session: AsyncSession, event: DomainEvent) -> None:
    crn = _crn(event)
    doc = await p.fetch(session, event.detailUrl or p.case_allocation_url(session, f"/people/{crn}/manager"))
    person = await q.person_for_update(session, crn)
    if doc:
        person.practitioner = upstream.practitioner_details(doc) or None
    else:
        info = event.additionalInformation
        person.practitioner = {
            k: v
            for k, v in {
                "staff_code": info.get("staffCode"),
                "team_code": info.get("teamCode"),
                "pdu_code": info.get("pduCode"),
            }.items()
            if v
        } or None
    await p.propagate(session, person, event.eventType, clock.now())


async def on_registration(session: AsyncSession, event: DomainEvent) -> None:
    person = await q.person_for_update(session, _crn(event))
    p.apply_registration(person, event.eventType, event.additionalInformation)
    await p.propagate(session, person, event.eventType, clock.now())


async def on_enforcement(session: AsyncSession, event: DomainEvent) -> None:
    person = await q.person_for_update(session, _crn(event))
    p.apply_breach(person, event.eventType, event.additionalInformation, event.occurredAt)
    await p.propagate(session, person, event.eventType, clock.now())


async def on_sentence(session: AsyncSession, event: DomainEvent) -> None:
    """Custody status (needed to refuse a custody referral without a release date). A sentence created or
    amended with a release date (case-allocation's sentence detail) moves the expected release date of
    the person's active custody referrals, recorded as an amendment by case-allocation and notified."""
    crn = _crn(event)
    person = await q.person_for_update(session, crn)
    custodial = event.additionalInformation.get("custodial")
    if event.eventType.endswith(".terminated"):
        person.custodial = False if custodial else person.custodial
    elif custodial is not None:
        person.custodial = bool(custodial)
    person.updated_at = clock.now()
    if event.eventType.endswith(".terminated") or not custodial or not event.detailUrl:
        return
    released_on = upstream.release_date(await p.fetch(session, event.detailUrl))
    if released_on is not None:
        await referrals.release_date_changed(session, crn, released_on, event.eventType)


async def on_handover(session: AsyncSession, event: DomainEvent) -> None:
    """Responsibility moved between the prison (POM) and the community (COM) offender manager: kept on the
    projection, shown in the provider view and sent to the providers of the person's active referrals."""
    crn = _crn(event)
    doc = await p.fetch(session, event.detailUrl or p.case_allocation_url(session, f"/people/{crn}/handover"))
    person = await q.person_for_update(session, crn)
    responsible, handover = upstream.responsibility(doc, event.additionalInformation)
    if responsible is None:
        return
    person.responsible, person.handover_date = responsible, handover
    await p.propagate(session, person, event.eventType, clock.now())


async def on_rosh_changed(session: AsyncSession, event: DomainEvent) -> None:
    crn = _crn(event)
    url = event.detailUrl or p.risk_assessment_url(session, f"/people/{crn}/risk-summary")
    doc = await p.fetch(session, url, {"view": "provider"})
    person = await q.person_for_update(session, crn)
    if doc:
        p.apply_risk_document(person, doc, event.occurredAt)
    level = upstream.rosh_level(event.additionalInformation.get("overallLevel"))
    if level:
        person.rosh_level = level
    if not doc:
        person.risk_summary_at = event.occurredAt
    await p.propagate(session, person, event.eventType, clock.now())


async def on_tier_changed(session: AsyncSession, event: DomainEvent) -> None:
    person = await q.person_for_update(session, _crn(event))
    tier = event.additionalInformation.get("tier")
    if tier:
        person.tier = str(tier)
    await p.propagate(session, person, event.eventType, clock.now())
