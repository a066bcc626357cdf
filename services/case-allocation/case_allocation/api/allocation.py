"""Allocation: the PDU queue, recommendations, allocate and transfer."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Query, Request

from probation_shared import clock
from probation_shared.auth import Principal, Role, require_roles
from probation_shared.db import Session
from probation_shared.errors import Problem, not_found
from probation_shared.limits import IdPath, KeyPath, ReadDate
from probation_shared.redaction import redacted_response

from ..db import cases as cases_db
from ..db import org as org_db
from ..db import people as people_db
from ..domain.calendar import ALLOCATION_WORKING_DAYS, days_not_counted, due_status
from ..domain.workload import grade_flags
from ..workflows import allocation as allocation_workflow
from .access import audit_read, person_for
from .schemas import (
    AllocationRequest,
    AllocationView,
    CapacityBasis,
    CaseView,
    DueDateBasis,
    QueuePage,
    Recommendations,
    RecommendationView,
)

router = APIRouter(tags=["allocation"])
SPO = Role.SENIOR_PROBATION_OFFICER
CAN_SEE_CASES = (SPO, Role.PRACTITIONER, Role.SERVICE)


def _spo_of(principal: Principal, pdu_code: KeyPath) -> None:
    if Role.SERVICE in principal.roles and SPO not in principal.roles:
        return
    if principal.pdu != pdu_code:
        raise Problem(403, "other-pdu", f"Only an SPO of {pdu_code} may do this.")


CAPACITY_RULE = (
    "total points (each person held weighed once, by their heaviest case, plus court reports: standard 138, "
    "fast 65) / available points (2176 x (contracted hours - reductions in force) / 37) x 100, to 1 dp"
)


def capacity_basis(w: allocation_workflow.Workload) -> CapacityBasis:
    return CapacityBasis(
        rule=CAPACITY_RULE,
        case_points=w.points - w.court_report_points,
        court_report_points=w.court_report_points,
        total_points=w.points,
        contracted_hours=float(w.staff.contracted_hours),
        reduction_hours=float(w.reduction_hours),
        available_points=float(round(w.available, 2)),
        people_held=w.cases,
    )


def _case_view(case, person, on: date, restricted: bool = False) -> CaseView:
    return CaseView(
        id=case.id,
        crn=case.crn,
        sentence_id=case.sentence_id,
        pdu_code=case.pdu_code,
        case_type=case.case_type,
        tier=person.tier if person else None,
        points=case.points,
        upw_only=case.upw_only,
        status=case.status,
        sentence_date=case.sentence_date,
        due_date=case.due_date,
        due_status=due_status(case.due_date, on) if case.status == "UNALLOCATED" else None,
        staff_code=case.staff_code,
        team_code=case.team_code,
        allocated_at=case.allocated_at,
        name=f"{person.first_name} {person.last_name}" if person else None,
        restricted=restricted,
        due_date_basis=DueDateBasis(
            rule=f"the {ALLOCATION_WORKING_DAYS}th working day after the sentence date (England and Wales)",
            sentence_date=case.sentence_date,
            working_days=ALLOCATION_WORKING_DAYS,
            days_not_counted=days_not_counted(case.sentence_date, case.due_date),
        ),
    )


@router.get("/pdus/{pdu_code}/queue", response_model=QueuePage)
async def pdu_queue(
    request: Request,
    session: Session,
    pdu_code: KeyPath,
    on: ReadDate | None = Query(None),
    page: int = Query(0, ge=0, le=10_000),
    size: int = Query(50, ge=1, le=500),
    principal: Principal = require_roles(SPO, Role.SERVICE),
):
    """Unallocated cases of the PDU, overdue first (earliest due date first).

    A case whose person is restricted away from the caller, or excludes them, is not listed: it is counted
    in `hidden_cases`, so the PDU knows it is waiting. An SPO named on the restriction sees it, flagged
    `restricted`, and may allocate it to staff named on the restriction (docs/privacy.md)."""
    if await org_db.get_pdu(session, pdu_code) is None:
        raise not_found("PDU")
    _spo_of(principal, pdu_code)
    on = on or clock.today()
    everyone = Role.SERVICE in principal.roles and SPO not in principal.roles
    visible = None if everyone else people_db.visible_to(principal.staff_code)
    rows, total, everything = await cases_db.queue(session, pdu_code, size, page * size, visible)
    restricted = await people_db.restricted_among(session, [p.crn for _, p in rows if p.limited_access])
    content = [_case_view(case, person, on, person.crn in restricted) for case, person in rows]
    await audit_read(session, request, principal, None, action="queue", crns=[c.crn for c in content])
    result = QueuePage(
        pdu_code=pdu_code,
        on=on,
        content=content,
        page=page,
        size=size,
        total_elements=total,
        hidden_cases=everything - total,
    )
    return redacted_response(result, principal.roles)


async def _case(session, principal: Principal, case_id: IdPath):
    case = await cases_db.get(session, case_id)
    if case is None:
        raise not_found("case")
    person = await person_for(session, principal, case.crn)
    return case, person


@router.get("/cases/{case_id}", response_model=CaseView)
async def get_case(
    request: Request,
    session: Session,
    case_id: IdPath,
    on: ReadDate | None = Query(None),
    principal: Principal = require_roles(*CAN_SEE_CASES),
):
    case, person = await _case(session, principal, case_id)
    await audit_read(session, request, principal, case.crn)
    restricted = bool(person.limited_access and await people_db.restricted_among(session, [person.crn]))
    view = _case_view(case, person, on or clock.today(), restricted)
    held = case.status == "ALLOCATED" and case.staff_code
    holder = await org_db.get_staff(session, case.staff_code) if held else None
    if holder is not None:
        view.flags = grade_flags(holder.grade, await cases_db.active_register_codes(session, case.crn))
        view.grade_fits = not view.flags
    return redacted_response(view, principal.roles)


@router.get("/cases/{case_id}/recommendations", response_model=Recommendations)
async def recommendations(
    request: Request,
    session: Session,
    case_id: IdPath,
    on: ReadDate | None = Query(None),
    principal: Principal = require_roles(SPO),
):
    """Practitioners of the PDU who could take the case, best first: by projected capacity after taking
    it, then grade suitability, then continuity, each with the reasons for their place (for a
    limited-access person, only those permitted to hold it)."""
    case, person = await _case(session, principal, case_id)
    _spo_of(principal, case.pdu_code)
    if case.status == "CLOSED":
        raise Problem(409, "case-closed", "The case is closed.")
    grades, found = await allocation_workflow.recommend(session, person, case, on or clock.today())
    await audit_read(session, request, principal, case.crn, action="recommendations")
    result = Recommendations(
        case_id=case.id,
        crn=case.crn,
        suitable_grades=list(grades),
        case_points=case.points,
        practitioners=[
            RecommendationView(
                staff_code=r.workload.staff.code,
                name=f"{r.workload.staff.first_name} {r.workload.staff.last_name}",
                grade=r.workload.staff.grade,
                team_code=r.workload.team.code,
                capacity_percent=float(r.workload.capacity) if r.workload.capacity is not None else None,
                projected_capacity_percent=float(r.projected) if r.projected is not None else None,
                active_risk_cases=r.workload.active_risk_cases,
                previous_practitioner=r.previous_practitioner,
                over_case_limit=r.over_case_limit,
                current_holder=r.candidate.current_holder,
                reasons=r.reasons,
                capacity_basis=capacity_basis(r.workload),
            )
            for r in found
        ],
    )
    return redacted_response(result, principal.roles)


@router.post("/cases/{case_id}/allocation", response_model=AllocationView)
async def allocate(
    request: Request,
    body: AllocationRequest,
    session: Session,
    case_id: IdPath,
    principal: Principal = require_roles(SPO),
):
    """Allocate an unallocated case, or transfer an allocated one (a reason is then required)."""
    case, person = await _case(session, principal, case_id)
    _spo_of(principal, case.pdu_code)
    try:
        allocation = await allocation_workflow.allocate(
            session,
            person,
            case,
            staff_code=body.staff_code,
            reason=body.reason,
            override_reason=body.override_reason,
            actor=principal.staff_code or principal.subject,
            on=clock.today(),
        )
    except allocation_workflow.OverCaseLimit as refused:
        raise Problem(
            refused.status, refused.code, refused.detail, activeRiskCases=refused.active_risk_cases
        ) from refused
    await audit_read(session, request, principal, case.crn, action="write")
    return redacted_response(AllocationView.model_validate(allocation), principal.roles)


@router.get("/cases/{case_id}/allocations", response_model=list[AllocationView])
async def allocation_history(
    request: Request, session: Session, case_id: IdPath, principal: Principal = require_roles(*CAN_SEE_CASES)
):
    case, _ = await _case(session, principal, case_id)
    await audit_read(session, request, principal, case.crn, action="allocation-history")
    return redacted_response(
        [AllocationView.model_validate(a) for a in await cases_db.allocations_of(session, case.id)], principal.roles
    )
