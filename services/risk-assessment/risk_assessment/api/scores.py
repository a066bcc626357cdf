"""OGRS3 (computed from its inputs) and recorded RSR / OSP scores."""

from __future__ import annotations

from fastapi import APIRouter, Path

from probation_shared import clock
from probation_shared.auth import Principal, require_roles
from probation_shared.db import Session
from probation_shared.domain_error import DomainError
from probation_shared.errors import Problem
from probation_shared.redaction import redacted_response

from ..db import queries
from ..db.models import Score
from ..domain import ogrs3
from ..workflows import scores as workflow
from .access import CALCULATE, CRN_PATTERN, READ_FULL, WRITE, audit, person_or_404
from .schemas import Ogrs3Request, Ogrs3View, RecordedScoreRequest, ScoresView, ScoreView

router = APIRouter(tags=["scores"])
CrnPath = Path(pattern=CRN_PATTERN)


def _inputs(body: Ogrs3Request) -> ogrs3.Ogrs3Input:
    return ogrs3.Ogrs3Input(
        sex=body.sex,
        date_of_birth=body.dateOfBirth,
        conviction_date=body.convictionDate,
        follow_up_start=body.followUpStart,
        total_sanctions=body.totalSanctions,
        age_at_first_sanction=body.ageAtFirstSanction,
        offence_code=body.offenceCode,
    )


def _result(result: ogrs3.Ogrs3Result, body: Ogrs3Request | None = None) -> Ogrs3View:
    return Ogrs3View(
        inputs=body.model_dump(mode="json") if body is not None else None,
        terms=result.terms(),
        oneYear=result.one_year,
        twoYear=result.two_year,
        band=result.band,
        ageAtConviction=result.age_at_conviction,
        ageAtFollowUp=result.age_at_follow_up,
        offenceGroup=result.offence_group,
        offenceWeight=result.offence_weight,
    )


@router.post("/ogrs3/calculate", response_model=Ogrs3View)
async def calculate(body: Ogrs3Request, principal: Principal = require_roles(*CALCULATE)):
    """OGRS3 from its inputs, stored nowhere (a calculator)."""
    result = ogrs3.calculate(_inputs(body))
    return redacted_response(_result(result, body), principal.roles)


@router.post("/people/{crn}/scores/ogrs3", status_code=201, response_model=Ogrs3View)
async def record_ogrs3(
    body: Ogrs3Request, session: Session, crn: str = CrnPath, principal: Principal = require_roles(*WRITE)
):
    """Compute OGRS3 from its inputs and record it as the person's score.

    Publishes scores.determined and recalculates the tier.

    Sex and date of birth are inputs here (as OASys takes them); when this service does not yet know
    them from case-allocation, they are remembered for tiering."""
    person = await queries.ensure_person(session, crn, clock.now())
    _, result = await workflow.record_ogrs3(
        session, person, _inputs(body), body.model_dump(mode="json"), principal.subject
    )
    return redacted_response(_result(result, body), principal.roles, status_code=201)


@router.post("/people/{crn}/scores", status_code=201, response_model=ScoresView)
async def record_scores(
    body: RecordedScoreRequest, session: Session, crn: str = CrnPath, principal: Principal = require_roles(*WRITE)
):
    """Record RSR (band derived: <3 LOW, 3 to <6.9 MEDIUM, ≥6.9 HIGH) and OSP scores with their bands."""
    errors = []
    if body.rsr is None and body.ospC is None and body.ospI is None:
        errors.append({"field": "rsr", "message": "Give at least one of rsr, ospC, ospI."})
    for score, band in (("ospC", "ospCBand"), ("ospI", "ospIBand")):
        if (getattr(body, score) is None) != (getattr(body, band) is None):
            errors.append({"field": band, "message": f"{score} and {band} go together."})
    if errors:
        raise Problem(
            422, "validation-failed", "Invalid fields: " + ", ".join(e["field"] for e in errors), errors=errors
        )
    person = await queries.ensure_person(session, crn, clock.now())
    await workflow.record_scores(
        session,
        person,
        rsr=body.rsr,
        # A score and its band come together (checked above).
        osp_c=(body.ospC, body.ospCBand) if body.ospC is not None and body.ospCBand is not None else None,
        osp_i=(body.ospI, body.ospIBand) if body.ospI is not None and body.ospIBand is not None else None,
        author=principal.subject,
    )
    return redacted_response(await _scores(session, crn), principal.roles, status_code=201)


def _score_view(score: Score | None) -> ScoreView | None:
    if score is None:
        return None
    value = score.value if score.kind == "OGRS3" else score.value / 100
    return ScoreView(
        kind=score.kind,
        value=value,
        oneYear=score.one_year,
        band=score.band,
        inputs=score.inputs,
        recordedBy=score.recorded_by,
        recordedAt=score.recorded_at,
        terms=_ogrs3_terms(score) if score.kind == "OGRS3" else None,
    )


def _ogrs3_terms(score: Score) -> dict | None:
    try:
        return ogrs3.calculate(_inputs(Ogrs3Request.model_validate(score.inputs))).terms()
    except (ValueError, DomainError):  # inputs not stored in the request's shape
        return None


async def _scores(session, crn: str) -> ScoresView:
    latest = {kind: await queries.latest_score(session, crn, kind) for kind in ("OGRS3", "RSR", "OSP_C", "OSP_I")}
    return ScoresView(
        crn=crn,
        ogrs3=_score_view(latest["OGRS3"]),
        rsr=_score_view(latest["RSR"]),
        ospC=_score_view(latest["OSP_C"]),
        ospI=_score_view(latest["OSP_I"]),
    )


@router.get("/people/{crn}/scores", response_model=ScoresView)
async def get_scores(session: Session, crn: str = CrnPath, principal: Principal = require_roles(*READ_FULL)):
    await person_or_404(session, crn)
    await audit(session, principal, crn, "read-scores", f"/people/{crn}/scores")
    return redacted_response(await _scores(session, crn), principal.roles)
