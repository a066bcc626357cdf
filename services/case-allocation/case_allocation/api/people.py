"""People on probation."""

from __future__ import annotations

from fastapi import APIRouter, Path, Request

from probation_shared.audit import record_access
from probation_shared.auth import Principal, Role, require_roles
from probation_shared.db import Session
from probation_shared.errors import not_found
from probation_shared.redaction import redacted_response

from ..db import people as people_db
from ..db.models import PLATFORM
from ..domain.identifiers import CRN_PATTERN
from ..domain.people import register_person
from .schemas import NewPerson, PersonView

router = APIRouter(prefix="/people", tags=["people"])

CrnPath = Path(pattern=CRN_PATTERN.pattern, description="Case reference number, e.g. X123456")
CAN_REGISTER = (Role.PRACTITIONER, Role.SENIOR_PROBATION_OFFICER, Role.SERVICE)
CAN_READ = (*CAN_REGISTER, Role.PRISON_OFFENDER_MANAGER, Role.POLICE_PARTNER, Role.AUDITOR)


@router.post("", status_code=201, response_model=PersonView)
async def create_person(body: NewPerson, session: Session, principal: Principal = require_roles(*CAN_REGISTER)):
    person = await register_person(session, **body.model_dump())
    return redacted_response(PersonView.model_validate(person), principal.roles, 201, {"Location": f"/people/{person.crn}"})


@router.get("/{crn}", response_model=PersonView)
async def get_person(request: Request, session: Session, crn: str = CrnPath, principal: Principal = require_roles(*CAN_READ)):
    person = await people_db.get(session, crn)
    if person is None:
        raise not_found("person")
    await record_access(session, PLATFORM.audit_log, principal, crn=crn, action="read", resource=request.url.path,
                        reason=request.headers.get("x-access-reason"))
    return redacted_response(PersonView.model_validate(person), principal.roles)
