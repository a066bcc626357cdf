"""Organisation reference data: regions, PDUs, teams, staff, reductions and workload."""

from __future__ import annotations

from fastapi import APIRouter, Query
from fastapi.responses import Response

from probation_shared import clock
from probation_shared.auth import PROBATION_STAFF, Principal, Role, require_roles
from probation_shared.db import Session
from probation_shared.errors import Problem, not_found
from probation_shared.limits import IdPath, KeyPath, ReadDate
from probation_shared.redaction import redacted_response

from ..db import cases as cases_db
from ..db import org as org_db
from ..db.models import CourtReport, Reduction, Staff
from ..domain.workload import COURT_REPORT_POINTS
from ..workflows.allocation import workloads
from .allocation import capacity_basis
from .schemas import (
    CourtReportCompletion,
    CourtReportList,
    CourtReportView,
    NewCourtReport,
    NewReduction,
    NewStaff,
    PduDetail,
    PduView,
    ReductionList,
    ReductionView,
    RegionList,
    RegionView,
    StaffChanges,
    StaffList,
    StaffView,
    TeamView,
    WorkloadView,
)

router = APIRouter(tags=["organisation"])

CAN_READ_ORG = (*sorted(PROBATION_STAFF), Role.SERVICE, Role.AUDITOR, Role.OPERATOR, Role.COMMISSIONER)
CAN_MANAGE_STAFF = (Role.SENIOR_PROBATION_OFFICER, Role.OPERATOR)


def _may_manage(principal: Principal, pdu_code: KeyPath) -> None:
    """An SPO manages the staff of their own PDU; an operator manages any."""
    if Role.OPERATOR in principal.roles:
        return
    if principal.pdu != pdu_code:
        raise Problem(403, "other-pdu", f"Only an SPO of {pdu_code} may change its staff.")


@router.get("/regions", response_model=RegionList)
async def list_regions(session: Session, principal: Principal = require_roles(*CAN_READ_ORG)):
    pdus = await org_db.pdus(session)
    result = RegionList(
        regions=[
            RegionView(
                code=r.code, name=r.name, pdus=[PduView.model_validate(p) for p in pdus if p.region_code == r.code]
            )
            for r in await org_db.regions(session)
        ]
    )
    return redacted_response(result, principal.roles)


@router.get("/pdus/{pdu_code}", response_model=PduDetail)
async def get_pdu(session: Session, pdu_code: KeyPath, principal: Principal = require_roles(*CAN_READ_ORG)):
    pdu = await org_db.get_pdu(session, pdu_code)
    if pdu is None:
        raise not_found("PDU")
    result = PduDetail(
        code=pdu.code,
        name=pdu.name,
        region_code=pdu.region_code,
        teams=[TeamView.model_validate(t) for t in await org_db.teams(session, pdu_code)],
    )
    return redacted_response(result, principal.roles)


@router.get("/teams/{team_code}/staff", response_model=StaffList)
async def team_staff(session: Session, team_code: KeyPath, principal: Principal = require_roles(*CAN_READ_ORG)):
    if await org_db.get_team(session, team_code) is None:
        raise not_found("team")
    return redacted_response(
        StaffList(staff=[StaffView.model_validate(s) for s in await org_db.staff_in_team(session, team_code)]),
        principal.roles,
    )


@router.post("/staff", status_code=201, response_model=StaffView)
async def create_staff(body: NewStaff, session: Session, principal: Principal = require_roles(*CAN_MANAGE_STAFF)):
    team = await org_db.get_team(session, body.team_code)
    if team is None:
        raise Problem(
            422,
            "unknown-team",
            f"There is no team {body.team_code}.",
            errors=[{"field": "team_code", "message": "unknown team"}],
        )
    _may_manage(principal, team.pdu_code)
    if await org_db.get_staff(session, body.code) is not None:
        raise Problem(409, "staff-code-in-use", f"Staff code {body.code} is already in use.")
    staff = await org_db.add_staff(session, Staff(active=True, **body.model_dump()))
    return redacted_response(
        StaffView.model_validate(staff), principal.roles, 201, {"Location": f"/staff/{staff.code}"}
    )


async def _staff(session, code: str) -> tuple:
    found = await org_db.staff_with_team(session, code)
    if found is None:
        raise not_found("staff member")
    return found


@router.get("/staff/{staff_code}", response_model=StaffView)
async def get_staff(session: Session, staff_code: KeyPath, principal: Principal = require_roles(*CAN_READ_ORG)):
    staff, _team = await _staff(session, staff_code)
    return redacted_response(StaffView.model_validate(staff), principal.roles)


@router.patch("/staff/{staff_code}", response_model=StaffView)
async def update_staff(
    body: StaffChanges, session: Session, staff_code: KeyPath, principal: Principal = require_roles(*CAN_MANAGE_STAFF)
):
    staff, team = await _staff(session, staff_code)
    _may_manage(principal, team.pdu_code)
    changes = body.model_dump(exclude_unset=True)
    if any(v is None for k, v in changes.items() if k not in ("email", "phone")):
        raise Problem(
            422,
            "validation-failed",
            "Only email and phone may be removed.",
            errors=[
                {"field": k, "message": "cannot be null"}
                for k, v in changes.items()
                if v is None and k not in ("email", "phone")
            ],
        )
    if "team_code" in changes:
        new_team = await org_db.get_team(session, changes["team_code"])
        if new_team is None:
            raise Problem(
                422, "unknown-team", "No such team.", errors=[{"field": "team_code", "message": "unknown team"}]
            )
        _may_manage(principal, new_team.pdu_code)
    for field, value in changes.items():
        setattr(staff, field, value)
    await org_db.save(session)
    return redacted_response(StaffView.model_validate(staff), principal.roles)


@router.get("/staff/{staff_code}/reductions", response_model=ReductionList)
async def list_reductions(session: Session, staff_code: KeyPath, principal: Principal = require_roles(*CAN_READ_ORG)):
    await _staff(session, staff_code)
    return redacted_response(
        ReductionList(
            reductions=[ReductionView.model_validate(r) for r in await org_db.reductions(session, staff_code)]
        ),
        principal.roles,
    )


@router.post("/staff/{staff_code}/reductions", status_code=201, response_model=ReductionView)
async def add_reduction(
    body: NewReduction, session: Session, staff_code: KeyPath, principal: Principal = require_roles(*CAN_MANAGE_STAFF)
):
    staff, team = await _staff(session, staff_code)
    _may_manage(principal, team.pdu_code)
    if body.hours > staff.contracted_hours:
        raise Problem(
            422,
            "reduction-exceeds-hours",
            "A reduction cannot exceed the contracted hours.",
            errors=[{"field": "hours", "message": f"at most {staff.contracted_hours}"}],
        )
    reduction = await org_db.add_reduction(session, Reduction(staff_code=staff_code, **body.model_dump()))
    return redacted_response(ReductionView.model_validate(reduction), principal.roles, 201)


@router.delete("/staff/{staff_code}/reductions/{reduction_id}", status_code=204)
async def delete_reduction(
    session: Session, staff_code: KeyPath, reduction_id: IdPath, principal: Principal = require_roles(*CAN_MANAGE_STAFF)
):
    _, team = await _staff(session, staff_code)
    _may_manage(principal, team.pdu_code)
    reduction = await org_db.get_reduction(session, staff_code, reduction_id)
    if reduction is None:
        raise not_found("reduction")
    await org_db.delete_reduction(session, reduction)
    return Response(status_code=204)


@router.get("/staff/{staff_code}/workload", response_model=WorkloadView)
async def staff_workload(
    session: Session,
    staff_code: KeyPath,
    on: ReadDate | None = Query(None),
    principal: Principal = require_roles(Role.PRACTITIONER, Role.SENIOR_PROBATION_OFFICER, Role.SERVICE, Role.OPERATOR),
):
    staff, team = await _staff(session, staff_code)
    (w,) = await workloads(session, [(staff, team)], on or clock.today())
    reduction = w.reduction_hours
    result = WorkloadView(
        staff_code=staff.code,
        grade=staff.grade,
        team_code=team.code,
        contracted_hours=float(staff.contracted_hours),
        reduction_hours=float(reduction),
        available_points=float(round(w.available, 2)),
        total_points=w.points,
        cases=w.cases,
        active_risk_cases=w.active_risk_cases,
        capacity_percent=float(w.capacity) if w.capacity is not None else None,
        court_report_points=w.court_report_points,
        capacity_basis=capacity_basis(w),
    )
    return redacted_response(result, principal.roles)


def _report_view(report: CourtReport) -> CourtReportView:
    return CourtReportView(
        id=report.id,
        staff_code=report.staff_code,
        kind=report.kind,
        points=COURT_REPORT_POINTS[report.kind],
        requested_on=report.requested_on,
        completed_on=report.completed_on,
    )


@router.get("/staff/{staff_code}/court-reports", response_model=CourtReportList)
async def list_court_reports(
    session: Session, staff_code: KeyPath, principal: Principal = require_roles(*CAN_READ_ORG)
):
    await _staff(session, staff_code)
    reports = await cases_db.court_reports(session, staff_code)
    return redacted_response(CourtReportList(court_reports=[_report_view(r) for r in reports]), principal.roles)


@router.post("/staff/{staff_code}/court-reports", status_code=201, response_model=CourtReportView)
async def add_court_report(
    body: NewCourtReport,
    session: Session,
    staff_code: KeyPath,
    principal: Principal = require_roles(*CAN_MANAGE_STAFF),
):
    """A court report the practitioner is writing: it weighs in their workload (standard 138, fast 65)
    until it is completed."""
    _, team = await _staff(session, staff_code)
    _may_manage(principal, team.pdu_code)
    report = CourtReport(staff_code=staff_code, kind=body.kind, requested_on=body.requested_on)
    cases_db.add_court_report(session, report)
    await org_db.save(session)
    return redacted_response(_report_view(report), principal.roles, 201)


@router.post("/staff/{staff_code}/court-reports/{report_id}/completion", response_model=CourtReportView)
async def complete_court_report(
    body: CourtReportCompletion,
    session: Session,
    staff_code: KeyPath,
    report_id: IdPath,
    principal: Principal = require_roles(*CAN_MANAGE_STAFF),
):
    _, team = await _staff(session, staff_code)
    _may_manage(principal, team.pdu_code)
    report = await cases_db.get_court_report(session, staff_code, report_id)
    if report is None:
        raise not_found("court report")
    if report.completed_on is not None:
        raise Problem(409, "court-report-completed", "The court report is already completed.")
    if body.completed_on < report.requested_on:
        raise Problem(
            422,
            "invalid-dates",
            "A report cannot be completed before it was requested.",
            errors=[{"field": "completed_on", "message": "before requested_on"}],
        )
    report.completed_on = body.completed_on
    await org_db.save(session)
    return redacted_response(_report_view(report), principal.roles)
