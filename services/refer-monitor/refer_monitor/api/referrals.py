"""Referrals: the lifecycle endpoints. Every endpoint checks the caller's access to the referral (limited
access included), renders its response for the caller's audience (a provider's HEALTH only with the
person's recorded consent for that provider) and audits every read of personal data."""

from __future__ import annotations

from fastapi import APIRouter, Query, Request

from probation_shared.audit import access_reason, record_access
from probation_shared.auth import Principal, Role, require_roles
from probation_shared.clock import as_utc
from probation_shared.db import Session
from probation_shared.errors import Problem
from probation_shared.limits import KeyPath
from probation_shared.redaction import Audience, DataClass, redacted_response, redacted_rows_response

from ..db.models import PLATFORM, Referral
from ..domain.sharing import Category
from ..domain.views import stored_view
from ..workflows import referrals as lifecycle
from ..workflows import updates as sharing
from ..workflows.access import PROBATION, PROBATION_READERS
from . import preview as previews
from .schemas import (
    ActionPlanOut,
    Amend,
    AmendmentOut,
    AppointmentOut,
    Assign,
    AssignmentOut,
    Attendance,
    EndOfServiceReportIn,
    Feedback,
    NewActionPlan,
    NewAppointment,
    NewReferral,
    NewUpdate,
    PreviewOut,
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
    has_report = await lifecycle.has_end_of_service_report(session, ctx)
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
        provider_view=stored_view(r.provider_view),
        provider_view_version=r.provider_view_version,
        provider_view_updated_at=r.provider_view_updated_at,
    )


async def audience_for(session, principal: Principal, crn: str) -> Audience:
    """The caller's audience: a provider caseworker holds the person's HEALTH consent only where probation
    staff have recorded it for the caller's own organisation."""
    if (
        principal.is_provider
        and not principal.is_probation_staff
        and await lifecycle.health_consented(session, crn, principal.provider_id)
    ):
        return Audience.of(principal.roles, consents={DataClass.HEALTH})
    return Audience.of(principal.roles)


async def audit(
    session,
    request: Request,
    principal: Principal,
    crn: str | None = None,
    action: str = "read",
    *,
    crns: list[str] | None = None,
) -> None:
    await record_access(
        session,
        PLATFORM.audit_log,
        principal,
        crn=crn,
        crns=crns,
        action=action,
        resource=request.url.path,
        reason=access_reason(request),
    )


async def respond(
    session, request: Request, principal: Principal, ctx: lifecycle.ReferralContext, action: str, status_code: int = 200
):
    """The referral, rendered for the caller, with an audit row (every referral response holds personal data)."""
    await audit(session, request, principal, ctx.referral.crn, action)
    return redacted_response(
        await referral_out(session, ctx), await audience_for(session, principal, ctx.referral.crn), status_code
    )


@router.post("", status_code=201, response_model=ReferralOut)
async def create_referral(
    body: NewReferral, request: Request, session: Session, principal: Principal = require_roles(*PROBATION)
):
    access_reason(request)
    await lifecycle.enforce_limited_access(session, principal, body.crn)
    referral = await lifecycle.create_draft(
        session, principal, body.model_dump(), request.app.state.settings.risk_summary_max_age_days
    )
    await lifecycle.flush(session)
    return await respond(
        session, request, principal, await lifecycle.load(session, principal, referral.id), "create", 201
    )


@router.get("", response_model=list[ReferralSummary])
async def list_referrals(
    request: Request,
    session: Session,
    crn: str | None = Query(default=None, pattern=r"^[A-Z][0-9]{6}$"),
    limit: int = Query(default=50, ge=1, le=200),
    offset: int = Query(default=0, ge=0, le=100_000),
    principal: Principal = require_roles(*READERS),
):
    rows = await lifecycle.referral_page(session, principal, crn, limit, offset)
    await audit(session, request, principal, action="list", crns=[row.crn for row in rows])
    return redacted_rows_response(ReferralSummary, [_summary(row) for row in rows], principal.roles)


def _summary(row) -> dict:
    """One list entry, as the fields of a `ReferralSummary`; the person's name is IDENTITY, rendered by the
    policy like any other field."""
    # Unpacked by position (the page query's column order): much cheaper than a row attribute per field.
    rid, reference, crn, contract_reference, status, outcome, sent_at, assigned_to, first_name, last_name = row
    return {
        "id": rid,
        "reference": reference,
        "crn": crn,
        "contract_reference": contract_reference,
        "status": status,
        "outcome": outcome,
        "sent_at": as_utc(sent_at),
        "assigned_to": assigned_to,
        "person_name": " ".join(p for p in (first_name, last_name) if p) or None,
    }


@router.get("/{referral_id}", response_model=ReferralOut)
async def read_referral(
    referral_id: KeyPath, request: Request, session: Session, principal: Principal = require_roles(*READERS)
):
    ctx = await lifecycle.load(session, principal, referral_id)
    return await respond(session, request, principal, ctx, "read")


@router.patch("/{referral_id}", response_model=ReferralOut)
async def amend_referral(
    referral_id: KeyPath,
    body: Amend,
    request: Request,
    session: Session,
    principal: Principal = require_roles(*PROBATION),
):
    access_reason(request)
    ctx = await lifecycle.load(session, principal, referral_id, for_update=True)
    changes = body.model_dump(exclude_unset=True, exclude={"reason"})
    await lifecycle.amend(session, principal, ctx, changes, body.reason)
    return await respond(session, request, principal, ctx, "amend")


@router.post("/{referral_id}/send", response_model=ReferralOut)
async def send_referral(
    referral_id: KeyPath,
    request: Request,
    session: Session,
    body: SendReferral | None = None,
    principal: Principal = require_roles(*PROBATION),
):
    access_reason(request)
    ctx = await lifecycle.load(session, principal, referral_id, for_update=True)
    settings = request.app.state.settings
    await lifecycle.send(
        session, principal, ctx, body.over_cap_reason if body else None, settings.risk_summary_max_age_days
    )
    return await respond(session, request, principal, ctx, "send")


@router.post("/{referral_id}/assign", response_model=ReferralOut)
async def assign_referral(
    referral_id: KeyPath,
    request: Request,
    session: Session,
    body: Assign | None = None,
    principal: Principal = require_roles(*PROVIDER),
):
    access_reason(request)
    ctx = await lifecycle.load(session, principal, referral_id, for_update=True)
    await lifecycle.assign(session, principal, ctx, body.caseworker if body else None)
    return await respond(session, request, principal, ctx, "assign")


@router.post("/{referral_id}/withdraw", response_model=ReferralOut)
async def withdraw_referral(
    referral_id: KeyPath,
    body: Withdraw,
    request: Request,
    session: Session,
    principal: Principal = require_roles(*PROBATION),
):
    access_reason(request)
    ctx = await lifecycle.load(session, principal, referral_id, for_update=True)
    await lifecycle.withdraw(session, principal, ctx, body.code, body.comments)
    return await respond(session, request, principal, ctx, "withdraw")


@router.get("/{referral_id}/amendments", response_model=list[AmendmentOut])
async def list_amendments(
    referral_id: KeyPath, request: Request, session: Session, principal: Principal = require_roles(*READERS)
):
    ctx = await lifecycle.load(session, principal, referral_id)
    await audit(session, request, principal, ctx.referral.crn)
    return redacted_response(
        [AmendmentOut.model_validate(a) for a in await lifecycle.amendments(session, ctx)], principal.roles
    )


@router.get("/{referral_id}/assignments", response_model=list[AssignmentOut])
async def list_assignments(
    referral_id: KeyPath, request: Request, session: Session, principal: Principal = require_roles(*READERS)
):
    """Every assignment of the referral, oldest first."""
    ctx = await lifecycle.load(session, principal, referral_id)
    await audit(session, request, principal, ctx.referral.crn)
    return redacted_response(
        [AssignmentOut.model_validate(a) for a in await lifecycle.assignments(session, ctx)], principal.roles
    )


@router.get("/{referral_id}/provider-view-history", response_model=list[ViewHistoryOut])
async def view_history(
    referral_id: KeyPath, request: Request, session: Session, principal: Principal = require_roles(*READERS)
):
    ctx = await lifecycle.load(session, principal, referral_id)
    await audit(session, request, principal, ctx.referral.crn)
    history = [
        ViewHistoryOut(version=h.version, reason=h.reason, changed=h.changed, recorded_at=h.recorded_at, view=view)
        for h in await lifecycle.view_history(session, ctx)
        if (view := stored_view(h.view)) is not None
    ]
    return redacted_response(history, await audience_for(session, principal, ctx.referral.crn))


# --- appointments -------------------------------------------------------------------------------


@router.get("/{referral_id}/appointments", response_model=list[AppointmentOut])
async def list_appointments(
    referral_id: KeyPath, request: Request, session: Session, principal: Principal = require_roles(*READERS)
):
    ctx = await lifecycle.load(session, principal, referral_id)
    await audit(session, request, principal, ctx.referral.crn)
    return redacted_response(
        [AppointmentOut.model_validate(a) for a in await lifecycle.appointments(session, ctx)], principal.roles
    )


@router.post("/{referral_id}/appointments", status_code=201, response_model=AppointmentOut)
async def schedule_appointment(
    referral_id: KeyPath,
    body: NewAppointment,
    request: Request,
    session: Session,
    principal: Principal = require_roles(*PROVIDER),
):
    access_reason(request)
    ctx = await lifecycle.load(session, principal, referral_id, for_update=True)
    appointment = await lifecycle.schedule(
        session, principal, ctx, body.kind, body.session_number, body.scheduled_at, body.duration_minutes
    )
    await lifecycle.flush(session)
    await audit(session, request, principal, ctx.referral.crn, "schedule-appointment")
    return redacted_response(AppointmentOut.model_validate(appointment), principal.roles, 201)


@router.post("/{referral_id}/appointments/{appointment_id}/attendance", response_model=AppointmentOut)
async def record_attendance(
    referral_id: KeyPath,
    appointment_id: KeyPath,
    body: Attendance,
    request: Request,
    session: Session,
    principal: Principal = require_roles(*PROVIDER),
):
    access_reason(request)
    ctx = await lifecycle.load(session, principal, referral_id, for_update=True)
    appointment = await lifecycle.record_attendance(
        session, principal, ctx, appointment_id, body.attendance, body.notes
    )
    await audit(session, request, principal, ctx.referral.crn, "record-attendance")
    return redacted_response(AppointmentOut.model_validate(appointment), principal.roles)


@router.post("/{referral_id}/appointments/{appointment_id}/feedback", response_model=AppointmentOut)
async def submit_feedback(
    referral_id: KeyPath,
    appointment_id: KeyPath,
    body: Feedback,
    request: Request,
    session: Session,
    principal: Principal = require_roles(*PROVIDER),
):
    access_reason(request)
    ctx = await lifecycle.load(session, principal, referral_id, for_update=True)
    appointment = await lifecycle.submit_feedback(session, principal, ctx, appointment_id, body.model_dump())
    await audit(session, request, principal, ctx.referral.crn, "submit-feedback")
    return redacted_response(AppointmentOut.model_validate(appointment), principal.roles)


# --- action plans and end of service report ------------------------------------------------------


@router.get("/{referral_id}/action-plans", response_model=list[ActionPlanOut])
async def list_action_plans(
    referral_id: KeyPath, request: Request, session: Session, principal: Principal = require_roles(*READERS)
):
    ctx = await lifecycle.load(session, principal, referral_id)
    await audit(session, request, principal, ctx.referral.crn)
    return redacted_response(
        [ActionPlanOut.model_validate(p) for p in await lifecycle.action_plans(session, ctx)], principal.roles
    )


@router.post("/{referral_id}/action-plans", status_code=201, response_model=ActionPlanOut)
async def submit_action_plan(
    referral_id: KeyPath,
    body: NewActionPlan,
    request: Request,
    session: Session,
    principal: Principal = require_roles(*PROVIDER),
):
    access_reason(request)
    ctx = await lifecycle.load(session, principal, referral_id, for_update=True)
    plan = await lifecycle.submit_action_plan(session, principal, ctx, body.number_of_sessions, body.activities)
    await lifecycle.flush(session)
    await audit(session, request, principal, ctx.referral.crn, "submit-action-plan")
    return redacted_response(ActionPlanOut.model_validate(plan), principal.roles, 201)


@router.post("/{referral_id}/action-plans/{plan_id}/approve", response_model=ActionPlanOut)
async def approve_action_plan(
    referral_id: KeyPath,
    plan_id: KeyPath,
    request: Request,
    session: Session,
    principal: Principal = require_roles(*PROBATION),
):
    access_reason(request)
    ctx = await lifecycle.load(session, principal, referral_id, for_update=True)
    plan = await lifecycle.approve_action_plan(session, principal, ctx, plan_id)
    await audit(session, request, principal, ctx.referral.crn, "approve-action-plan")
    return redacted_response(ActionPlanOut.model_validate(plan), principal.roles)


@router.post("/{referral_id}/end-of-service-report", response_model=ReferralOut)
async def submit_end_of_service_report(
    referral_id: KeyPath,
    body: EndOfServiceReportIn,
    request: Request,
    session: Session,
    principal: Principal = require_roles(*PROVIDER),
):
    access_reason(request)
    ctx = await lifecycle.load(session, principal, referral_id, for_update=True)
    await lifecycle.submit_end_of_service_report(
        session, principal, ctx, [o.model_dump() for o in body.outcomes], body.further_information
    )
    await lifecycle.flush(session)
    return await respond(session, request, principal, ctx, "end-of-service-report")


# --- provider updates ---------------------------------------------------------------------------


@router.post("/{referral_id}/updates", status_code=201, response_model=UpdateOut)
async def post_update(
    referral_id: KeyPath,
    body: NewUpdate,
    request: Request,
    session: Session,
    principal: Principal = require_roles(*PROVIDER),
):
    access_reason(request)
    ctx = await lifecycle.load(session, principal, referral_id)
    update = await sharing.post_update(session, principal, ctx, Category(body.category), body.text)
    await audit(session, request, principal, ctx.referral.crn, "post-update")
    return redacted_response(UpdateOut.model_validate(update), principal.roles, 201)


# --- preview ------------------------------------------------------------------------------------


@router.get("/{referral_id}/preview", response_model=PreviewOut)
async def preview(
    referral_id: KeyPath,
    request: Request,
    session: Session,
    provider: str | None = Query(default=None, max_length=50, pattern=r"^[a-z0-9-]*$"),
    audience: str | None = Query(default=None, pattern="^(police|auditor)$"),
    principal: Principal = require_roles(*PROBATION_READERS),
):
    """What a named provider (or the police partner, or an auditor) would be shown of this referral and of
    a notification built now, with each withheld field and why. Probation staff only."""
    if (provider is None) == (audience is None):
        raise Problem(400, "preview-audience", "Name exactly one of provider=<provider id> or audience=police|auditor.")
    ctx = await lifecycle.load(session, principal, referral_id)
    await audit(session, request, principal, ctx.referral.crn, "preview")
    out = await referral_out(session, ctx)
    if provider is not None:
        result = await previews.for_provider(session, ctx, out, provider)
    else:
        result = previews.for_role(ctx, out, Role.POLICE_PARTNER if audience == "police" else Role.AUDITOR)
    return redacted_response(result, principal.roles)
