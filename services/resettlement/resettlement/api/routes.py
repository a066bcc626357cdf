"""resettlement's HTTP API: who is due for release, plans and reports, the regional directory, packs."""

from __future__ import annotations

import math
from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Path, Query
from fastapi.responses import Response

from probation_shared import clock
from probation_shared.auth import Principal, Role, require_roles
from probation_shared.db import Session
from probation_shared.domain_error import DomainError
from probation_shared.errors import Problem, not_found
from probation_shared.limits import IdPath
from probation_shared.redaction import DOCUMENT, redacted_response

from ..db import queries
from ..db.models import DirectoryEntry, Plan, Report
from ..domain import pathways as rules
from ..domain import release
from ..domain.licence_conditions import CONDITIONS
from ..domain.regions import REGIONS
from ..workflows import directory as directory_workflow
from ..workflows import plans
from . import schemas as s
from .access import CRN_PATTERN, STAFF, audit, prisoner_for

router = APIRouter(tags=["resettlement"])
CrnPath = Annotated[str, Path(pattern=CRN_PATTERN)]
RegionPath = Annotated[str, Path(min_length=2, max_length=8, pattern=r"^[A-Z]{2,8}$")]
ReportPath = Annotated[str, Path(max_length=24, pattern=r"^[A-Z_]{1,24}$")]
STAFF_OR_PERSON = require_roles(*STAFF, Role.PERSON_ON_PROBATION, Role.PROVIDER_CASEWORKER)


@router.get("/prisoners", response_model=s.PrisonerPage)
async def due_for_release(
    session: Session,
    principal: Principal = require_roles(*STAFF),
    prison: Annotated[str | None, Query(max_length=16, pattern=r"^[A-Z0-9]{1,16}$")] = None,
    region: Annotated[str | None, Query(max_length=8, pattern=r"^[A-Z]{2,8}$")] = None,
    days: Annotated[int, Query(ge=1, le=release.MAX_WINDOW_DAYS)] = release.PACK_WINDOW_DAYS,
    page: Annotated[int, Query(ge=0, le=10_000)] = 0,
    size: Annotated[int, Query(ge=1, le=100)] = 20,
):
    """People due for release within `days` days (84 or 168 typically), by prison or by release region."""
    if (prison is None) == (region is None):
        raise DomainError.on("prison", "prison-or-region", "Ask for one prison or one region.")
    if prison is not None and not (principal.has(Role.PRISON_OFFENDER_MANAGER) and principal.prison == prison):
        raise Problem(403, "forbidden", "A prison offender manager sees their own prison's list.")
    if region is not None:
        if region not in REGIONS:
            raise DomainError.on("region", "unknown-region", f"{region!r} is not a probation region")
        if principal.region != region or not principal.has(Role.PRACTITIONER, Role.SENIOR_PROBATION_OFFICER):
            raise Problem(403, "forbidden", "Probation staff see their own region's list.")
    today = clock.today()
    rows, total = await queries.due_for_release(
        session,
        start=today,
        end=today + timedelta(days=days),
        prison_code=prison,
        region_code=region,
        page=page,
        size=size,
    )
    for row in rows:
        await audit(session, principal, row.crn, "list-due-for-release", "/prisoners")
    body = s.PrisonerPage(
        content=[
            s.PrisonerView(
                crn=p.crn,
                nomsNumber=p.noms_number,
                name=p.full_name,
                releaseDate=p.release_date,
                prisonCode=p.prison_code,
                regionCode=p.region_code,
            )
            for p in rows
        ],
        page=page,
        size=size,
        totalElements=total,
        totalPages=math.ceil(total / size),
    )
    return redacted_response(body, principal.roles)


@router.get("/pathways", response_model=s.Catalogue)
async def catalogue(principal: Principal = require_roles(*STAFF)):
    """The seven pathways, their support needs and who works on each; the allowed status moves."""
    body = s.Catalogue(
        pathways=[
            s.CatalogueEntry(
                pathway=p.value,
                title=rules.TITLES[p],
                worker=rules.WORKERS[p].value,
                needs=[s.NeedView(code=c, need=n) for c, n in rules.SUPPORT_NEEDS[p].items()],
            )
            for p in rules.Pathway
        ],
        statuses={k.value: sorted(v.value for v in vs) for k, vs in rules.TRANSITIONS.items()},
    )
    return redacted_response(body, principal.roles)


async def _plan_view(session, plan: Plan) -> s.PlanView:
    rows = {p.pathway: p for p in await queries.pathways(session, plan.id)}
    return s.PlanView(
        id=plan.id,
        crn=plan.crn,
        stage=plan.stage,
        createdAt=plan.created_at,
        pathways=[
            s.PathwayView(
                pathway=p.value,
                title=rules.TITLES[p],
                status=rows[p.value].status,
                worker=rows[p.value].worker,
                allowedNext=sorted(x.value for x in rules.TRANSITIONS[rules.PathwayStatus(rows[p.value].status)]),
                updatedAt=rows[p.value].updated_at,
                updatedBy=rows[p.value].updated_by,
            )
            for p in rules.Pathway
            if p.value in rows
        ],
    )


@router.post("/people/{crn}/plan", status_code=201, response_model=s.PlanView)
async def create_plan(crn: CrnPath, session: Session, principal: Principal = require_roles(*STAFF)):
    prisoner = await prisoner_for(session, principal, crn)
    plan = await plans.create(session, prisoner.crn, principal.subject)
    return redacted_response(await _plan_view(session, plan), principal.roles, status_code=201)


@router.get("/people/{crn}/plan", response_model=s.PlanView)
async def get_plan(crn: CrnPath, session: Session, principal: Principal = STAFF_OR_PERSON):
    prisoner = await prisoner_for(session, principal, crn)
    plan = await plans.existing(session, prisoner.crn)
    await audit(session, principal, crn, "read-plan", f"/people/{crn}/plan")
    return redacted_response(await _plan_view(session, plan), principal.roles)


@router.patch("/people/{crn}/plan/pathways/{pathway}", response_model=s.PlanView)
async def change_pathway(
    crn: CrnPath,
    pathway: Annotated[str, Path(max_length=40)],
    body: s.PathwayChange,
    session: Session,
    principal: Principal = require_roles(*STAFF),
):
    prisoner = await prisoner_for(session, principal, crn)
    await plans.change_pathway(session, prisoner, pathway, body.status, body.worker, principal.subject)
    return redacted_response(await _plan_view(session, await plans.existing(session, crn)), principal.roles)


def _licence_view(prisoner) -> s.LicenceConditionsView:
    return s.LicenceConditionsView(
        crn=prisoner.crn,
        conditions=[
            s.LicenceConditionView(code=code, title=CONDITIONS[code].title, plainEnglish=CONDITIONS[code].plain_english)
            for code in prisoner.licence_conditions or []
            if code in CONDITIONS
        ],
    )


@router.put("/people/{crn}/licence-conditions", response_model=s.LicenceConditionsView)
async def set_licence_conditions(
    crn: CrnPath, body: s.LicenceConditionsBody, session: Session, principal: Principal = require_roles(*STAFF)
):
    """Record the conditions on the person's licence (codes from `GET /licence-conditions`); the pack explains
    each in plain English, and a pack already made is brought up to date by the next pack job."""
    prisoner = await prisoner_for(session, principal, crn)
    await plans.set_licence_conditions(session, prisoner, body.codes)
    return redacted_response(_licence_view(prisoner), principal.roles)


@router.get("/people/{crn}/licence-conditions", response_model=s.LicenceConditionsView)
async def get_licence_conditions(crn: CrnPath, session: Session, principal: Principal = STAFF_OR_PERSON):
    prisoner = await prisoner_for(session, principal, crn, person_may=True)
    await audit(session, principal, crn, "read-licence-conditions", f"/people/{crn}/licence-conditions")
    return redacted_response(_licence_view(prisoner), principal.roles)


@router.get("/licence-conditions", response_model=s.LicenceConditionCatalogue)
async def licence_condition_catalogue(principal: Principal = STAFF_OR_PERSON):
    """Every licence condition this service can explain, with its plain-English meaning."""
    return redacted_response(
        s.LicenceConditionCatalogue(
            conditions=[
                s.LicenceConditionView(code=c.code, title=c.title, plainEnglish=c.plain_english)
                for c in CONDITIONS.values()
            ]
        ),
        principal.roles,
    )


def _report_view(report: Report) -> s.ReportView:
    return s.ReportView(
        id=report.id,
        crn=report.crn,
        reportType=report.report_type,
        status=report.status,
        pathways=[
            s.ReportPathwayView(pathway=k, needs=v.get("needs", []), notes=v.get("notes"))
            for k, v in sorted(report.pathways.items())
        ],
        createdAt=report.created_at,
        submittedAt=report.submitted_at,
        submittedBy=report.submitted_by,
    )


def _report_type(value: str) -> str:
    try:
        return rules.ReportType(value).value
    except ValueError:
        raise DomainError.on(
            "report", "unknown-report-type", f"{value!r} is not a report; IMMEDIATE_NEEDS or PRE_RELEASE", status=404
        ) from None


@router.put("/people/{crn}/reports/{report}", response_model=s.ReportView)
async def write_report(
    crn: CrnPath, report: ReportPath, body: s.ReportBody, session: Session, principal: Principal = require_roles(*STAFF)
):
    """Start or edit a report's draft. The pre-release report starts pre-filled from the immediate-needs report."""
    prisoner = await prisoner_for(session, principal, crn)
    pathways = {k: v.model_dump() for k, v in body.pathways.items()}
    written = await plans.write_report(session, prisoner, _report_type(report), pathways)
    return redacted_response(_report_view(written), principal.roles)


@router.get("/people/{crn}/reports/{report}", response_model=s.ReportView)
async def read_report(crn: CrnPath, report: ReportPath, session: Session, principal: Principal = require_roles(*STAFF)):
    prisoner = await prisoner_for(session, principal, crn)
    found = await queries.report(session, prisoner.crn, _report_type(report))
    if found is None:
        raise not_found("report")
    await audit(session, principal, crn, "read-report", f"/people/{crn}/reports/{report}")
    return redacted_response(_report_view(found), principal.roles)


@router.post("/people/{crn}/reports/{report}/submission", response_model=s.ReportView)
async def submit_report(
    crn: CrnPath, report: ReportPath, session: Session, principal: Principal = require_roles(*STAFF)
):
    prisoner = await prisoner_for(session, principal, crn)
    submitted = await plans.submit_report(session, prisoner, _report_type(report), principal.subject)
    return redacted_response(_report_view(submitted), principal.roles)


def _entry_view(e: DirectoryEntry) -> s.DirectoryEntryView:
    return s.DirectoryEntryView(
        id=e.id,
        regionCode=e.region_code,
        pathway=e.pathway,
        name=e.name,
        whatTheyDo=e.what_they_do,
        town=e.town,
        address=e.address,
        phone=e.phone,
        openingHours=e.opening_hours,
        whoCanUseIt=e.who_can_use_it,
    )


def _region_staff(principal: Principal, region: str) -> None:
    directory_workflow.region(region)
    if principal.region != region:
        raise Problem(403, "forbidden", "A region's directory is kept by that region's staff.")


@router.get("/regions/{region}/directory", response_model=s.Directory)
async def read_directory(
    region: RegionPath, session: Session, principal: Principal = require_roles(*STAFF, Role.PERSON_ON_PROBATION)
):
    directory_workflow.region(region)
    entries = await queries.directory(session, region)
    body = s.Directory(regionCode=region, regionName=REGIONS[region], entries=[_entry_view(e) for e in entries])
    return redacted_response(body, principal.roles)


DIRECTORY_KEEPERS = require_roles(Role.PRACTITIONER, Role.SENIOR_PROBATION_OFFICER)


@router.post("/regions/{region}/directory", status_code=201, response_model=s.DirectoryEntryView)
async def add_entry(
    region: RegionPath, body: s.NewDirectoryEntry, session: Session, principal: Principal = DIRECTORY_KEEPERS
):
    _region_staff(principal, region)
    entry = await directory_workflow.add(session, region, body.model_dump(), principal.subject)
    return redacted_response(_entry_view(entry), principal.roles, status_code=201)


@router.patch("/regions/{region}/directory/{entry_id}", response_model=s.DirectoryEntryView)
async def change_entry(
    region: RegionPath,
    entry_id: IdPath,
    body: s.DirectoryChange,
    session: Session,
    principal: Principal = DIRECTORY_KEEPERS,
):
    _region_staff(principal, region)
    entry = await directory_workflow.change(session, region, entry_id, body.model_dump(), principal.subject)
    return redacted_response(_entry_view(entry), principal.roles)


@router.delete("/regions/{region}/directory/{entry_id}", status_code=204)
async def remove_entry(
    region: RegionPath, entry_id: IdPath, session: Session, principal: Principal = DIRECTORY_KEEPERS
):
    _region_staff(principal, region)
    await directory_workflow.remove(session, region, entry_id)
    return Response(status_code=204)


@router.get("/people/{crn}/pack", response_model=s.PackList)
async def pack_versions(crn: CrnPath, session: Session, principal: Principal = STAFF_OR_PERSON):
    """Every version of the person's pack, newest first; each stays downloadable."""
    prisoner = await prisoner_for(session, principal, crn, person_may=True)
    versions = await queries.packs(session, prisoner.crn)
    await audit(session, principal, crn, "list-packs", f"/people/{crn}/pack")
    base = f"/people/{crn}/pack/versions"
    body = s.PackList(
        crn=crn,
        versions=[
            s.PackVersionView(
                version=p.version,
                reason=p.reason,
                releaseDate=p.release_date,
                regionCode=p.region_code,
                generatedAt=p.generated_at,
                htmlUrl=f"{base}/{p.version}.html",
                pdfUrl=f"{base}/{p.version}.pdf",
            )
            for p in versions
        ],
    )
    return redacted_response(body, principal.roles)


@router.get(
    "/people/{crn}/pack/versions/{version}.{kind}", openapi_extra=DOCUMENT, response_class=Response, response_model=None
)
async def download_pack(
    crn: CrnPath,
    version: Annotated[int, Path(ge=1, le=1_000_000)],
    kind: Annotated[str, Path(pattern=r"^(pdf|html)$")],
    session: Session,
    principal: Principal = STAFF_OR_PERSON,
) -> Response:
    prisoner = await prisoner_for(session, principal, crn, person_may=True)
    pack = await queries.pack(session, prisoner.crn, version)
    if pack is None:
        raise not_found("pack version")
    await audit(session, principal, crn, f"download-pack-{kind}", f"/people/{crn}/pack/versions/{version}.{kind}")
    if kind == "pdf":
        return Response(pack.pdf, media_type="application/pdf")
    return Response(pack.html, media_type="text/html; charset=utf-8")
