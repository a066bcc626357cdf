"""Operations: the OMiC handover job, run for a given date."""

from __future__ import annotations

from fastapi import APIRouter, Query

from probation_shared import clock
from probation_shared.auth import Principal, Role, require_roles
from probation_shared.db import Session
from probation_shared.limits import ReadDate
from probation_shared.redaction import redacted_response

from ..workflows.sentencing import run_handover_job
from .schemas import HandoverJobResult

router = APIRouter(prefix="/admin", tags=["operations"])


@router.post("/jobs/handover", response_model=HandoverJobResult)
async def handover_job(
    session: Session,
    on: ReadDate | None = Query(None, description="the day to run for; today by default"),
    principal: Principal = require_roles(Role.OPERATOR, Role.SERVICE),
):
    """Move every case whose handover date has come from the POM to the COM, and publish each move. A
    future day is refused (422): handover cannot be undone, so it must not run early."""
    today = clock.today()
    on = on or today
    return redacted_response(
        HandoverJobResult(on=on, moved=await run_handover_job(session, on, today)), principal.roles
    )
