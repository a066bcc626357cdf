"""The resettlement plan: seven pathways with a status and who works on each; the immediate-needs report,
then the pre-release report pre-filled from it; the move to post-release at release."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from probation_shared import clock
from probation_shared.domain_error import DomainError

from ..db import queries
from ..db.models import Plan, PlanPathway, Prisoner, Report
from ..domain import licence_conditions, release
from ..domain import pathways as rules
from ..domain.pathways import Pathway, PathwayStatus, PlanStage, ReportType
from ..events import publish
from . import packs

DRAFT, SUBMITTED = "DRAFT", "SUBMITTED"


async def create(session: AsyncSession, crn: str, by: str) -> Plan:
    if await queries.plan(session, crn) is not None:
        raise DomainError("plan-exists", f"{crn} already has a resettlement plan", status=409)
    now = clock.now()
    plan = Plan(crn=crn, stage=PlanStage.PRE_RELEASE.value, created_at=now, created_by=by)
    session.add(plan)
    await session.flush()
    for path in Pathway:
        session.add(
            PlanPathway(
                plan_id=plan.id,
                pathway=path.value,
                status=PathwayStatus.NOT_STARTED.value,
                worker=rules.WORKERS[path].value,
                updated_at=now,
                updated_by=by,
            )
        )
    await session.flush()
    await publish.publish(
        session,
        "resettlement.plan.created",
        crn,
        "Resettlement plan created",
        f"/people/{crn}/plan",
        publish.PlanCreated(planId=plan.id, stage=plan.stage),
    )
    return plan


async def existing(session: AsyncSession, crn: str) -> Plan:
    plan = await queries.plan(session, crn)
    if plan is None:
        raise DomainError("not-found", f"{crn} has no resettlement plan", status=404)
    return plan


async def change_pathway(
    session: AsyncSession, prisoner: Prisoner, pathway: str, status: str | None, worker: str | None, by: str
) -> PlanPathway:
    path = rules.pathway(pathway)
    plan = await existing(session, prisoner.crn)
    row = next(p for p in await queries.pathways(session, plan.id) if p.pathway == path.value)
    previous = PathwayStatus(row.status)
    if worker is not None:
        try:
            row.worker = rules.Worker(worker).value
        except ValueError:
            raise DomainError.on(
                "worker", "unknown-worker", f"{worker!r} is not someone who works on a pathway"
            ) from None
    if status is not None:
        new = rules.status(status)
        rules.check_transition(previous, new)
        row.status = new.value
    row.updated_at, row.updated_by = clock.now(), by
    if status is not None and row.status != previous.value:
        await publish.publish(
            session,
            "resettlement.pathway.status-changed",
            prisoner.crn,
            "Resettlement pathway status changed",
            f"/people/{prisoner.crn}/plan",
            publish.PathwayStatusChanged(
                planId=plan.id, pathway=path.value, status=row.status, previousStatus=previous.value
            ),
        )
    packs.mark_due(prisoner, packs.PLAN_CHANGED, await queries.latest_pack_version(session, prisoner.crn) > 0)
    return row


def _checked(pathways: dict[str, dict]) -> dict[str, dict]:
    checked = {}
    for name, body in pathways.items():
        path = rules.pathway(name, field=f"pathways.{name}")
        needs = list(body.get("needs", []))
        rules.check_needs(path, needs, f"pathways.{name}.needs")
        checked[path.value] = {"needs": needs, "notes": body.get("notes")}
    return checked


async def set_licence_conditions(session: AsyncSession, prisoner: Prisoner, codes: list[str]) -> Prisoner:
    """Record the licence's conditions; a pack already made is brought up to date by the next pack job."""
    licence_conditions.check_codes(codes)
    if codes != (prisoner.licence_conditions or []):
        prisoner.licence_conditions = list(codes)
        packs.mark_due(prisoner, packs.PLAN_CHANGED, await queries.latest_pack_version(session, prisoner.crn) > 0)
    return prisoner


async def write_report(
    session: AsyncSession, prisoner: Prisoner, report_type: str, pathways: dict[str, dict] | None
) -> Report:
    """Start (or edit the draft of) a report. The pre-release report starts as a copy of the submitted
    immediate-needs report, which must exist."""
    await existing(session, prisoner.crn)
    kind = ReportType(report_type)
    report = await queries.report(session, prisoner.crn, kind.value)
    if report is not None and report.status == SUBMITTED:
        raise DomainError("report-submitted", f"The {kind.value} report is already submitted", status=409)
    if report is None:
        start: dict = {}
        if kind is ReportType.PRE_RELEASE:
            needs = await queries.report(session, prisoner.crn, ReportType.IMMEDIATE_NEEDS.value)
            if needs is None or needs.status != SUBMITTED:
                raise DomainError(
                    "immediate-needs-first",
                    "The immediate-needs report is submitted before the pre-release report is started",
                    status=409,
                )
            start = {k: dict(v) for k, v in needs.pathways.items()}
        report = Report(crn=prisoner.crn, report_type=kind.value, status=DRAFT, pathways=start, created_at=clock.now())
        session.add(report)
    if pathways:
        report.pathways = {**report.pathways, **_checked(pathways)}
    await session.flush()
    return report


async def submit_report(session: AsyncSession, prisoner: Prisoner, report_type: str, by: str) -> Report:
    kind = ReportType(report_type)
    report = await queries.report(session, prisoner.crn, kind.value)
    if report is None:
        raise DomainError("not-found", f"{prisoner.crn} has no {kind.value} report", status=404)
    if report.status == SUBMITTED:
        raise DomainError("report-submitted", f"The {kind.value} report is already submitted", status=409)
    report.status, report.submitted_at, report.submitted_by = SUBMITTED, clock.now(), by
    await session.flush()
    if kind is ReportType.PRE_RELEASE:
        await publish.publish(
            session,
            "resettlement.report.submitted",
            prisoner.crn,
            "Pre-release report submitted",
            f"/people/{prisoner.crn}/reports/{kind.value}",
            publish.ReportSubmitted(reportId=report.id, reportType=kind.value),
        )
    packs.mark_due(prisoner, packs.PLAN_CHANGED, await queries.latest_pack_version(session, prisoner.crn) > 0)
    return report


async def released(session: AsyncSession, prisoner: Prisoner) -> None:
    """Released: the plan moves to post-release and enhanced support for the first two weeks is scheduled."""
    day = prisoner.released_on
    assert day is not None
    plan = await queries.plan(session, prisoner.crn)
    if plan is not None:
        plan.stage = PlanStage.POST_RELEASE.value
    prisoner.pack_due_reason = None
    contacts = [
        publish.EnhancedContact(date=d.isoformat(), type="ENHANCED_SUPPORT", description=what)
        for d, what in release.enhanced_support(day)
    ]
    await publish.publish(
        session,
        "resettlement.enhanced-support.scheduled",
        prisoner.crn,
        "Enhanced support after release scheduled",
        f"/people/{prisoner.crn}/plan",
        publish.EnhancedSupportScheduled(releaseDate=day.isoformat(), contacts=contacts),
    )
