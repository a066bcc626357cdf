"""Handlers of the events risk-assessment consumes.

From case-allocation: people (sex and date of birth fetched through the event's detailUrl),
registrations, sentences and requirements (the person-level `mandateForChange`), breaches. Each
tier-relevant event recalculates the person's tier in the same unit of work.

From refer-monitor: the referral lifecycle, kept as a projection of which provider holds an active
referral for whom (a provider caseworker sees a risk summary only with one).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from probation_shared import clock
from probation_shared.events import DomainEvent
from probation_shared.events.consumer import Subscription
from probation_shared.events.topics import CASE_ALLOCATION, REFER_MONITOR
from probation_shared.http import service_http

from ..db import queries
from ..db.models import PersonRecord, Referral, Registration, Sentence
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


async def _people(session: AsyncSession, events: Sequence[DomainEvent]) -> dict[str, PersonRecord]:
    return await queries.ensure_people(session, [(_crn(e), e.occurredAt, e.noms) for e in events])


def _segments(
    events: Sequence[DomainEvent], keys: Callable[[DomainEvent], Iterable[object]]
) -> list[list[DomainEvent]]:
    """The events cut into consecutive runs in which no key (person, registration...) appears twice.
    Within such a run, applying every event and then recalculating each person once gives exactly
    what handling the events one at a time gives, as a person's tier depends only on their own rows."""
    segments: list[list[DomainEvent]] = []
    seen: set[object] = set()
    for event in events:
        event_keys = set(keys(event))
        if not segments or seen & event_keys:
            segments.append([])
            seen = set()
        segments[-1].append(event)
        seen |= event_keys
    return segments


async def _recalculate(
    session: AsyncSession, people: Mapping[str, PersonRecord], segment: Sequence[DomainEvent]
) -> None:
    await tiers.recalculate_many(session, [(people[_crn(e)], e.eventType) for e in segment])


def _sentence_id(event: DomainEvent) -> str | None:
    value = event.additionalInformation.get("sentenceId")
    return None if value in (None, "") else str(value)


async def on_sentences_or_requirements(session: AsyncSession, events: list[DomainEvent]) -> None:
    """Sentence / requirement events: keep the person's mandate for change and (sentence events) which
    sentences are active (the A–G tier's "active event"), recalculate both tiers."""
    people = await _people(session, events)
    sentence_events = [e for e in events if e.eventType.startswith("probation-case.sentence.") and _sentence_id(e)]
    sentences = await queries.sentences_by_id(session, {sid for e in sentence_events if (sid := _sentence_id(e))})
    for segment in _segments(events, lambda e: [_crn(e)]):
        for event in segment:
            info = event.additionalInformation
            mandate = info.get("mandateForChange")
            if mandate is not None:
                people[_crn(event)].mandate_for_change = bool(mandate)
            sentence_id = _sentence_id(event)
            if sentence_id and event.eventType.startswith("probation-case.sentence."):
                sentence = sentences.get(sentence_id)
                if sentence is None:
                    sentence = sentences[sentence_id] = Sentence(sentence_id=sentence_id, crn=_crn(event))
                    session.add(sentence)
                sentence.active = not event.eventType.endswith(".terminated")
                if "sentenceType" in info:
                    sentence.sentence_type = info.get("sentenceType")
                if "custodial" in info:
                    sentence.custodial = info.get("custodial")
                sentence.updated_at = event.occurredAt
        await session.flush()
        await _recalculate(session, people, segment)


async def on_sentence_or_requirement(session: AsyncSession, event: DomainEvent) -> None:
    await on_sentences_or_requirements(session, [event])


def _registration_id(event: DomainEvent) -> str:
    registration_id = str(event.additionalInformation.get("registrationId") or "")
    if not registration_id:
        raise ValueError(f"{event.eventType} without a registrationId")
    return registration_id


def _registration_values(event: DomainEvent, crn: str, existing: Registration | None) -> dict:
    """The registration's column values the event sets: all of them for a registration not seen before."""
    info = event.additionalInformation
    code = info.get("registerTypeCode")
    active = not event.eventType.endswith(".deregistered")
    values: dict = {}
    if existing is None:
        if not code:
            raise ValueError(f"{event.eventType} without a registerTypeCode")
        values = dict(
            registration_id=_registration_id(event),
            crn=crn,
            type_code=code,
            level=None,
            category=None,
            registered_at=event.occurredAt,
            deregistered_at=None,
        )
    values["active"] = active
    if code:
        values["type_code"] = code
    if "registerLevel" in info:
        values["level"] = info.get("registerLevel")
    if "registerCategory" in info:
        values["category"] = info.get("registerCategory")
    if active:
        if event.eventType.endswith(".added"):
            values["registered_at"] = event.occurredAt
        values["deregistered_at"] = None
    else:
        values["deregistered_at"] = event.occurredAt
    return values


async def on_registrations(session: AsyncSession, events: list[DomainEvent]) -> None:
    """Registration added / updated / deregistered: keep the projection, recalculate the tier."""
    for event in events:
        _registration_id(event)
    people = await _people(session, events)
    registrations = await queries.registrations_by_id(session, {_registration_id(e) for e in events})
    segments = _segments(events, lambda e: [("crn", _crn(e)), ("registration", _registration_id(e))])
    for number, segment in enumerate(segments, start=1):
        new_rows = []
        for event in segment:
            existing = registrations.get(_registration_id(event))
            values = _registration_values(event, _crn(event), existing)
            if existing is None:
                new_rows.append(values)
            else:
                for column, value in values.items():
                    setattr(existing, column, value)
        await session.flush()
        await queries.add_registrations(session, new_rows)
        if new_rows and number < len(segments):  # a later segment may change them
            registrations |= await queries.registrations_by_id(session, [r["registration_id"] for r in new_rows])
        await _recalculate(session, people, segment)


async def on_registration(session: AsyncSession, event: DomainEvent) -> None:
    await on_registrations(session, [event])


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
    # A fetched batch's run of these is handled in one go (inputs loaded in bulk); same outcome.
    batch_handlers={
        "probation-case.sentence.created": on_sentences_or_requirements,
        "probation-case.sentence.amended": on_sentences_or_requirements,
        "probation-case.sentence.terminated": on_sentences_or_requirements,
        "probation-case.requirement.created": on_sentences_or_requirements,
        "probation-case.requirement.terminated": on_sentences_or_requirements,
        "probation-case.registration.added": on_registrations,
        "probation-case.registration.updated": on_registrations,
        "probation-case.registration.deregistered": on_registrations,
    },
)


ACTIVE_REFERRAL_EVENTS = {
    "intervention.referral.sent",
    "intervention.referral.assigned",
    "intervention.referral.amended",
}
ENDING_REFERRAL_EVENTS = {
    "intervention.referral.withdrawn",
    "intervention.referral.concluded",
    "intervention.referral.ended",
}


async def on_referral(session: AsyncSession, event: DomainEvent) -> None:
    info = event.additionalInformation
    referral_id, provider_id = info.get("referralId"), info.get("providerId")
    if not referral_id or not provider_id:
        raise ValueError(f"{event.eventType} without referralId or providerId")
    crn = _crn(event)
    referral = await queries.get_referral(session, str(referral_id))
    ending = event.eventType in ENDING_REFERRAL_EVENTS
    if referral is None:
        session.add(
            Referral(
                referral_id=str(referral_id),
                crn=crn,
                provider_id=str(provider_id),
                active=not ending,
                updated_at=event.occurredAt,
            )
        )
        return
    # A late `assigned`/`amended` never reopens a referral that has ended.
    if ending:
        referral.active = False
    elif event.eventType == "intervention.referral.sent":
        referral.active = True
    referral.provider_id = str(provider_id)
    referral.updated_at = clock.now()


REFERRAL_EVENTS = Subscription(
    name="referral-events",
    topics=[REFER_MONITOR],
    handlers={t: on_referral for t in ACTIVE_REFERRAL_EVENTS | ENDING_REFERRAL_EVENTS},
)
