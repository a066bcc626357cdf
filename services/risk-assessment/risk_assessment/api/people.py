"""The people risk-assessment knows about."""

from __future__ import annotations

from datetime import date, datetime

from fastapi import APIRouter, Path
from pydantic import BaseModel, ConfigDict

from probation_shared.auth import Principal, require_roles
from probation_shared.db import Session
from probation_shared.errors import not_found

from ..db import queries
from .access import CRN_PATTERN, READ_FULL, audit

router = APIRouter(prefix="/people", tags=["people"])


class PersonRecordView(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    crn: str
    noms_number: str | None
    registered_at: datetime
    sex: str | None = None
    date_of_birth: date | None = None
    mandate_for_change: bool = False
    current_tier: str | None = None


@router.get("/{crn}", response_model=PersonRecordView)
async def get_person(session: Session, crn: str = Path(pattern=CRN_PATTERN), principal: Principal = require_roles(*READ_FULL)):
    record = await queries.get_person(session, crn)
    if record is None:
        raise not_found("person")
    await audit(session, principal, crn, "read-person", f"/people/{crn}")
    return PersonRecordView.model_validate(record)
