"""The referral lifecycle: draft → sent → assigned → initial assessment → action plan → sessions →
end of service report → concluded; withdrawal and amendments. Access is checked here for every action."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from probation_shared import clock
from probation_shared.auth import Principal
from probation_shared.http import service_http
from probation_shared.limited_access import VISIBLE, access_verdict
from probation_shared.limited_access_client import enforce_for_staff

from ..db import queries as q
from ..db.models import (
    ActionPlan,
    Amendment,
    Appointment,
    Assignment,
    Contract,
    EndOfServiceReport,
    ProviderViewHistory,
    Referral,
)
from ..domain import lifecycle, rules
from ..domain.codes import ACTIVE, ATTENDED, NOT_COUNTED_AGAINST_CAP, WITHDRAWAL_CODES, Status
from ..domain.errors import DomainError, field_error, not_found
from ..domain.lifecycle import Action, PlanAction, PlanStatus
from ..domain.views import build_view
from ..events.publish import referral_event
from .access import PROBATION, PROBATION_READERS, can_see_referral, provider_can_see_referral
from .projection import fill_from_upstream

REFERENCE_ATTEMPTS = 20
SENTENCE_SOURCE = "case-allocation"  # the author of an amendment made by a sentence change
# Free text written by probation staff on a referral that its provider reads (the referral, its
# amendments and notifications): checked against the person's victim records when written.
PROVIDER_TEXT_FIELDS = ("desired_outcomes", "needs", "expected_release_missing_reason")


@dataclass
class ReferralContext:
    referral: Referral
    contract: Contract
    providers: list[str]  # prime first, then subcontractors


async def load(
    session: AsyncSession, principal: Principal, referral_id: str, *, for_update: bool = False
) -> ReferralContext:
    """The referral if the caller may know it exists; 404 otherwise (never reveal existence)."""
    referral = await q.get_referral(session, referral_id, for_update=for_update)
    if referral is None:
        raise not_found("referral")
    contract = await q.contract_of(session, referral.contract_reference)
    providers = await q.contract_providers(session, contract)
    if not can_see_referral(principal, referral.status, contract.reference, providers):
        raise not_found("referral")
    await enforce_limited_access(session, principal, referral.crn)
    if for_update and principal.is_provider and principal.provider_id in providers:
        # Each provider's caseworkers, as their tokens name them when they act on a referral (reads run on a
        # read-only session): a referral is only (re-)assigned to one of the assigning provider's own.
        await q.note_caseworker(session, principal.subject, principal.provider_id, clock.now())
    return ReferralContext(referral, contract, providers)


async def enforce_limited_access(session: AsyncSession, principal: Principal, crn: str) -> None:
    """Probation staff see a referral only where case-allocation's limited-access rules let them."""
    await enforce_for_staff(
        session, principal, f"{service_http(session).settings.case_allocation_url}/people/{crn}/limited-access"
    )


def require_provider(principal: Principal, ctx: ReferralContext) -> None:
    """Provider-side actions: only a caseworker holding the contract (probation staff get 403)."""
    if not provider_can_see_referral(principal, ctx.referral.status, ctx.contract.reference, ctx.providers):
        raise DomainError("forbidden", "Only the provider delivering this referral can do this.", status=403)


def require_probation(principal: Principal) -> None:
    if not principal.has(*PROBATION):
        raise DomainError("forbidden", "Only probation staff can do this.", status=403)


async def _event(
    session: AsyncSession,
    ctx: ReferralContext,
    event_type: str,
    *,
    notify: bool = True,
    extra: dict[str, Any] | None = None,
    payload: dict[str, Any] | None = None,
) -> None:
    await referral_event(
        session,
        event_type,
        ctx.referral,
        prime_provider_id=ctx.contract.prime_provider_id,
        notify=ctx.providers if notify else (),
        extra=extra,
        payload=payload,
    )


# --- draft and send -----------------------------------------------------------------------------


async def create_draft(
    session: AsyncSession, principal: Principal, data: dict[str, Any], policy_max_age: int
) -> Referral:
    require_probation(principal)
    rules.check_risk_summary_max_age(data.get("risk_summary_max_age_days"), policy_max_age)
    intervention = await q.get_intervention(session, data["intervention_id"])
    if intervention is None:
        raise DomainError(
            "unknown-intervention", "No such intervention.", [field_error("intervention_id", "unknown")], status=422
        )
    contract = await q.contract_of(session, intervention.contract_reference)
    await check_provider_text(session, data["crn"], {k: data.get(k) for k in PROVIDER_TEXT_FIELDS})
    today = clock.now().date()
    if contract.referral_end_date < today:
        raise DomainError("contract-expired", f"Contract {contract.reference} no longer takes referrals.", status=410)
    referral = Referral(
        id=str(uuid.uuid4()),
        crn=data["crn"],
        intervention_id=intervention.id,
        contract_reference=contract.reference,
        status=Status.DRAFT,
        created_by=principal.subject,
        created_at=clock.now(),
        complexity_level=data.get("complexity_level"),
        desired_outcomes=list(data.get("desired_outcomes") or []),
        needs=list(data.get("needs") or []),
        completion_deadline=data.get("completion_deadline"),
        custody=bool(data.get("custody")),
        expected_release_date=data.get("expected_release_date"),
        expected_release_missing_reason=data.get("expected_release_missing_reason"),
        risk_summary_max_age_days=data.get("risk_summary_max_age_days") or 0,
        provider_view_version=0,
    )
    q.add(session, referral)
    return referral


async def send(
    session: AsyncSession, principal: Principal, ctx: ReferralContext, over_cap_reason: str | None, default_max_age: int
) -> Referral:
    require_probation(principal)
    referral, contract = ctx.referral, ctx.contract
    sent = lifecycle.transition(referral.status, Action.SEND)
    now = clock.now()
    if not rules.contract_open(contract.referral_start_date, contract.referral_end_date, now.date()):
        raise DomainError(
            "contract-closed", f"Contract {contract.reference} does not take referrals today.", status=410
        )
    if over_cap_reason and over_cap_reason.strip():
        await check_provider_text(session, referral.crn, {"over_cap_reason": over_cap_reason})
    max_age = rules.risk_summary_max_age(referral.risk_summary_max_age_days, default_max_age)
    person = await q.person_for_update(session, referral.crn)
    await fill_from_upstream(session, person, now, max_age)
    facts = rules.SendFacts(
        custody=referral.custody or bool(person.custodial),
        expected_release_date=referral.expected_release_date,
        expected_release_missing_reason=referral.expected_release_missing_reason,
        first_name=person.first_name,
        last_name=person.last_name,
        date_of_birth=person.date_of_birth,
        address=person.address,
        practitioner=person.practitioner,
        risk_summary_at=person.risk_summary_at,
        has_risk_summary=person.risk_summary is not None or person.rosh_level is not None,
        risk_summary_max_age_days=max_age,
        desired_outcomes=referral.desired_outcomes,
    )
    missing = rules.missing_for_send(facts, now)
    if missing:
        fields = ", ".join(e["field"] for e in missing)
        raise DomainError(
            "referral-incomplete",
            f"The referral cannot be sent; missing: {fields}",
            [field_error(e["field"], e["message"]) for e in missing],
            status=422,
        )
    if person.date_of_birth is not None and not rules.eligible(
        contract.eligible_sex,
        contract.min_age,
        contract.max_age,
        person.sex,
        rules.age_on(person.date_of_birth, now.date()),
    ):
        raise DomainError(
            "not-eligible", f"The person is not eligible under contract {contract.reference}.", status=422
        )
    rules.check_volume_cap(
        await q.count_sent_on_contract(session, contract.reference, NOT_COUNTED_AGAINST_CAP),
        contract.volume_cap,
        over_cap_reason,
    )
    referral.reference = await _unique_reference(session)
    referral.status = sent
    referral.sent_at, referral.sent_by = now, principal.subject
    referral.custody = facts.custody
    referral.risk_summary_max_age_days = max_age
    referral.over_cap_reason = over_cap_reason if over_cap_reason and over_cap_reason.strip() else None
    view = build_view(person)
    referral.provider_view, referral.provider_view_version, referral.provider_view_updated_at = view, 1, now
    q.add(
        session,
        ProviderViewHistory(
            referral_id=referral.id,
            version=1,
            reason="intervention.referral.sent",
            changed=list(view),
            view=view,
            recorded_at=now,
        ),
    )
    await q.flush(session)
    await _event(
        session, ctx, "intervention.referral.sent", payload={"view": view, "referral": _referral_details(referral)}
    )
    return referral


def _referral_details(referral: Referral) -> dict[str, Any]:
    return {
        "complexityLevel": referral.complexity_level,
        "desiredOutcomes": referral.desired_outcomes,
        "needs": referral.needs,
        "completionDeadline": referral.completion_deadline,
        "expectedReleaseDate": referral.expected_release_date,
    }


async def _unique_reference(session: AsyncSession) -> str:
    for _ in range(REFERENCE_ATTEMPTS):
        reference = rules.new_reference()
        if not await q.reference_taken(session, reference):
            return reference
    raise DomainError("reference-exhausted", "Could not allocate a referral reference; try again.", status=503)


# --- assignment ---------------------------------------------------------------------------------


async def assign(session: AsyncSession, principal: Principal, ctx: ReferralContext, caseworker: str | None) -> Referral:
    """Assign (or re-assign) the referral to a caseworker of the caller's own provider; each assignment is
    kept (who, when, from whom, to whom). A caseworker not known for that provider is refused (422)."""
    require_provider(principal, ctx)
    referral = ctx.referral
    assigned = lifecycle.transition(referral.status, Action.ASSIGN)
    target = caseworker or principal.subject
    if target != principal.subject and principal.provider_id not in await q.caseworker_providers(session, target):
        raise DomainError(
            "caseworker-not-with-provider",
            f"{target} is not a known caseworker of {principal.provider_id}.",
            [field_error("caseworker", f"not a caseworker of {principal.provider_id}")],
            status=422,
        )
    now = clock.now()
    previous = referral.assigned_to
    referral.assigned_to, referral.assigned_at, referral.status = target, now, assigned
    q.add(
        session,
        Assignment(
            referral_id=referral.id,
            provider_id=principal.provider_id,
            assigned_from=previous,
            assigned_to=target,
            assigned_by=principal.subject,
            assigned_at=now,
        ),
    )
    await _event(session, ctx, "intervention.referral.assigned", extra={"assignedTo": referral.assigned_to})
    return referral


async def assignments(session: AsyncSession, ctx: ReferralContext) -> list[Assignment]:
    return await q.assignments(session, ctx.referral.id)


# --- amendments ---------------------------------------------------------------------------------


def _json_value(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


async def amend(
    session: AsyncSession, principal: Principal, ctx: ReferralContext, changes: dict[str, Any], reason: str | None
) -> list[Amendment]:
    require_probation(principal)
    referral = ctx.referral
    plans = await q.action_plans(session, referral.id)
    changes = {k: v for k, v in changes.items() if getattr(referral, k) != v}
    rules.check_amendment(referral.status, changes, any(p.status == PlanStatus.APPROVED for p in plans), reason)
    if referral.status != Status.DRAFT and "desired_outcomes" in changes and not changes["desired_outcomes"]:
        # A sent referral was sent because it had outcomes to work towards; it never loses them all.
        raise DomainError(
            "desired-outcomes-required",
            "A sent referral keeps at least one desired outcome.",
            [field_error("desired_outcomes", "must not be empty")],
        )
    await check_provider_text(
        session, referral.crn, {k: v for k, v in changes.items() if k in PROVIDER_TEXT_FIELDS} | {"reason": reason}
    )
    now = clock.now()
    recorded = []
    for name, value in changes.items():
        old = getattr(referral, name)
        setattr(referral, name, value)
        if referral.status != Status.DRAFT.value:
            recorded.append(
                Amendment(
                    referral_id=referral.id,
                    field=name,
                    old_value=_json_value(old),
                    new_value=_json_value(value),
                    reason=reason,
                    author=principal.subject,
                    amended_at=now,
                )
            )
    if recorded:
        q.add(session, *recorded)
        await _event(
            session,
            ctx,
            "intervention.referral.amended",
            extra={"fields": sorted(changes), "assignedTo": referral.assigned_to},
            payload={
                "amendments": [
                    {"field": a.field, "old": a.old_value, "new": a.new_value, "reason": a.reason} for a in recorded
                ]
            },
        )
    return recorded


async def release_date_changed(session: AsyncSession, crn: str, release_date: date, source_event: str) -> int:
    """case-allocation amended the sentence: each active custody referral of the person whose expected
    release date differs takes the new date, recorded as an amendment (author case-allocation, the event
    as the reason) and notified like one. Returns the number of referrals changed."""
    changed = 0
    for referral in await q.referrals_for_person(session, crn, ACTIVE):
        if not referral.custody or referral.expected_release_date == release_date:
            continue
        contract = await q.get_contract(session, referral.contract_reference)
        if contract is None:  # a referral's contract is a foreign key: never absent
            continue
        ctx = ReferralContext(referral, contract, await q.contract_providers(session, contract))
        old, referral.expected_release_date = referral.expected_release_date, release_date
        amendment = Amendment(
            referral_id=referral.id,
            field="expected_release_date",
            old_value=_json_value(old),
            new_value=release_date.isoformat(),
            reason=source_event,
            author=SENTENCE_SOURCE,
            amended_at=clock.now(),
        )
        q.add(session, amendment)
        await _event(
            session,
            ctx,
            "intervention.referral.amended",
            extra={"fields": ["expected_release_date"], "assignedTo": referral.assigned_to},
            payload={
                "amendments": [
                    {
                        "field": "expected_release_date",
                        "old": amendment.old_value,
                        "new": amendment.new_value,
                        "reason": source_event,
                    }
                ]
            },
        )
        changed += 1
    return changed


# --- withdrawal ---------------------------------------------------------------------------------


async def withdraw(
    session: AsyncSession, principal: Principal, ctx: ReferralContext, code: str, comments: str | None
) -> Referral:
    require_probation(principal)
    referral = ctx.referral
    sessions = [a for a in await q.appointments(session, referral.id) if a.kind == "SESSION" and not a.superseded]
    attended = lifecycle.attended_sessions((a.session_number, a.attendance) for a in sessions)
    plan = _approved(await q.action_plans(session, referral.id))
    if referral.status == Status.DRAFT:
        raise lifecycle.refusal(referral.status, lifecycle.withdrawal(attended))
    result = rules.withdraw(referral.status, code, attended, plan.number_of_sessions if plan else None)
    now = clock.now()
    referral.withdrawal_code, referral.withdrawal_comments, referral.withdrawn_at = code, comments, now
    referral.status, referral.outcome, referral.ended_at = result.status, result.outcome.value, now
    extra = {"withdrawalCode": code, "withdrawalReason": WITHDRAWAL_CODES[code]}
    await _event(session, ctx, "intervention.referral.withdrawn", extra=extra, payload={"withdrawal": extra})
    await _event(
        session,
        ctx,
        "intervention.referral.ended",
        extra={"outcome": result.outcome.value, "awaitingEndOfServiceReport": result.awaiting_end_of_service_report},
    )
    if result.status is Status.CONCLUDED:
        referral.concluded_at = now
        await _event(session, ctx, "intervention.referral.concluded", extra={"outcome": result.outcome.value})
    return referral


def _approved(plans: list[ActionPlan]) -> ActionPlan | None:
    return next((p for p in reversed(plans) if p.status == PlanStatus.APPROVED), None)


def awaiting_end_of_service_report(referral: Referral, has_report: bool) -> bool:
    return referral.status == Status.ENDED.value and not has_report


# --- appointments -------------------------------------------------------------------------------


def _require_delivering(ctx: ReferralContext) -> None:
    lifecycle.transition(ctx.referral.status, Action.DELIVER)


async def schedule(
    session: AsyncSession,
    principal: Principal,
    ctx: ReferralContext,
    kind: str,
    session_number: int | None,
    scheduled_at: datetime,
    duration_minutes: int,
) -> Appointment:
    require_provider(principal, ctx)
    _require_delivering(ctx)
    referral = ctx.referral
    existing = [a for a in await q.appointments(session, referral.id) if a.kind == kind and not a.superseded]
    if kind == "SESSION":
        plan = _approved(await q.action_plans(session, referral.id))
        if plan is None:
            raise DomainError("no-approved-action-plan", "Sessions follow an approved action plan.", status=409)
        if session_number is None or not 1 <= session_number <= plan.number_of_sessions:
            raise DomainError(
                "session-out-of-plan",
                f"The approved plan has sessions 1 to {plan.number_of_sessions}.",
                [field_error("session_number", f"between 1 and {plan.number_of_sessions}")],
                status=422,
            )
        existing = [a for a in existing if a.session_number == session_number]
    else:
        session_number = None
    current = existing[-1] if existing else None
    if current is not None and current.attendance is None:
        current.scheduled_at, current.duration_minutes = scheduled_at, duration_minutes  # reschedule
        return current
    if current is not None and current.attendance in ATTENDED:
        rules.check_reschedule(current.attendance)
    appointment = Appointment(
        id=str(uuid.uuid4()),
        referral_id=referral.id,
        kind=kind,
        session_number=session_number,
        scheduled_at=scheduled_at,
        duration_minutes=duration_minutes,
        superseded=False,
    )
    q.add(session, appointment)
    return appointment


async def record_attendance(
    session: AsyncSession,
    principal: Principal,
    ctx: ReferralContext,
    appointment_id: str,
    attendance: str,
    notes: str | None,
) -> Appointment:
    require_provider(principal, ctx)
    _require_delivering(ctx)
    appointment = await _appointment(session, ctx, appointment_id)
    now = clock.now()
    rules.check_attendance(appointment.scheduled_at, appointment.attendance is not None, now)
    appointment.attendance, appointment.attendance_notes, appointment.attendance_recorded_at = attendance, notes, now
    event_type = (
        "intervention.session-appointment.attended"
        if attendance in ATTENDED
        else "intervention.session-appointment.missed"
    )
    await _event(session, ctx, event_type, extra=_appointment_info(appointment))
    return appointment


async def submit_feedback(
    session: AsyncSession, principal: Principal, ctx: ReferralContext, appointment_id: str, feedback: dict[str, Any]
) -> Appointment:
    require_provider(principal, ctx)
    lifecycle.transition(ctx.referral.status, Action.FEEDBACK)
    appointment = await _appointment(session, ctx, appointment_id)
    rules.check_feedback(appointment.attendance, appointment.feedback is not None)
    appointment.feedback, appointment.feedback_at = feedback, clock.now()
    await _event(
        session,
        ctx,
        "intervention.session-appointment.session-feedback-submitted",
        extra=_appointment_info(appointment),
    )
    return appointment


def _appointment_info(appointment: Appointment) -> dict[str, Any]:
    return {
        "appointmentId": appointment.id,
        "appointmentKind": appointment.kind,
        "sessionNumber": appointment.session_number,
        "attendance": appointment.attendance,
    }


async def _appointment(session: AsyncSession, ctx: ReferralContext, appointment_id: str) -> Appointment:
    appointment = await q.get_appointment(session, ctx.referral.id, appointment_id)
    if appointment is None:
        raise not_found("appointment")
    return appointment


# --- action plans -------------------------------------------------------------------------------


async def submit_action_plan(
    session: AsyncSession, principal: Principal, ctx: ReferralContext, number_of_sessions: int, activities: list[str]
) -> ActionPlan:
    require_provider(principal, ctx)
    _require_delivering(ctx)
    referral = ctx.referral
    assessments = [
        (a.attendance, a.feedback is not None)
        for a in await q.appointments(session, referral.id)
        if a.kind == "INITIAL_ASSESSMENT"
    ]
    plans = await q.action_plans(session, referral.id)
    approved = _approved(plans)
    rules.check_action_plan(assessments, approved.number_of_sessions if approved else None, number_of_sessions)
    for plan in plans:
        if plan.status == PlanStatus.SUBMITTED:
            plan.status = lifecycle.plan_transition(plan.status, PlanAction.SUPERSEDE)
    plan = ActionPlan(
        id=str(uuid.uuid4()),
        referral_id=referral.id,
        number_of_sessions=number_of_sessions,
        activities=activities,
        status=PlanStatus.SUBMITTED,
        submitted_by=principal.subject,
        submitted_at=clock.now(),
    )
    q.add(session, plan)
    await _event(
        session,
        ctx,
        "intervention.action-plan.submitted",
        notify=False,
        extra={"actionPlanId": plan.id, "numberOfSessions": number_of_sessions},
    )
    return plan


async def approve_action_plan(
    session: AsyncSession, principal: Principal, ctx: ReferralContext, plan_id: str
) -> ActionPlan:
    require_probation(principal)
    plan = await q.get_action_plan(session, ctx.referral.id, plan_id)
    if plan is None:
        raise not_found("action plan")
    lifecycle.transition(ctx.referral.status, Action.APPROVE_PLAN)
    approved = lifecycle.plan_transition(plan.status, PlanAction.APPROVE)
    for other in await q.action_plans(session, ctx.referral.id):
        if other.status == PlanStatus.APPROVED:
            other.status = lifecycle.plan_transition(other.status, PlanAction.SUPERSEDE)
    plan.status, plan.approved_by, plan.approved_at = approved, principal.subject, clock.now()
    await _event(
        session,
        ctx,
        "intervention.action-plan.approved",
        extra={"actionPlanId": plan.id, "numberOfSessions": plan.number_of_sessions},
    )
    return plan


# --- end of service report ----------------------------------------------------------------------


async def submit_end_of_service_report(
    session: AsyncSession,
    principal: Principal,
    ctx: ReferralContext,
    outcomes: list[dict[str, Any]],
    further_information: str | None,
) -> EndOfServiceReport:
    require_provider(principal, ctx)
    referral = ctx.referral
    if await q.end_of_service_report(session, referral.id) is not None:
        raise DomainError(
            "report-already-submitted", "The end of service report has already been submitted.", status=409
        )
    concluded = lifecycle.transition(referral.status, Action.SUBMIT_END_OF_SERVICE_REPORT)
    if referral.status == Status.ASSIGNED:
        plan = _approved(await q.action_plans(session, referral.id))
        sessions = [a for a in await q.appointments(session, referral.id) if a.kind == "SESSION" and not a.superseded]
        delivered = {a.session_number for a in sessions if a.attendance is not None and a.feedback is not None}
        if plan is None or len(delivered) < plan.number_of_sessions:
            raise DomainError(
                "sessions-outstanding",
                "Every planned session needs attendance and feedback before the report.",
                status=409,
            )
        # Held or missed, every session is recorded; only the attended ones were delivered.
        attended = lifecycle.attended_sessions((a.session_number, a.attendance) for a in sessions)
        referral.outcome = lifecycle.report_outcome(attended, plan.number_of_sessions).value
    rules.check_end_of_service_report(referral.desired_outcomes, outcomes)
    now = clock.now()
    report = EndOfServiceReport(
        referral_id=referral.id,
        outcomes=outcomes,
        further_information=further_information,
        submitted_by=principal.subject,
        submitted_at=now,
    )
    q.add(session, report)
    referral.status, referral.concluded_at = concluded, now
    referral.ended_at = referral.ended_at or now
    await _event(session, ctx, "intervention.end-of-service-report.submitted", notify=False)
    await _event(session, ctx, "intervention.referral.concluded", extra={"outcome": referral.outcome})
    return report


# --- reads for the API (the API reaches the database only through workflows) ---------------------


async def flush(session: AsyncSession) -> None:
    await q.flush(session)


async def has_end_of_service_report(session: AsyncSession, ctx: ReferralContext) -> bool:
    return await q.end_of_service_report(session, ctx.referral.id) is not None


async def health_consented(session: AsyncSession, crn: str, provider_id: str | None) -> bool:
    return await q.health_consented(session, crn, provider_id)


async def amendments(session: AsyncSession, ctx: ReferralContext) -> list[Amendment]:
    return await q.amendments(session, ctx.referral.id)


async def view_history(session: AsyncSession, ctx: ReferralContext) -> list[ProviderViewHistory]:
    return await q.view_history(session, ctx.referral.id)


async def appointments(session: AsyncSession, ctx: ReferralContext) -> list[Appointment]:
    return await q.appointments(session, ctx.referral.id)


async def action_plans(session: AsyncSession, ctx: ReferralContext) -> list[ActionPlan]:
    return await q.action_plans(session, ctx.referral.id)


# --- limited access for lists -------------------------------------------------------------------


async def referral_page(
    session: AsyncSession, principal: Principal, crn: str | None, limit: int, offset: int
) -> list[Any]:
    """One page of referral summaries as far as the caller may see them: probation staff see every referral
    of the people their limited-access rules allow; a provider caseworker sees the sent referrals on the
    contracts their token holds, for their own organisation."""
    if principal.has(*PROBATION_READERS):
        if crn:
            await enforce_limited_access(session, principal, crn)
        rows = await q.referral_page(session, crn=crn, limit=limit, offset=offset)
        # A page lists only the people the caller may see (limited access: restricted or excluded people
        # are left out, so a page may hold fewer than `limit` rows).
        visible = await visible_to_staff(session, principal, [row.crn for row in rows])
        return [row for row in rows if row.crn in visible]
    refs = sorted(principal.contract_refs)
    if not (refs and principal.provider_id):
        return []
    return list(
        await q.referral_page(
            session,
            contract_refs=refs,
            provider_id=principal.provider_id,
            crn=crn,
            exclude_drafts=True,
            limit=limit,
            offset=offset,
        )
    )


async def visible_to_staff(session: AsyncSession, principal: Principal, crns: list[str]) -> set[str]:
    """Of `crns`, the people this caller may be shown in a list: probation staff lose every person whose
    limited-access rules (case-allocation's) exclude them or restrict the case to others. Others: all."""
    if not principal.is_probation_staff:
        return set(crns)
    base = service_http(session).settings.case_allocation_url
    visible = set()
    for crn in dict.fromkeys(crns):
        found = await service_http(session).get_json(f"{base}/people/{crn}/limited-access")
        limits = [(row["kind"], row["staff_code"]) for row in (found or {}).get("limits", [])]
        if access_verdict(principal.staff_code, False, limits) == VISIBLE:
            visible.add(crn)
    return visible


# --- provider-bound free text -------------------------------------------------------------------


async def check_provider_text(session: AsyncSession, crn: str, texts: dict[str, str | list[str] | None]) -> None:
    """Free text written by probation staff that a provider will read is checked, when written, against
    the person's victim records (risk-assessment, service token). A match refuses the write (422, naming
    each field and what matched); nothing is cut out. If the check cannot be made, the write is refused
    too (503): unchecked text never reaches a provider."""
    flat: dict[str, str] = {}
    for name, value in texts.items():
        if isinstance(value, list):
            flat.update({f"{name}[{i}]": v for i, v in enumerate(value) if v and v.strip()})
        elif value and value.strip():
            flat[name] = value
    if not flat:
        return
    http = service_http(session)
    url = f"{http.settings.risk_assessment_url.rstrip('/')}/people/{crn}/provider-text-check"
    try:
        response = await http._client.post(
            url, json={"texts": flat}, headers={"Authorization": f"Bearer {http._service_token()}"}
        )
    except httpx.HTTPError as exc:
        raise _check_unavailable(f"{url} could not be reached: {exc!r}") from exc
    if response.status_code != 200:
        raise _check_unavailable(f"{url} answered {response.status_code}")
    try:
        matches = [m for m in response.json().get("matches", []) if isinstance(m, dict)]
    except (ValueError, AttributeError) as exc:
        raise _check_unavailable(f"{url} gave an answer that is not a list of matches") from exc
    if matches:
        errors = [
            {
                "field": str(m.get("field")),
                "kind": str(m.get("kind")),
                "matched": str(m.get("matched")),
                "message": "names a victim",
            }
            for m in matches
        ]
        fields = ", ".join(dict.fromkeys(e["field"] for e in errors))
        raise VictimTextRefused(
            f"Text a provider would read names a victim ({fields}); rewrite it without victim details.", errors
        )


class VictimTextRefused(DomainError):
    """422: provider-bound text names a victim. Each error also says what kind of identifier matched and what
    matched."""

    def __init__(self, detail: str, matches: list[dict[str, str]]) -> None:
        super().__init__(
            "victim-identifier-in-provider-text",
            detail,
            [field_error(m["field"], m["message"], "names-a-victim") for m in matches],
            status=422,
        )
        self.matches = matches

    @property
    def errors(self) -> list[dict[str, str]]:
        return self.matches


def _check_unavailable(detail: str) -> DomainError:
    return DomainError(
        "provider-text-check-unavailable",
        f"Provider-bound text could not be checked against victim records: {detail}",
        status=503,
    )
