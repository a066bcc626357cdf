"""The people risk-assessment knows about."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from fastapi import APIRouter, Path
from pydantic import ConfigDict

from probation_shared.auth import Principal, require_roles
from probation_shared.db import Session
from probation_shared.errors import not_found
from probation_shared.redaction import Classified, DataClass, Outbound, redacted_response

from ..db import queries
from .access import CRN_PATTERN, READ_FULL, audit

router = APIRouter(prefix="/people", tags=["people"])


class PersonRecordView(Outbound):
    model_config = ConfigDict(from_attributes=True)

    crn: Annotated[str, Classified(DataClass.REFERENCE)]
    noms_number: Annotated[str | None, Classified(DataClass.REFERENCE)]
    registered_at: Annotated[datetime, Classified(DataClass.REFERENCE)]
    sex: Annotated[str | None, Classified(DataClass.IDENTITY)] = None
    date_of_birth: Annotated[date | None, Classified(DataClass.IDENTITY)] = None
    mandate_for_change: Annotated[bool, Classified(DataClass.SENTENCE)] = False
    current_tier: Annotated[str | None, Classified(DataClass.RISK_LEVELS)] = None


@router.get("/{crn}", response_model=PersonRecordView)
async def get_person(
    session: Session, crn: str = Path(pattern=CRN_PATTERN), principal: Principal = require_roles(*READ_FULL)
):
    record = await queries.get_person(session, crn)
    if record is None:
        raise not_found("person")
    await audit(session, principal, crn, "read-person", f"/people/{crn}")
    return redacted_response(PersonRecordView.model_validate(record), principal.roles)
