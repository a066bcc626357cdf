"""Handlers of the events risk-assessment consumes.

From case-allocation: people (sex and date of birth fetched through the event's detailUrl),
registrations, sentences and requirements (the person-level `mandateForChange`), breaches. Each
tier-relevant event recalculates the person's tier in the same unit of work.

From refer-monitor: the referral lifecycle, kept as a projection of which provider holds an active
referral for whom (a provider caseworker sees a risk summary only with one).
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from probation_shared.events import DomainEvent
from probation_shared.events.consumer import Subscription
from probation_shared.events.topics import CASE_ALLOCATION, REFER_MONITOR
from probation_shared.http import service_http

from ..db import queries
from ..db.models import PersonRecord, Referral, Registration
from ..workflows import tiers


def _crn(event: DomainEvent) -> str:
    if not event.crn:
        raise ValueError(f"{event.eventType} without a CRN")
    return event.crn


async def _person(session: AsyncSession, event: DomainEvent) -> PersonRecord:
    return await queries.ensure_person(session, _crn(event), event.occurredAt, event.noms)


def _parse_date(value):
    from datetime import date

    if not value:
        return None
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


async def on_person_details(session: AsyncSession, event: DomainEvent) -> None:
    """engagement.created / personal-details.updated: keep sex and date of birth (tiering, OGRS3)."""
    person = await _person(session, event)
    if not event.detailUrl:
        return
    details = await service_http(session).get_json(event.detailUrl)
    if details is None:  # gone, or never existed: nothing to learn
        return
    sex = details.get("sex")
    dob = _parse_date(details.get("date_of_birth") or details.get("dateOfBirth"))
    sex_changed = sex is not None and sex != person.sex
    if sex is not None:
        person.sex = sex
    if dob is not None:
        person.date_of_birth = dob
    if sex_changed and person.current_tier is not None:
        await tiers.recalculate(session, person, event.eventType)


async def on_sentence_or_requirement(session: AsyncSession, event: DomainEvent) -> None:
    person = await _person(session, event)
    mandate = event.additionalInformation.get("mandateForChange")
    if mandate is not None:
        person.mandate_for_change = bool(mandate)
    await tiers.recalculate(session, person, event.eventType)


async def on_registration(session: AsyncSession, event: DomainEvent) -> None:
    person = await _person(session, event)
    info = event.additionalInformation
    registration_id = str(info.get("registrationId") or "")
    code = info.get("registerTypeCode")
    if not registration_id:
        raise ValueError(f"{event.eventType} without a registrationId")
    active = not event.eventType.endswith(".deregistered")
    registration = await queries.get_registration(session, registration_id)
    if registration is None:
        if not code:
            raise ValueError(f"{event.eventType} without a registerTypeCode")
        registration = Registration(registration_id=registration_id, crn=person.crn, type_code=code, registered_at=event.occurredAt, active=active)
        session.add(registration)
    registration.active = active
    if code:
        registration.type_code = code
    if "registerLevel" in info:
        registration.level = info.get("registerLevel")
    if "registerCategory" in info:
        registration.category = info.get("registerCategory")
    if active:
        if event.eventType.endswith(".added"):
            registration.registered_at = event.occurredAt
        registration.deregistered_at = None
    else:
        registration.deregistered_at = event.occurredAt
    await session.flush()
    await tiers.recalculate(session, person, event.eventType)


async def on_breach(session: AsyncSession, event: DomainEvent) -> None:
    person = await _person(session, event)
    already = person.previous_enforcement
    person.previous_enforcement = True
    if not already and person.sex == "FEMALE":
        await tiers.recalculate(session, person, event.eventType)


CASE_EVENTS = Subscription(
    name="case-events",
    topics=[CASE_ALLOCATION],
    handlers={
        "probation-case.engagement.created": on_person_details,
        "probation-case.personal-details.updated": on_person_details,
        "probation-case.sentence.created": on_sentence_or_requirement,
        "probation-case.sentence.amended": on_sentence_or_requirement,
        "probation-case.sentence.terminated": on_sentence_or_requirement,
        "probation-case.requirement.created": on_sentence_or_requirement,
        "probation-case.requirement.terminated": on_sentence_or_requirement,
        "probation-case.registration.added": on_registration,
        "probation-case.registration.updated": on_registration,
        "probation-case.registration.deregistered": on_registration,
        "enforcement.breach.raised": on_breach,
    },
)


ACTIVE_REFERRAL_EVENTS = {"intervention.referral.sent", "intervention.referral.assigned", "intervention.referral.amended"}
ENDING_REFERRAL_EVENTS = {"intervention.referral.withdrawn", "intervention.referral.concluded", "intervention.referral.ended"}


async def on_referral(session: AsyncSession, event: DomainEvent) -> None:
    info = event.additionalInformation
    referral_id, provider_id = info.get("referralId"), info.get("providerId")
    if not referral_id or not provider_id:
        raise ValueError(f"{event.eventType} without referralId or providerId")
    crn = _crn(event)
    referral = await queries.get_referral(session, str(referral_id))
    ending = event.eventType in ENDING_REFERRAL_EVENTS
    if referral is None:
        session.add(Referral(referral_id=str(referral_id), crn=crn, provider_id=str(provider_id), active=not ending, updated_at=event.occurredAt))
        return
    # A late `assigned`/`amended` never reopens a referral that has ended.
    if ending:
        referral.active = False
    elif event.eventType == "intervention.referral.sent":
        referral.active = True
    referral.provider_id = str(provider_id)
    referral.updated_at = datetime.now(UTC)


REFERRAL_EVENTS = Subscription(
    name="referral-events",
    topics=[REFER_MONITOR],
    handlers={t: on_referral for t in ACTIVE_REFERRAL_EVENTS | ENDING_REFERRAL_EVENTS},
)
