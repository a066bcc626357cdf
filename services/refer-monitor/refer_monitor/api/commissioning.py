"""The commissioning view: aggregates only, for commissioners only."""

from __future__ import annotations

from fastapi import APIRouter, Query

from probation_shared.auth import Principal, Role, require_roles
from probation_shared.db import Session

from ..domain import commissioning

router = APIRouter(prefix="/commissioning", tags=["commissioning"])


@router.get("/demand")
async def demand(session: Session, year: int | None = Query(default=None, ge=2000, le=2100), principal: Principal = require_roles(Role.COMMISSIONER)):
    return await commissioning.demand(session, year)
