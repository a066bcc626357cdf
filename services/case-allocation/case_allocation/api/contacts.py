"""Contacts and outcomes, compliance, breaches and DRR drug tests."""

from __future__ import annotations

from fastapi import APIRouter, Query, Request

from probation_shared import clock
from probation_shared.auth import Principal, Role, require_roles
from probation_shared.db import Session
from probation_shared.errors import not_found
from probation_shared.limits import IdPath, ReadDate
from probation_shared.redaction import redacted_response

from ..db import cases as cases_db
from ..db import contacts as contacts_db
from ..db import sentences as sentences_db
from ..domain.compliance import compliance_periods
from ..workflows import contacts as contacts_workflow
from .access import CAN_READ, AuditChanges, CrnPath, audit_read, person_for, police_only
from .schemas import (
    BreachView,
    CaseCompliance,
    ComplianceBasis,
    ComplianceView,
    ContactList,
    ContactView,
    DrugTestView,
    NewContact,
    NewDrugTest,
    OutcomeRequest,
    PeriodView,
)

router = APIRouter(prefix="/people/{crn}", tags=["contacts and enforcement"], dependencies=[AuditChanges])
PRACTICE = (Role.PRACTITIONER, Role.SENIOR_PROBATION_OFFICER)
CASE_READERS = (*PRACTICE, Role.PRISON_OFFENDER_MANAGER, Role.SERVICE, Role.AUDITOR)


def _contact_view(contact, breach=None) -> ContactView:
    view = ContactView.model_validate(contact)
    view.breach_id = breach.id if breach else None
    return view


@router.get("/contacts", response_model=ContactList)
async def list_contacts(
    request: Request, session: Session, crn: str = CrnPath, principal: Principal = require_roles(*CASE_READERS)
):
    await person_for(session, principal, crn)
    await audit_read(session, request, principal, crn)
    rows = await contacts_db.of_person(session, crn)
    return redacted_response(ContactList(contacts=[_contact_view(c) for c in rows]), principal.roles)


@router.post("/contacts", status_code=201, response_model=ContactView)
async def add_contact(
    body: NewContact, session: Session, crn: str = CrnPath, principal: Principal = require_roles(*PRACTICE)
):
    person = await person_for(session, principal, crn)
    contact, breach = await contacts_workflow.add_contact(
        session, person, body.model_dump(), principal.subject, clock.today()
    )
    return redacted_response(_contact_view(contact, breach), principal.roles, 201)


@router.patch("/contacts/{contact_id}", response_model=ContactView)
async def record_outcome(
    body: OutcomeRequest,
    session: Session,
    contact_id: IdPath,
    crn: str = CrnPath,
    principal: Principal = require_roles(*PRACTICE),
):
    person = await person_for(session, principal, crn)
    contact = await contacts_db.get(session, crn, contact_id)
    if contact is None:
        raise not_found("contact")
    contact, breach = await contacts_workflow.record_outcome(
        session, person, contact, body.outcome, body.notes, clock.today()
    )
    return redacted_response(_contact_view(contact, breach), principal.roles)


@router.get("/breaches/{breach_id}", response_model=BreachView)
async def get_breach(
    request: Request,
    session: Session,
    breach_id: IdPath,
    crn: str = CrnPath,
    principal: Principal = require_roles(*CASE_READERS),
):
    await person_for(session, principal, crn)
    breach = await contacts_db.get_breach(session, crn, breach_id)
    if breach is None:
        raise not_found("breach")
    await audit_read(session, request, principal, crn)
    return redacted_response(BreachView.model_validate(breach), principal.roles)


COMPLIANCE_RULE = (
    "one attended face-to-face contact in each month counted from the supervision start (the release day "
    "after custody), and one in each of the two weeks after release; a month not yet over is IN_PROGRESS"
)


@router.get("/compliance", response_model=ComplianceView)
async def compliance(
    request: Request,
    session: Session,
    crn: str = CrnPath,
    on: ReadDate | None = Query(None),
    principal: Principal = require_roles(*CASE_READERS),
):
    """Minimum contact per open community or licence case: monthly face to face, weekly for two weeks after release."""
    await person_for(session, principal, crn)
    await audit_read(session, request, principal, crn)
    on = on or clock.today()
    face_to_face = [c for c in await contacts_db.of_person(session, crn) if c.face_to_face]
    attended = [c.contact_date for c in face_to_face if c.outcome == "ATTENDED"]
    booked = [c.contact_date for c in face_to_face if c.outcome is None]
    result = []
    for case in await cases_db.open_cases_of(session, crn):
        if case.case_type == "CUSTODY":
            continue  # in prison: the community minimum does not apply
        sentence = await sentences_db.get(session, crn, case.sentence_id)
        released_on = sentence.released_on if sentence else None
        periods = compliance_periods(
            case_start=case.sentence_date,
            released_on=released_on,
            attended_face_to_face=attended,
            on=on,
            booked_face_to_face=booked,
        )
        start = released_on or case.sentence_date
        basis = ComplianceBasis(
            rule=COMPLIANCE_RULE,
            supervision_start=start,
            released_on=released_on,
            attended_face_to_face=sorted(d for d in attended if start <= d <= on),
        )
        result.append(
            CaseCompliance(
                case_id=case.id,
                sentence_id=case.sentence_id,
                case_type=case.case_type,
                compliant=all(p.status != "NOT_MET" for p in periods),
                periods=[
                    PeriodView(
                        start=p.start, end=p.end, kind=p.kind, contacts=p.contacts, planned=p.planned, status=p.status
                    )
                    for p in periods
                ],
                basis=basis,
            )
        )
    return redacted_response(ComplianceView(crn=crn, on=on, cases=result), principal.roles)


@router.post("/drug-tests", status_code=201, response_model=DrugTestView)
async def record_drug_test(
    body: NewDrugTest,
    session: Session,
    crn: str = CrnPath,
    principal: Principal = require_roles(*PRACTICE, Role.SERVICE),
):
    person = await person_for(session, principal, crn)
    test = await contacts_workflow.record_drug_test(
        session, person, body.model_dump(), principal.subject, clock.today()
    )
    return redacted_response(DrugTestView.model_validate(test), principal.roles, 201)


@router.get("/drug-tests/{test_id}", response_model=DrugTestView)
async def get_drug_test(
    request: Request,
    session: Session,
    test_id: IdPath,
    crn: str = CrnPath,
    principal: Principal = require_roles(*CAN_READ),
):
    await person_for(session, principal, crn)
    test = await contacts_db.get_drug_test(session, crn, test_id)
    if test is None or (police_only(principal) and not test.police_partner_notifiable):
        raise not_found("drug test")
    await audit_read(session, request, principal, crn)
    return redacted_response(DrugTestView.model_validate(test), principal.roles)
