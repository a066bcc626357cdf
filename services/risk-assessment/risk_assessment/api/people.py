"""The people risk-assessment knows about."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Path
from pydantic import BaseModel, ConfigDict

from probation_shared.auth import Principal, Role, require_roles
from probation_shared.db import Session
from probation_shared.errors import not_found

from ..db import people as people_db

router = APIRouter(prefix="/people", tags=["people"])

CAN_READ = (Role.PRACTITIONER, Role.SENIOR_PROBATION_OFFICER, Role.PRISON_OFFENDER_MANAGER, Role.SERVICE)


class PersonRecordView(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    crn: str
    noms_number: str | None
    registered_at: datetime


@router.get("/{crn}", response_model=PersonRecordView)
async def get_person(session: Session, crn: str = Path(pattern=r"^[A-Z][0-9]{6}$"), principal: Principal = require_roles(*CAN_READ)):
    record = await people_db.get(session, crn)
    if record is None:
        raise not_found("person")
    return PersonRecordView.model_validate(record)
