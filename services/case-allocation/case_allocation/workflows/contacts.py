"""Contacts and their outcomes, the breach they can raise, and DRR drug tests."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from probation_shared.domain_error import DomainError, FieldError
from probation_shared.logging import get_logger

from ..db import cases as cases_db
from ..db import contacts as contacts_db
from ..db import sentences as sentences_db
from ..db.models import Breach, Contact, DrugTest, Person
from ..domain.compliance import breach_due, enhanced_support_to_book, repeated_positive
from ..domain.contacts import CONTACT_TYPES, check_outcome
from ..domain.sentences import is_custodial
from ..events import publish

log = get_logger(__name__)
ENHANCED_SUPPORT = "ENHANCED_SUPPORT"


async def add_contact(
    session: AsyncSession, person: Person, data: dict[str, Any], actor: str, today: date
) -> tuple[Contact, Breach | None]:
    check_outcome(data["contact_date"], data.get("outcome"), today)
    if data.get("sentence_id") and await sentences_db.get(session, person.crn, data["sentence_id"]) is None:
        raise DomainError(
            "unknown-sentence", "No such sentence for this person.", [FieldError("sentence_id", "unknown")], status=422
        )
    contact = Contact(crn=person.crn, face_to_face=CONTACT_TYPES[data["contact_type"]], created_by=actor, **data)
    session.add(contact)
    await session.flush()
    return contact, await _maybe_breach(session, person, contact)


async def record_outcome(
    session: AsyncSession, person: Person, contact: Contact, outcome: str, notes: str | None, today: date
) -> tuple[Contact, Breach | None]:
    check_outcome(contact.contact_date, outcome, today)
    if contact.outcome is not None:
        raise DomainError("outcome-recorded", "This contact already has an outcome.", status=409)
    contact.outcome = outcome
    if notes:
        contact.notes = notes
    await session.flush()
    return contact, await _maybe_breach(session, person, contact)


async def _maybe_breach(session: AsyncSession, person: Person, contact: Contact) -> Breach | None:
    if contact.outcome != "FTA_UNACCEPTABLE":
        return None
    counted = {cid for b in await contacts_db.breaches(session, person.crn) for cid in b.contact_ids}
    fresh = [c for c in await contacts_db.unacceptable_absences(session, person.crn) if c.id not in counted]
    if not breach_due([c.contact_date for c in fresh], contact.contact_date):
        return None
    window = [c for c in fresh if c.contact_date <= contact.contact_date]
    breach = Breach(
        crn=person.crn,
        sentence_id=contact.sentence_id,
        raised_on=contact.contact_date,
        reason="Two unacceptable absences within 12 months",
        contact_ids=[c.id for c in window],
        status="OPEN",
    )
    session.add(breach)
    await session.flush()
    await publish.breach_raised(session, person, breach.id)
    return breach


async def book_enhanced_support(
    session: AsyncSession,
    person: Person,
    release_date: date,
    contacts: list[tuple[date, str]],
    actor: str,
) -> list[Contact]:
    """Book resettlement's enhanced-support contacts (date, description) on the person's licence case:
    the open case of a custodial sentence, the one released on `release_date` when there are several.
    A contact already booked for that date is not booked again (a redelivered or re-sent schedule)."""
    custodial = []
    for case in await cases_db.open_cases_of(session, person.crn):
        sentence = await sentences_db.get(session, person.crn, case.sentence_id)
        if sentence is not None and is_custodial(sentence.sentence_type):
            custodial.append((case, sentence))
    if not custodial:
        log.warning("enhanced_support_without_custodial_case", crn=person.crn)
        return []
    released_then = [pair for pair in custodial if pair[1].released_on == release_date]
    case, sentence = (released_then or sorted(custodial, key=lambda pair: pair[1].sentence_date))[-1]
    existing = [
        (c.contact_date, c.contact_type)
        for c in await contacts_db.of_person(session, person.crn)
        if c.contact_type == ENHANCED_SUPPORT and c.sentence_id == sentence.id
    ]
    descriptions = {contact_date: description for contact_date, description in contacts}
    booked = []
    for contact_date, _ in enhanced_support_to_book(existing, [(d, ENHANCED_SUPPORT) for d, _ in contacts]):
        contact = Contact(
            crn=person.crn,
            sentence_id=sentence.id,
            contact_type=ENHANCED_SUPPORT,
            face_to_face=CONTACT_TYPES[ENHANCED_SUPPORT],
            contact_date=contact_date,
            staff_code=case.staff_code,
            notes=descriptions[contact_date],
            created_by=actor,
        )
        session.add(contact)
        booked.append(contact)
    await session.flush()
    return booked


async def record_drug_test(
    session: AsyncSession, person: Person, data: dict[str, Any], actor: str, today: date
) -> DrugTest:
    requirement = await sentences_db.requirement_by_id(session, data["requirement_id"])
    sentence = await sentences_db.get(session, person.crn, requirement.sentence_id) if requirement else None
    if requirement is None or sentence is None or requirement.requirement_type != "DRR":
        raise DomainError(
            "not-a-drr",
            "Drug tests are recorded against a drug rehabilitation requirement of this person.",
            [FieldError("requirement_id", "not a DRR of this person")],
            status=422,
        )
    if requirement.status != "ACTIVE" or sentence.status != "ACTIVE":
        raise DomainError(
            "requirement-terminated",
            "The drug rehabilitation requirement is terminated: no test is recorded against it.",
            [FieldError("requirement_id", "terminated")],
            status=422,
        )
    if data["test_date"] > today:
        raise DomainError(
            "future-date", "A drug test cannot be dated in the future.", [FieldError("test_date", "after today")]
        )
    codes = await cases_db.active_register_codes(session, person.crn)
    notifiable = bool(codes & {"IIOM", "MAPP"})
    earlier = [t.result for t in await contacts_db.drug_tests(session, person.crn) if t.test_date <= data["test_date"]]
    test = DrugTest(
        crn=person.crn,
        requirement_id=requirement.id,
        test_date=data["test_date"],
        result=data["result"],
        substances=data.get("substances") or [],
        police_partner_notifiable=notifiable,
        flagged_for_enforcement=repeated_positive([data["result"], *earlier]),
        recorded_by=actor,
    )
    session.add(test)
    await session.flush()
    await publish.drug_test_recorded(
        session, person, test_id=test.id, result=test.result, police_partner_notifiable=notifiable
    )
    return test
