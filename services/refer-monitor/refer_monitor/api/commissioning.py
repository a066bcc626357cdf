"""The commissioning view: aggregates only, for commissioners only."""

from __future__ import annotations

from fastapi import APIRouter, Query

from probation_shared.auth import Principal, Role, require_roles
from probation_shared.db import Session
from probation_shared.redaction import redacted_response

from ..workflows import commissioning
from .schemas import Demand

router = APIRouter(prefix="/commissioning", tags=["commissioning"])


@router.get("/demand", response_model=Demand)
async def demand(
    session: Session,
    year: int | None = Query(default=None, ge=2000, le=2100),
    principal: Principal = require_roles(Role.COMMISSIONER),
):
    return redacted_response(Demand.model_validate(await commissioning.demand(session, year)), principal.roles)
