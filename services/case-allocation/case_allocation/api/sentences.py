"""Court events, sentences and requirements."""

from __future__ import annotations

from fastapi import APIRouter, Request

from probation_shared import clock
from probation_shared.auth import Principal, require_roles
from probation_shared.db import Session
from probation_shared.errors import Problem, not_found
from probation_shared.limits import IdPath
from probation_shared.redaction import redacted_response

from ..db import cases as cases_db
from ..db import sentences as sentences_db
from ..domain import omic
from ..domain.sentences import PROGRESS_UNITS, curfew_hours, is_custodial, progress_total
from ..workflows import sentencing
from .access import CAN_READ, CAN_WRITE, AuditChanges, CrnPath, audit_read, person_for
from .schemas import (
    CustodyView,
    MonitoringView,
    NewRequirement,
    NewSentence,
    OffenceView,
    Progress,
    RequirementView,
    SentenceChanges,
    SentenceList,
    SentenceView,
    Termination,
)

router = APIRouter(prefix="/people/{crn}/sentences", tags=["sentences"], dependencies=[AuditChanges])


def requirement_view(r) -> RequirementView:
    view = RequirementView.model_validate(r)
    view.progress_unit = PROGRESS_UNITS[r.requirement_type]
    view.progress_total = progress_total(r.requirement_type, r.length, r.start_date)
    if r.monitoring:
        m = r.monitoring
        hours = curfew_hours(m["curfew_start"], m["curfew_end"]) if m.get("curfew_start") else None
        view.monitoring = MonitoringView(**m, hours_per_day=hours)
    return view


async def sentence_view(session, sentence) -> SentenceView:
    conviction = await sentences_db.conviction(session, sentence.conviction_id)
    assert conviction is not None  # sentence.conviction_id is a NOT NULL foreign key
    offences = await sentences_db.offences(session, sentence.conviction_id)
    requirements = await sentences_db.requirements(session, sentence.id)
    case = await cases_db.for_sentence(session, sentence.id)
    custody = None
    if is_custodial(sentence.sentence_type):
        custody = CustodyView.model_validate(sentence)
        custody.release_date = omic.release_date({k: getattr(sentence, k) for k in omic.RELEASE_DATE_PRECEDENCE})
    return SentenceView(
        id=sentence.id,
        crn=sentence.crn,
        conviction_date=conviction.conviction_date,
        court=conviction.court,
        offences=[OffenceView.model_validate(o) for o in offences],
        sentence_type=sentence.sentence_type,
        custodial=is_custodial(sentence.sentence_type),
        sentence_date=sentence.sentence_date,
        length={"value": sentence.length_value, "unit": sentence.length_unit},
        expected_end_date=sentence.expected_end_date,
        status=sentence.status,
        terminated_on=sentence.terminated_on,
        termination_reason=sentence.termination_reason,
        custody=custody,
        pdu_code=case.pdu_code if case else None,  # the PDU managing it (resettlement: the release region)
        requirements=[requirement_view(r) for r in requirements],
        case_id=case.id if case else None,
    )


async def _sentence(session, crn: str, sentence_id: IdPath):
    sentence = await sentences_db.get(session, crn, sentence_id)
    if sentence is None:
        raise not_found("sentence")
    return sentence


@router.post("", status_code=201, response_model=SentenceView)
async def create_sentence(
    body: NewSentence, session: Session, crn: str = CrnPath, principal: Principal = require_roles(*CAN_WRITE)
):
    person = await person_for(session, principal, crn)
    sentence = await sentencing.create_sentence(session, person, body.model_dump(), clock.today())
    return redacted_response(
        await sentence_view(session, sentence),
        principal.roles,
        201,
        {"Location": f"/people/{crn}/sentences/{sentence.id}"},
    )


@router.get("", response_model=SentenceList)
async def list_sentences(
    request: Request, session: Session, crn: str = CrnPath, principal: Principal = require_roles(*CAN_READ)
):
    await person_for(session, principal, crn)
    await audit_read(session, request, principal, crn)
    views = [await sentence_view(session, s) for s in await sentences_db.of_person(session, crn)]
    return redacted_response(SentenceList(sentences=views), principal.roles)


@router.get("/{sentence_id}", response_model=SentenceView)
async def get_sentence(
    request: Request,
    session: Session,
    sentence_id: IdPath,
    crn: str = CrnPath,
    principal: Principal = require_roles(*CAN_READ),
):
    await person_for(session, principal, crn)
    sentence = await _sentence(session, crn, sentence_id)
    await audit_read(session, request, principal, crn)
    return redacted_response(await sentence_view(session, sentence), principal.roles)


@router.patch("/{sentence_id}", response_model=SentenceView)
async def amend_sentence(
    body: SentenceChanges,
    session: Session,
    sentence_id: IdPath,
    crn: str = CrnPath,
    principal: Principal = require_roles(*CAN_WRITE),
):
    person = await person_for(session, principal, crn)
    sentence = await _sentence(session, crn, sentence_id)
    changes = body.model_dump(exclude_unset=True)
    if not changes:
        raise Problem(422, "nothing-to-change", "Give at least one field to amend.")
    if changes.get("expected_end_date", sentence.sentence_date) is None:
        raise Problem(
            422,
            "validation-failed",
            "expected_end_date cannot be removed.",
            errors=[{"field": "expected_end_date", "message": "cannot be null"}],
        )
    if changes.get("expected_end_date") and changes["expected_end_date"] < sentence.sentence_date:
        raise Problem(
            422,
            "invalid-dates",
            "The expected end precedes the sentence.",
            errors=[{"field": "expected_end_date", "message": "before sentence date"}],
        )
    await sentencing.amend_sentence(session, person, sentence, changes, clock.today())
    return redacted_response(await sentence_view(session, sentence), principal.roles)


@router.post("/{sentence_id}/termination", response_model=SentenceView)
async def terminate_sentence(
    body: Termination,
    session: Session,
    sentence_id: IdPath,
    crn: str = CrnPath,
    principal: Principal = require_roles(*CAN_WRITE),
):
    person = await person_for(session, principal, crn)
    sentence = await _sentence(session, crn, sentence_id)
    await sentencing.terminate_sentence(
        session, person, sentence, on=body.date, reason=body.reason, today=clock.today()
    )
    return redacted_response(await sentence_view(session, sentence), principal.roles)


@router.post("/{sentence_id}/requirements", status_code=201, response_model=RequirementView)
async def add_requirement(
    body: NewRequirement,
    session: Session,
    sentence_id: IdPath,
    crn: str = CrnPath,
    principal: Principal = require_roles(*CAN_WRITE),
):
    person = await person_for(session, principal, crn)
    sentence = await _sentence(session, crn, sentence_id)
    requirement = await sentencing.add_requirement(session, person, sentence, body.model_dump())
    return redacted_response(requirement_view(requirement), principal.roles, 201)


async def _requirement(session, crn: str, sentence_id: IdPath, requirement_id: IdPath):
    sentence = await _sentence(session, crn, sentence_id)
    requirement = await sentences_db.get_requirement(session, sentence_id, requirement_id)
    if requirement is None:
        raise not_found("requirement")
    return sentence, requirement


@router.patch("/{sentence_id}/requirements/{requirement_id}", response_model=RequirementView)
async def record_progress(
    body: Progress,
    session: Session,
    sentence_id: IdPath,
    requirement_id: IdPath,
    crn: str = CrnPath,
    principal: Principal = require_roles(*CAN_WRITE),
):
    await person_for(session, principal, crn)
    _, requirement = await _requirement(session, crn, sentence_id, requirement_id)
    await sentencing.record_progress(session, requirement, body.completed)
    return redacted_response(requirement_view(requirement), principal.roles)


@router.post("/{sentence_id}/requirements/{requirement_id}/termination", response_model=RequirementView)
async def terminate_requirement(
    body: Termination,
    session: Session,
    sentence_id: IdPath,
    requirement_id: IdPath,
    crn: str = CrnPath,
    principal: Principal = require_roles(*CAN_WRITE),
):
    person = await person_for(session, principal, crn)
    sentence, requirement = await _requirement(session, crn, sentence_id, requirement_id)
    await sentencing.terminate_requirement(session, person, sentence, requirement, on=body.date, reason=body.reason)
    return redacted_response(requirement_view(requirement), principal.roles)
