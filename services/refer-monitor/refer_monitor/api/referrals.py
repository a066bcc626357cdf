"""Referrals: the lifecycle endpoints. Every endpoint checks the caller's access to the referral."""

from __future__ import annotations

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse

from probation_shared.audit import record_access
from probation_shared.auth import Principal, Role, require_roles
from probation_shared.db import Session
from probation_shared.redaction import DataClass, Visibility, mask, redact, redacted_response, visibility

from ..db import queries as q
from ..db.models import PLATFORM, Referral
from ..domain import referrals as lifecycle
from ..domain import updates as sharing
from ..domain.access import PROBATION, PROBATION_READERS
from ..domain.rules import aware
from ..domain.sharing import Category
from ..domain.views import ProviderView
from .schemas import (
    ActionPlanOut,
    Amend,
    AmendmentOut,
    AppointmentOut,
    Assign,
    Attendance,
    EndOfServiceReportIn,
    Feedback,
    NewActionPlan,
    NewAppointment,
    NewReferral,
    NewUpdate,
    ReferralOut,
    ReferralSummary,
    SendReferral,
    UpdateOut,
    ViewHistoryOut,
    Withdraw,
)

router = APIRouter(prefix="/referrals", tags=["referrals"])

READERS = (*PROBATION_READERS, Role.PROVIDER_CASEWORKER)
PROVIDER = (Role.PROVIDER_CASEWORKER,)


async def referral_out(session, ctx: lifecycle.ReferralContext) -> ReferralOut:
    r: Referral = ctx.referral
    has_report = await q.end_of_service_report(session, r.id) is not None
    return ReferralOut(
        id=r.id,
        reference=r.reference,
        crn=r.crn,
        intervention_id=r.intervention_id,
        contract_reference=r.contract_reference,
        prime_provider_id=ctx.contract.prime_provider_id,
        status=r.status,
        outcome=r.outcome,
        awaiting_end_of_service_report=lifecycle.awaiting_end_of_service_report(r, has_report),
        created_at=r.created_at,
        sent_at=r.sent_at,
        assigned_to=r.assigned_to,
        complexity_level=r.complexity_level,
        desired_outcomes=r.desired_outcomes,
        needs=r.needs,
        completion_deadline=r.completion_deadline,
        custody=r.custody,
        expected_release_date=r.expected_release_date,
        expected_release_missing_reason=r.expected_release_missing_reason,
        withdrawal_code=r.withdrawal_code,
        over_cap_reason=r.over_cap_reason,
        provider_view=ProviderView.model_validate(r.provider_view) if r.provider_view else None,
        provider_view_version=r.provider_view_version,
        provider_view_updated_at=r.provider_view_updated_at,
    )


async def respond(session, principal: Principal, ctx: lifecycle.ReferralContext, status_code: int = 200):
    return redacted_response(await referral_out(session, ctx), principal.roles, status_code)


async def audit(session, request: Request, principal: Principal, crn: str | None, action: str = "read") -> None:
    await record_access(
        session,
        PLATFORM.audit_log,
        principal,
        crn=crn,
        action=action,
        resource=request.url.path,
        reason=request.headers.get("x-access-reason"),
    )


@router.post("", status_code=201, response_model=ReferralOut)
async def create_referral(body: NewReferral, session: Session, principal: Principal = require_roles(*PROBATION)):
    referral = await lifecycle.create_draft(session, principal, body.model_dump())
    await session.flush()
    return await respond(session, principal, await lifecycle.load(session, principal, referral.id), 201)


@router.get("", response_model=list[ReferralSummary])
async def list_referrals(
    request: Request,
    session: Session,
    crn: str | None = Query(default=None, pattern=r"^[A-Z][0-9]{6}$"),
    limit: int = Query(default=50, ge=1, le=200),
    offset: int = Query(default=0, ge=0, le=100_000),
    principal: Principal = require_roles(*READERS),
):
    if principal.has(*PROBATION_READERS):
        if crn:
            await lifecycle.enforce_limited_access(session, principal, crn)
        rows = await q.referral_page(session, crn=crn, limit=limit, offset=offset)
    else:
        refs = sorted(principal.contract_refs)
        rows = (
            await q.referral_page(session, contract_refs=refs, provider_id=principal.provider_id, crn=crn, exclude_drafts=True, limit=limit, offset=offset)
            if refs and principal.provider_id
            else []
        )
    await audit(session, request, principal, crn, "list")
    name_visible = visibility(principal.roles, DataClass.IDENTITY)
    return JSONResponse([_summary(row, name_visible) for row in rows])


def _summary(row, name_visible: Visibility) -> dict:
    """One list entry; the person's name under the same policy as `ReferralSummary.person_name` (IDENTITY)."""
    name = " ".join(p for p in (row.first_name, row.last_name) if p) or None
    entry = {
        "id": row.id,
        "reference": row.reference,
        "crn": row.crn,
        "contract_reference": row.contract_reference,
        "status": row.status,
        "outcome": row.outcome,
        "sent_at": aware(row.sent_at).isoformat() if row.sent_at else None,
        "assigned_to": row.assigned_to,
    }
    if name_visible is Visibility.VISIBLE:
        entry["person_name"] = name
    elif name_visible is Visibility.MASKED:
        entry["person_name"] = mask(name)
    return entry


@router.get("/{referral_id}", response_model=ReferralOut)
async def read_referral(referral_id: str, request: Request, session: Session, principal: Principal = require_roles(*READERS)):
    ctx = await lifecycle.load(session, principal, referral_id)
    await audit(session, request, principal, ctx.referral.crn)
    return await respond(session, principal, ctx)


@router.patch("/{referral_id}", response_model=ReferralOut)
async def amend_referral(referral_id: str, body: Amend, session: Session, principal: Principal = require_roles(*PROBATION)):
    ctx = await lifecycle.load(session, principal, referral_id, for_update=True)
    changes = body.model_dump(exclude_unset=True, exclude={"reason"})
    await lifecycle.amend(session, principal, ctx, changes, body.reason)
    return await respond(session, principal, ctx)


@router.post("/{referral_id}/send", response_model=ReferralOut)
async def send_referral(
    referral_id: str, request: Request, session: Session, body: SendReferral | None = None, principal: Principal = require_roles(*PROBATION)
):
    ctx = await lifecycle.load(session, principal, referral_id, for_update=True)
    settings = request.app.state.settings
    await lifecycle.send(session, principal, ctx, body.over_cap_reason if body else None, settings.risk_summary_max_age_days)
    return await respond(session, principal, ctx)


@router.post("/{referral_id}/assign", response_model=ReferralOut)
async def assign_referral(referral_id: str, session: Session, body: Assign | None = None, principal: Principal = require_roles(*PROVIDER)):
    ctx = await lifecycle.load(session, principal, referral_id, for_update=True)
    await lifecycle.assign(session, principal, ctx, body.caseworker if body else None)
    return await respond(session, principal, ctx)


@router.post("/{referral_id}/withdraw", response_model=ReferralOut)
async def withdraw_referral(referral_id: str, body: Withdraw, session: Session, principal: Principal = require_roles(*PROBATION)):
    ctx = await lifecycle.load(session, principal, referral_id, for_update=True)
    await lifecycle.withdraw(session, principal, ctx, body.code, body.comments)
    return await respond(session, principal, ctx)


@router.get("/{referral_id}/amendments", response_model=list[AmendmentOut])
async def list_amendments(referral_id: str, request: Request, session: Session, principal: Principal = require_roles(*READERS)):
    ctx = await lifecycle.load(session, principal, referral_id)
    await audit(session, request, principal, ctx.referral.crn)
    return [AmendmentOut.model_validate(a) for a in await q.amendments(session, referral_id)]


@router.get("/{referral_id}/provider-view-history", response_model=list[ViewHistoryOut])
async def view_history(referral_id: str, request: Request, session: Session, principal: Principal = require_roles(*READERS)):
    ctx = await lifecycle.load(session, principal, referral_id)
    await audit(session, request, principal, ctx.referral.crn)
    return JSONResponse([redact(ViewHistoryOut.model_validate(h), principal.roles) for h in await q.view_history(session, referral_id)])


# --- appointments -------------------------------------------------------------------------------


@router.get("/{referral_id}/appointments", response_model=list[AppointmentOut])
async def list_appointments(referral_id: str, request: Request, session: Session, principal: Principal = require_roles(*READERS)):
    ctx = await lifecycle.load(session, principal, referral_id)
    await audit(session, request, principal, ctx.referral.crn)
    return JSONResponse([redact(AppointmentOut.model_validate(a), principal.roles) for a in await q.appointments(session, referral_id)])


@router.post("/{referral_id}/appointments", status_code=201, response_model=AppointmentOut)
async def schedule_appointment(referral_id: str, body: NewAppointment, session: Session, principal: Principal = require_roles(*PROVIDER)):
    ctx = await lifecycle.load(session, principal, referral_id, for_update=True)
    appointment = await lifecycle.schedule(session, principal, ctx, body.kind, body.session_number, body.scheduled_at, body.duration_minutes)
    await session.flush()
    return redacted_response(AppointmentOut.model_validate(appointment), principal.roles, 201)


@router.post("/{referral_id}/appointments/{appointment_id}/attendance", response_model=AppointmentOut)
async def record_attendance(referral_id: str, appointment_id: str, body: Attendance, session: Session, principal: Principal = require_roles(*PROVIDER)):
    ctx = await lifecycle.load(session, principal, referral_id, for_update=True)
    appointment = await lifecycle.record_attendance(session, principal, ctx, appointment_id, body.attendance, body.notes)
    return redacted_response(AppointmentOut.model_validate(appointment), principal.roles)


@router.post("/{referral_id}/appointments/{appointment_id}/feedback", response_model=AppointmentOut)
async def submit_feedback(referral_id: str, appointment_id: str, body: Feedback, session: Session, principal: Principal = require_roles(*PROVIDER)):
    ctx = await lifecycle.load(session, principal, referral_id, for_update=True)
    appointment = await lifecycle.submit_feedback(session, principal, ctx, appointment_id, body.model_dump())
    return redacted_response(AppointmentOut.model_validate(appointment), principal.roles)


# --- action plans and end of service report ------------------------------------------------------


@router.get("/{referral_id}/action-plans", response_model=list[ActionPlanOut])
async def list_action_plans(referral_id: str, session: Session, principal: Principal = require_roles(*READERS)):
    await lifecycle.load(session, principal, referral_id)
    return [ActionPlanOut.model_validate(p) for p in await q.action_plans(session, referral_id)]


@router.post("/{referral_id}/action-plans", status_code=201, response_model=ActionPlanOut)
async def submit_action_plan(referral_id: str, body: NewActionPlan, session: Session, principal: Principal = require_roles(*PROVIDER)):
    ctx = await lifecycle.load(session, principal, referral_id, for_update=True)
    plan = await lifecycle.submit_action_plan(session, principal, ctx, body.number_of_sessions, body.activities)
    await session.flush()
    return ActionPlanOut.model_validate(plan)


@router.post("/{referral_id}/action-plans/{plan_id}/approve", response_model=ActionPlanOut)
async def approve_action_plan(referral_id: str, plan_id: str, session: Session, principal: Principal = require_roles(*PROBATION)):
    ctx = await lifecycle.load(session, principal, referral_id, for_update=True)
    return ActionPlanOut.model_validate(await lifecycle.approve_action_plan(session, principal, ctx, plan_id))


@router.post("/{referral_id}/end-of-service-report", response_model=ReferralOut)
async def submit_end_of_service_report(referral_id: str, body: EndOfServiceReportIn, session: Session, principal: Principal = require_roles(*PROVIDER)):
    ctx = await lifecycle.load(session, principal, referral_id, for_update=True)
    await lifecycle.submit_end_of_service_report(session, principal, ctx, [o.model_dump() for o in body.outcomes], body.further_information)
    await session.flush()
    return await respond(session, principal, ctx)


# --- provider updates ---------------------------------------------------------------------------


@router.post("/{referral_id}/updates", status_code=201, response_model=UpdateOut)
async def post_update(referral_id: str, body: NewUpdate, session: Session, principal: Principal = require_roles(*PROVIDER)):
    ctx = await lifecycle.load(session, principal, referral_id)
    update = await sharing.post_update(session, principal, ctx, Category(body.category), body.text)
    return redacted_response(UpdateOut.model_validate(update), principal.roles, 201)
