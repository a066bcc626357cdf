"""Needs assessments: versioned per person, draft → complete, readable as they stood at any time."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Path, Query

from probation_shared import clock
from probation_shared.auth import Principal, require_roles
from probation_shared.db import Session
from probation_shared.errors import Problem, not_found
from probation_shared.limits import AsAt, KeyPath
from probation_shared.redaction import redacted_response

from ..db import queries
from ..db.models import Assessment
from ..domain import needs
from ..workflows import assessments as workflow
from .access import CRN_PATTERN, READ_FULL, WRITE, audit
from .risk import rosh_data
from .schemas import (
    AssessmentSummary,
    AssessmentUpdate,
    AssessmentView,
    CompleteAssessment,
    QuestionView,
    SectionDefinition,
    SectionView,
)

router = APIRouter(tags=["assessments"])
CrnPath = Path(pattern=CRN_PATTERN)


def view(
    assessment: Assessment, sections: dict | None = None, status: str | None = None, as_at: datetime | None = None
) -> AssessmentView:
    sections = assessment.sections if sections is None else sections
    result = []
    for res in workflow.results(sections):
        section = needs.SECTIONS_BY_CODE[res.code]
        result.append(
            SectionView(
                code=res.code,
                title=section.title,
                answers=sections.get(res.code, {}).get("answers", {}),
                score=res.score,
                severity=res.severity.value if res.severity else None,
                identifiedNeed=res.identified_need,
                linkedToHarm=res.linked_to_harm,
                linkedToReoffending=res.linked_to_reoffending,
                complete=res.complete,
            )
        )
    complete = (status or assessment.status) == "COMPLETE"
    return AssessmentView(
        id=assessment.id,
        crn=assessment.crn,
        version=assessment.version,
        status=status or assessment.status,
        asAt=as_at,
        createdBy=assessment.created_by,
        createdAt=assessment.created_at,
        completedBy=assessment.completed_by if complete else None,
        completedAt=assessment.completed_at if complete else None,
        sections=result,
    )


async def _as_at(session, assessment: Assessment, at: datetime) -> AssessmentView:
    revision = await queries.revision_at(session, assessment.id, clock.as_utc(at))
    if revision is None:
        raise not_found("assessment at that time")
    return view(assessment, revision.sections, revision.status, at)


@router.get("/assessment-sections", response_model=list[SectionDefinition])
async def sections(principal: Principal = require_roles(*READ_FULL)):
    definitions = [
        SectionDefinition(
            code=s.code,
            title=s.title,
            scored=s.scored,
            standardThreshold=s.thresholds[0] if s.thresholds else None,
            severeThreshold=s.thresholds[1] if s.thresholds else None,
            questions=[
                QuestionView(id=q.id, text=q.text, answers=list(needs.ANSWER_SCORES[q.scale])) for q in s.questions
            ],
        )
        for s in needs.SECTIONS
    ]
    return redacted_response(definitions, principal.roles)


@router.post("/people/{crn}/assessments", status_code=201, response_model=AssessmentView)
async def start_assessment(session: Session, crn: str = CrnPath, principal: Principal = require_roles(*WRITE)):

    person = await queries.ensure_person(session, crn, clock.now())
    assessment = await workflow.start(session, person, principal.subject)
    return redacted_response(view(assessment), principal.roles, status_code=201)


@router.get("/people/{crn}/assessments", response_model=list[AssessmentSummary] | AssessmentView)
async def list_assessments(
    session: Session,
    crn: str = CrnPath,
    at: AsAt | None = Query(default=None),
    principal: Principal = require_roles(*READ_FULL),
):
    """All versions; with `at`, the assessment that was current then, as it stood then."""
    if await queries.get_person(session, crn) is None:
        raise not_found("person")
    await audit(session, principal, crn, "read-assessments", f"/people/{crn}/assessments")
    if at is not None:
        assessment = await queries.assessment_existing_at(session, crn, clock.as_utc(at))
        if assessment is None:
            raise not_found("assessment at that time")
        return redacted_response(await _as_at(session, assessment, at), principal.roles)
    rows = await queries.assessments_of(session, crn)
    summaries = [
        AssessmentSummary(
            id=a.id, version=a.version, status=a.status, createdAt=a.created_at, completedAt=a.completed_at
        )
        for a in rows
    ]
    return redacted_response(summaries, principal.roles)


async def _assessment(session, assessment_id: KeyPath) -> Assessment:
    assessment = await queries.get_assessment(session, assessment_id)
    if assessment is None:
        raise not_found("assessment")
    return assessment


@router.get("/assessments/{assessment_id}", response_model=AssessmentView)
async def get_assessment(
    session: Session,
    assessment_id: KeyPath,
    at: AsAt | None = Query(default=None),
    principal: Principal = require_roles(*READ_FULL),
):
    assessment = await _assessment(session, assessment_id)
    await audit(session, principal, assessment.crn, "read-assessment", f"/assessments/{assessment_id}")
    body = await _as_at(session, assessment, at) if at is not None else view(assessment)
    return redacted_response(body, principal.roles)


@router.patch("/assessments/{assessment_id}", response_model=AssessmentView)
async def update_assessment(
    body: AssessmentUpdate, session: Session, assessment_id: KeyPath, principal: Principal = require_roles(*WRITE)
):
    assessment = await _assessment(session, assessment_id)
    await workflow.update(session, assessment, {k: v.model_dump() for k, v in body.sections.items()}, principal.subject)
    return redacted_response(view(assessment), principal.roles)


@router.post("/assessments/{assessment_id}/complete", response_model=AssessmentView)
async def complete_assessment(
    session: Session,
    assessment_id: KeyPath,
    body: CompleteAssessment | None = None,
    principal: Principal = require_roles(*WRITE),
):
    assessment = await _assessment(session, assessment_id)
    person = await queries.get_person(session, assessment.crn)
    if person is None:  # pragma: no cover - the assessment was started through ensure_person
        raise Problem(409, "unknown-person", "The person of this assessment is unknown.")
    rosh = rosh_data(body.rosh) if body and body.rosh else None
    await workflow.complete(session, assessment, person, principal.subject, rosh)
    return redacted_response(view(assessment), principal.roles)
