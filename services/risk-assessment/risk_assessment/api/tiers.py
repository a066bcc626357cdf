"""Tiers: the latest calculation with its inputs and breakdown, the history, a recalculation, counts."""

from __future__ import annotations

from fastapi import APIRouter, Path, Query

from probation_shared.auth import Principal, Role, require_roles
from probation_shared.db import Session
from probation_shared.errors import not_found
from probation_shared.redaction import redacted_response

from ..db import queries
from ..db.models import TierCalculation
from ..workflows import tiers as workflow
from .access import CALCULATE, CRN_PATTERN, READ_FULL, audit, person_or_404
from .schemas import TierCounts, TierHistoryView, TierView

router = APIRouter(tags=["tiers"])
CrnPath = Path(pattern=CRN_PATTERN)


def tier_view(c: TierCalculation) -> TierView:
    return TierView(
        calculationId=c.id,
        crn=c.crn,
        tier=c.tier,
        previousTier=c.previous_tier,
        changed=c.changed,
        protectLevel=c.protect_level,
        protectPoints=c.protect_points,
        changeLevel=c.change_level,
        changePoints=c.change_points,
        inputs=c.inputs,
        breakdown=c.breakdown,
        trigger=c.trigger,
        calculatedAt=c.calculated_at,
        tierAG=c.tier_ag,
        tierAGProvisional=c.tier_ag_provisional,
        previousTierAG=c.previous_tier_ag,
        tierAGChanged=c.tier_ag_changed,
        tierAGInputs=c.tier_ag_inputs,
        tierAGBreakdown=c.tier_ag_breakdown,
    )


@router.get("/people/{crn}/tier", response_model=TierView)
async def current_tier(session: Session, crn: str = CrnPath, principal: Principal = require_roles(*READ_FULL)):
    await person_or_404(session, crn)
    calculation = await queries.latest_tier(session, crn)
    if calculation is None:
        raise not_found("tier calculation")
    await audit(session, principal, crn, "read-tier", f"/people/{crn}/tier")
    return redacted_response(tier_view(calculation), principal.roles)


@router.get("/people/{crn}/tier/history", response_model=TierHistoryView)
async def tier_history(
    session: Session,
    crn: str = CrnPath,
    limit: int = Query(default=100, ge=1, le=1000),
    principal: Principal = require_roles(*READ_FULL),
):
    await person_or_404(session, crn)
    await audit(session, principal, crn, "read-tier-history", f"/people/{crn}/tier/history")
    rows = await queries.tier_history(session, crn, limit)
    return redacted_response(TierHistoryView(crn=crn, calculations=[tier_view(c) for c in rows]), principal.roles)


@router.post("/people/{crn}/tier/recalculate", status_code=201, response_model=TierView)
async def recalculate(session: Session, crn: str = CrnPath, principal: Principal = require_roles(*CALCULATE)):
    """Recalculate now: publishes tier.calculation.complete, and tier.calculation.changed only if the tier changed."""
    person = await person_or_404(session, crn)
    calculation = await workflow.recalculate(session, person, "manual")
    return redacted_response(tier_view(calculation), principal.roles, status_code=201)


@router.get("/tiers/counts", response_model=TierCounts)
async def counts(session: Session, principal: Principal = require_roles(Role.COMMISSIONER, *READ_FULL)):
    """Aggregates only (commissioners): how many people are on each tier."""
    found = await queries.tier_counts(session)
    return redacted_response(TierCounts(counts=found, total=sum(found.values())), principal.roles)
