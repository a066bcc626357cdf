"""Builders of the events case-allocation publishes (through the transactional outbox).

Every event carries its registered typed contract (`contracts.py`, documented in docs/events.md) as
`additionalInformation`; events carry identifiers and codes only, the detail is behind `detailUrl` where
this service renders it for the caller's role.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from sqlalchemy.ext.asyncio import AsyncSession

from probation_shared.events import add_event, detail_url, new_event
from probation_shared.events.contracts import CONTRACTS, info
from probation_shared.events.topics import CASE_ALLOCATION
from probation_shared.redaction import Outbound

from ..db.models import PLATFORM, Person
from .contracts import (
    AddressChanged,
    BreachRaised,
    DrugTestRecorded,
    HandoverChanged,
    LimitedAccessChanged,
    ManagerChanged,
    NoDetail,
    RegistrationChanged,
    RequirementChanged,
    SentenceChanged,
)

VERSION = 1


class UnregisteredEvent(TypeError):
    """An event was about to be published without its registered contract as additionalInformation."""


async def _publish(
    session: AsyncSession, event_type: str, person: Person, path: str, description: str, payload: Outbound
) -> None:
    registered = CONTRACTS.get((event_type, VERSION))
    if registered is None or type(payload) is not registered.model:
        raise UnregisteredEvent(
            f"{event_type} v{VERSION} must carry its registered contract, not {type(payload).__name__}"
        )
    event = new_event(
        event_type,
        crn=person.crn,
        noms=person.noms_number,
        description=description,
        detail_url=detail_url(session, path),
        additional_information=info(payload),
        version=VERSION,
    )
    await add_event(session, PLATFORM.outbox, CASE_ALLOCATION, event)


async def engagement_created(session: AsyncSession, person: Person) -> None:
    await _publish(
        session,
        "probation-case.engagement.created",
        person,
        f"/people/{person.crn}",
        "A new person on probation has been registered",
        NoDetail(),
    )


async def personal_details_updated(session: AsyncSession, person: Person) -> None:
    await _publish(
        session,
        "probation-case.personal-details.updated",
        person,
        f"/people/{person.crn}",
        "A person's personal details have changed",
        NoDetail(),
    )


async def address_changed(session: AsyncSession, person: Person, address_id: int, change: str) -> None:
    """change: created | updated | deleted."""
    await _publish(
        session,
        f"probation-case.address.{change}",
        person,
        f"/people/{person.crn}/addresses/{address_id}",
        f"An address has been {change}",
        AddressChanged(addressId=address_id),
    )


async def sentence_changed(
    session: AsyncSession,
    person: Person,
    *,
    sentence_id: int,
    sentence_type: str,
    custodial: bool,
    mandate_for_change: bool,
    change: str,
) -> None:
    """change: created | amended | terminated."""
    await _publish(
        session,
        f"probation-case.sentence.{change}",
        person,
        f"/people/{person.crn}/sentences/{sentence_id}",
        f"A sentence has been {change}",
        SentenceChanged(
            sentenceId=sentence_id, sentenceType=sentence_type, custodial=custodial, mandateForChange=mandate_for_change
        ),
    )


async def requirement_changed(
    session: AsyncSession,
    person: Person,
    *,
    sentence_id: int,
    requirement_id: int,
    requirement_type: str,
    mandate_for_change: bool,
    change: str,
) -> None:
    """change: created | terminated."""
    await _publish(
        session,
        f"probation-case.requirement.{change}",
        person,
        f"/people/{person.crn}/sentences/{sentence_id}",
        f"A requirement has been {change}",
        RequirementChanged(
            sentenceId=sentence_id,
            requirementId=requirement_id,
            requirementType=requirement_type,
            mandateForChange=mandate_for_change,
        ),
    )


async def registration_changed(
    session: AsyncSession,
    person: Person,
    *,
    registration_id: int,
    type_code: str,
    level: str | None,
    category: str | None,
    change: str,
) -> None:
    """change: added | updated | deregistered."""
    await _publish(
        session,
        f"probation-case.registration.{change}",
        person,
        f"/people/{person.crn}/registrations/{registration_id}",
        f"A registration has been {change}",
        RegistrationChanged(
            registrationId=registration_id, registerTypeCode=type_code, registerLevel=level, registerCategory=category
        ),
    )


async def manager_changed(
    session: AsyncSession, person: Person, *, staff_code: str, team_code: str, pdu_code: str, transferred: bool
) -> None:
    kind = "transferred" if transferred else "allocated"
    await _publish(
        session,
        f"person.community.manager.{kind}",
        person,
        f"/people/{person.crn}/manager",
        f"A community manager has been {kind}",
        ManagerChanged(staffCode=staff_code, teamCode=team_code, pduCode=pdu_code),
    )


async def handover_changed(session: AsyncSession, person: Person, *, responsible: str, handover: date | None) -> None:
    await _publish(
        session,
        "offender-management.handover.changed",
        person,
        f"/people/{person.crn}/handover",
        "Responsibility for a person in custody has changed",
        HandoverChanged(responsible=responsible, handoverDate=handover),
    )


async def breach_raised(session: AsyncSession, person: Person, breach_id: int) -> None:
    await _publish(
        session,
        "enforcement.breach.raised",
        person,
        f"/people/{person.crn}/breaches/{breach_id}",
        "A breach has been raised",
        BreachRaised(breachId=breach_id),
    )


async def drug_test_recorded(
    session: AsyncSession, person: Person, *, test_id: int, result: str, police_partner_notifiable: bool
) -> None:
    await _publish(
        session,
        "probation-case.drug-test.recorded",
        person,
        f"/people/{person.crn}/drug-tests/{test_id}",
        "A drug test result has been recorded",
        DrugTestRecorded(testId=test_id, result=result, policePartnerNotifiable=police_partner_notifiable),
    )


async def limited_access_changed(
    session: AsyncSession,
    person: Person,
    *,
    limit_id: int,
    kind: Literal["RESTRICTION", "EXCLUSION"],
    staff_code: str,
    change: Literal["added", "removed"],
) -> None:
    """change: added | removed. Consumers that cache limits refetch `/people/{crn}/limited-access`."""
    await _publish(
        session,
        "probation-case.limited-access.changed",
        person,
        f"/people/{person.crn}/limited-access",
        f"A limited-access entry has been {change}",
        LimitedAccessChanged(limitId=limit_id, kind=kind, change=change, staffCode=staff_code),
    )
