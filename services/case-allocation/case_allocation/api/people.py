"""People on probation: registration, search, personal details, addresses, limited access, manager, handover."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from probation_shared.auth import PROBATION_STAFF, Principal, Role, require_roles
from probation_shared.db import Session
from probation_shared.errors import Problem, not_found
from probation_shared.limits import IdPath
from probation_shared.redaction import redacted_response

from ..db import cases as cases_db
from ..db import org as org_db
from ..db import people as people_db
from ..db import sentences as sentences_db
from ..domain import omic
from ..domain.identifiers import CRN_PATTERN
from ..workflows import people as people_workflow
from .access import CAN_READ, CAN_WRITE, CrnPath, audit_read, check_access, person_for
from .schemas import (
    AddressChanges,
    AddressList,
    AddressView,
    HandoverBasis,
    HandoverView,
    LimitList,
    LimitView,
    ManagerView,
    NewAddress,
    NewLimit,
    NewPerson,
    PersonChanges,
    PersonPage,
    PersonSummary,
    PersonView,
)

router = APIRouter(prefix="/people", tags=["people"])


async def _person_view(session, person) -> PersonView:
    view = PersonView.model_validate(person)
    address = await people_db.main_address(session, person.crn)
    view.main_address = AddressView.model_validate(address) if address else None
    return view


@router.post("", status_code=201, response_model=PersonView)
async def create_person(
    request: Request, body: NewPerson, session: Session, principal: Principal = require_roles(*CAN_WRITE)
):
    person = await people_workflow.register_person(session, **body.model_dump())
    await audit_read(session, request, principal, person.crn, action="write")
    return redacted_response(
        PersonView.model_validate(person), principal.roles, 201, {"Location": f"/people/{person.crn}"}
    )


@router.get("", response_model=PersonPage)
async def search_people(
    request: Request,
    session: Session,
    name: str | None = Query(None, min_length=2, max_length=100, pattern=r"^[^\x00-\x1f\x7f]*$"),
    crn: str | None = Query(None, pattern=CRN_PATTERN.pattern),
    date_of_birth: date | None = None,
    page: int = Query(0, ge=0, le=10_000),
    size: int = Query(20, ge=1, le=100),
    principal: Principal = require_roles(*PROBATION_STAFF, Role.SERVICE),
):
    if not (name or crn or date_of_birth):
        raise Problem(
            422,
            "search-criteria-required",
            "Search by name, CRN or date of birth.",
            errors=[{"field": "name", "message": "give name, crn or date_of_birth"}],
        )
    found, total = await people_db.search(
        session,
        name=name,
        crn=crn,
        date_of_birth=date_of_birth,
        staff_code=principal.staff_code,
        everyone=Role.SERVICE in principal.roles,
        page=page,
        size=size,
    )
    await audit_read(session, request, principal, None, action="search", crns=[p.crn for p in found])
    result = PersonPage(
        content=[PersonSummary.model_validate(p) for p in found],
        page=page,
        size=size,
        total_elements=total,
        total_pages=(total + size - 1) // size,
    )
    return redacted_response(result, principal.roles)


@router.get("/{crn}", response_model=PersonView)
async def get_person(
    request: Request, session: Session, crn: str = CrnPath, principal: Principal = require_roles(*CAN_READ)
):
    found = await people_db.with_main_address(session, crn)
    if found is None:
        raise not_found("person")
    person, address = found
    await check_access(session, principal, person)
    await audit_read(session, request, principal, crn)
    view = PersonView.model_validate(person)
    view.main_address = AddressView.model_validate(address) if address else None
    return redacted_response(view, principal.roles)


@router.patch("/{crn}", response_model=PersonView)
async def update_person(
    request: Request,
    body: PersonChanges,
    session: Session,
    crn: str = CrnPath,
    principal: Principal = require_roles(*CAN_WRITE),
):
    person = await person_for(session, principal, crn)
    changes = body.model_dump(exclude_unset=True)
    for required in ("first_name", "last_name", "date_of_birth", "sex"):
        if required in changes and changes[required] is None:
            raise Problem(
                422,
                "validation-failed",
                f"{required} cannot be removed.",
                errors=[{"field": required, "message": "cannot be null"}],
            )
    await people_workflow.update_personal_details(session, person, changes)
    await audit_read(session, request, principal, crn, action="write")
    return redacted_response(await _person_view(session, person), principal.roles)


# --- addresses --------------------------------------------------------------------------------


@router.get("/{crn}/addresses", response_model=AddressList)
async def list_addresses(
    request: Request, session: Session, crn: str = CrnPath, principal: Principal = require_roles(*CAN_READ)
):
    await person_for(session, principal, crn)
    await audit_read(session, request, principal, crn)
    rows = await people_db.addresses(session, crn)
    return redacted_response(AddressList(addresses=[AddressView.model_validate(a) for a in rows]), principal.roles)


@router.post("/{crn}/addresses", status_code=201, response_model=AddressView)
async def add_address(
    request: Request,
    body: NewAddress,
    session: Session,
    crn: str = CrnPath,
    principal: Principal = require_roles(*CAN_WRITE),
):
    person = await person_for(session, principal, crn)
    address = await people_workflow.add_address(session, person, body.model_dump())
    await audit_read(session, request, principal, crn, action="write")
    return redacted_response(
        AddressView.model_validate(address), principal.roles, 201, {"Location": f"/people/{crn}/addresses/{address.id}"}
    )


async def _address(session, crn: str, address_id: IdPath):
    address = await people_db.get_address(session, crn, address_id)
    if address is None:
        raise not_found("address")
    return address


@router.get("/{crn}/addresses/{address_id}", response_model=AddressView)
async def get_address(
    request: Request,
    session: Session,
    address_id: IdPath,
    crn: str = CrnPath,
    principal: Principal = require_roles(*CAN_READ),
):
    await person_for(session, principal, crn)
    address = await _address(session, crn, address_id)
    await audit_read(session, request, principal, crn)
    return redacted_response(AddressView.model_validate(address), principal.roles)


@router.patch("/{crn}/addresses/{address_id}", response_model=AddressView)
async def update_address(
    request: Request,
    body: AddressChanges,
    session: Session,
    address_id: IdPath,
    crn: str = CrnPath,
    principal: Principal = require_roles(*CAN_WRITE),
):
    person = await person_for(session, principal, crn)
    address = await _address(session, crn, address_id)
    if address.deleted:
        raise Problem(409, "address-deleted", "A deleted address cannot be changed.")
    changes = body.model_dump(exclude_unset=True)
    for required in ("status", "address_type", "start_date"):
        if required in changes and changes[required] is None:
            raise Problem(
                422,
                "validation-failed",
                f"{required} cannot be removed.",
                errors=[{"field": required, "message": "cannot be null"}],
            )
    await people_workflow.update_address(session, person, address, changes)
    await audit_read(session, request, principal, crn, action="write")
    return redacted_response(AddressView.model_validate(address), principal.roles)


@router.delete("/{crn}/addresses/{address_id}", status_code=204)
async def delete_address(
    session: Session, address_id: IdPath, crn: str = CrnPath, principal: Principal = require_roles(*CAN_WRITE)
):
    person = await person_for(session, principal, crn)
    address = await _address(session, crn, address_id)
    if not address.deleted:
        await people_workflow.delete_address(session, person, address)
    return Response(status_code=204)


# --- limited access ---------------------------------------------------------------------------
# Only a LIMITED_ACCESS_ADMIN changes the lists (so no member of staff can name themselves onto a
# restriction and then read the record); every change is audited and published. Reading a list is
# audited too: the admin, a member of staff who may see the person, and services (other services ask
# before showing a person to probation staff: probation_shared.limited_access_client.enforce_for_staff).

LIMIT_READERS = (Role.LIMITED_ACCESS_ADMIN, Role.SENIOR_PROBATION_OFFICER, Role.SERVICE)


async def _existing(session, crn: str):
    person = await people_db.get(session, crn)
    if person is None:
        raise not_found("person")
    return person


@router.get("/{crn}/limited-access", response_model=LimitList)
async def list_limits(
    request: Request, session: Session, crn: str = CrnPath, principal: Principal = require_roles(*LIMIT_READERS)
):
    person = await _existing(session, crn)
    if not principal.has(Role.LIMITED_ACCESS_ADMIN, Role.SERVICE):
        await check_access(
            session, principal, person
        )  # an SPO sees the list of a person they may see, never of one hidden from them
    await audit_read(session, request, principal, crn, action="limited-access-read")
    return redacted_response(
        LimitList(limits=[LimitView.model_validate(r) for r in await people_db.limit_rows(session, crn)]),
        principal.roles,
    )


@router.post("/{crn}/limited-access", status_code=201, response_model=LimitView)
async def add_limit(
    request: Request,
    body: NewLimit,
    session: Session,
    crn: str = CrnPath,
    principal: Principal = require_roles(Role.LIMITED_ACCESS_ADMIN),
):
    person = await _existing(session, crn)
    if body.kind == "RESTRICTION" and principal.staff_code and body.staff_code == principal.staff_code:
        raise Problem(403, "self-grant", "You cannot name yourself on a restriction: another administrator must.")
    if await org_db.get_staff(session, body.staff_code) is None:
        raise Problem(
            422,
            "unknown-staff",
            f"There is no staff member {body.staff_code}.",
            errors=[{"field": "staff_code", "message": "unknown staff code"}],
        )
    if (body.kind, body.staff_code) in await people_db.limits(session, crn):
        raise Problem(409, "limit-exists", f"{body.staff_code} already has a {body.kind.lower()} on this person.")
    row = await people_workflow.add_limit(session, person, **body.model_dump())
    await audit_read(session, request, principal, crn, action="limited-access-added")
    return redacted_response(
        LimitView.model_validate(row), principal.roles, 201, {"Location": f"/people/{crn}/limited-access/{row.id}"}
    )


@router.delete("/{crn}/limited-access/{limit_id}", status_code=204)
async def remove_limit(
    request: Request,
    session: Session,
    limit_id: IdPath,
    crn: str = CrnPath,
    principal: Principal = require_roles(Role.LIMITED_ACCESS_ADMIN),
):
    person = await _existing(session, crn)
    row = await people_db.get_limit(session, crn, limit_id)
    if row is None:
        raise not_found("limited-access entry")
    await people_workflow.remove_limit(session, person, row)
    await audit_read(session, request, principal, crn, action="limited-access-removed")
    return Response(status_code=204)


# --- manager and handover ---------------------------------------------------------------------


@router.get("/{crn}/manager", response_model=ManagerView)
async def get_manager(
    request: Request, session: Session, crn: str = CrnPath, principal: Principal = require_roles(*CAN_READ)
):
    await person_for(session, principal, crn)
    await audit_read(session, request, principal, crn)
    found = await cases_db.current_manager(session, crn)
    if found is None:
        return redacted_response(ManagerView(crn=crn, allocated=False), principal.roles)
    case, staff, team = found
    view = ManagerView(
        crn=crn,
        allocated=True,
        staff_code=staff.code,
        first_name=staff.first_name,
        last_name=staff.last_name,
        grade=staff.grade,
        email=staff.email,
        phone=staff.phone,
        team_code=team.code,
        team_name=team.name,
        pdu_code=team.pdu_code,
        allocated_at=case.allocated_at,
    )
    return redacted_response(view, principal.roles)


@router.get("/{crn}/handover", response_model=HandoverView)
async def get_handover(
    request: Request, session: Session, crn: str = CrnPath, principal: Principal = require_roles(*CAN_READ)
):
    await person_for(session, principal, crn)
    await audit_read(session, request, principal, crn)
    state = await sentences_db.handover(session, crn)
    if state is None:
        return redacted_response(HandoverView(crn=crn, responsible=None), principal.roles)
    sentence = await sentences_db.get(session, crn, state.sentence_id)
    dates = {k: getattr(sentence, k) for k in omic.RELEASE_DATE_PRECEDENCE} if sentence else {}
    release = omic.release_date(dates) if sentence else None
    basis = None
    if sentence is not None:
        basis = HandoverBasis(
            rule=(
                "10 months or less: the COM from the start; longer: the POM until the handover date = release "
                "date - 7 calendar months (day clamped) - 15 days, never before the sentence date; one way"
            ),
            sentence_date=sentence.sentence_date,
            length=f"{sentence.length_value} {sentence.length_unit}",
            short_sentence=omic.is_short_sentence(sentence.sentence_date, sentence.length_value, sentence.length_unit),
            release_date_source=next((k for k in omic.RELEASE_DATE_PRECEDENCE if dates.get(k)), None),
            released_on=sentence.released_on,
        )
    view = HandoverView(
        crn=crn,
        sentence_id=state.sentence_id,
        responsible=state.responsible,
        handover_date=state.handover_date,
        release_date=release,
        basis=basis,
    )
    return redacted_response(view, principal.roles)
