"""Lifecycle rules of a referral, as pure functions over plain values. They raise `DomainError` (the shared
framework-free error: a stable code, a status and the fields) and know nothing of HTTP frameworks or SQL."""

from __future__ import annotations

import random
import re
import string
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from probation_shared.clock import as_utc

from . import lifecycle
from .codes import ATTENDED, PCC_AREAS, WITHDRAWAL_CODES, Outcome, Status
from .errors import DomainError, field_error

REFERENCE_PATTERN = re.compile(r"^[A-Z]{2}[0-9]{4}[A-Z]{2}$")


def new_reference(rng: random.Random | None = None) -> str:
    """A referral reference like `AB1234AC`."""
    rng = rng or random.SystemRandom()
    letters = string.ascii_uppercase
    return (
        "".join(rng.choice(letters) for _ in range(2))
        + "".join(rng.choice(string.digits) for _ in range(4))
        + "".join(rng.choice(letters) for _ in range(2))
    )


def age_on(date_of_birth: date, on: date) -> int:
    return on.year - date_of_birth.year - ((on.month, on.day) < (date_of_birth.month, date_of_birth.day))


# --- search and eligibility ---------------------------------------------------------------------


@dataclass(frozen=True)
class AreaSearch:
    """Which contracts an area search finds: those let for one of `regions` as a whole, and those let for
    one of `pcc_areas`. A region search finds the PCC-area contracts within the region too; a PCC-area
    search finds the area's contracts and those let for its whole region (not the region's other areas)."""

    regions: tuple[str, ...]
    pcc_areas: tuple[str, ...]


def area_search(region: str | None, pcc_area: str | None) -> AreaSearch | None:
    if pcc_area is not None:
        if pcc_area not in PCC_AREAS:
            raise DomainError(
                "unknown-pcc-area",
                f"{pcc_area!r} is not a PCC area.",
                [field_error("pcc_area", "unknown PCC area")],
                status=400,
            )
        return AreaSearch((PCC_AREAS[pcc_area],), (pcc_area,))
    if region:
        return AreaSearch((region,), tuple(area for area, r in PCC_AREAS.items() if r == region))
    return None


def regions_for_search(region: str | None, pcc_area: str | None) -> list[str] | None:
    """The regions whose whole-region contracts an area search finds."""
    found = area_search(region, pcc_area)
    return list(found.regions) if found else None


def search_dates(on: date | None, today: date) -> tuple[date, date]:
    """(the day the contract must take referrals on, the day it must still be open on). A search `on` a past
    day finds what was open that day and still is: an expired contract never comes back into search."""
    return (on or today), max(on or today, today)


def eligible(eligible_sex: str, min_age: int | None, max_age: int | None, sex: str | None, age: int | None) -> bool:
    if sex is not None and eligible_sex != "ALL" and sex != eligible_sex:
        return False
    if age is not None and (min_age is not None and age < min_age or max_age is not None and age > max_age):
        return False
    return True


def contract_open(start: date, end: date, on: date) -> bool:
    return start <= on <= end


# --- sending ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SendFacts:
    custody: bool
    expected_release_date: date | None
    expected_release_missing_reason: str | None
    first_name: str | None
    last_name: str | None
    date_of_birth: date | None
    address: dict[str, Any] | None
    practitioner: dict[str, Any] | None
    risk_summary_at: datetime | None
    has_risk_summary: bool
    risk_summary_max_age_days: int
    desired_outcomes: Sequence[str]


def missing_for_send(facts: SendFacts, now: datetime) -> list[dict[str, str]]:
    """Everything a provider needs that the referral lacks; empty when it may be sent."""
    errors: list[dict[str, str]] = []
    if (
        facts.custody
        and facts.expected_release_date is None
        and not (facts.expected_release_missing_reason or "").strip()
    ):
        errors.append(
            {
                "field": "expected_release_date",
                "message": "a custody case needs an expected release date or expected_release_missing_reason",
            }
        )
    if not facts.first_name or not facts.last_name:
        errors.append({"field": "person.name", "message": "the person's name is not known"})
    if facts.date_of_birth is None:
        errors.append({"field": "person.date_of_birth", "message": "the person's date of birth is not known"})
    if not facts.address:
        errors.append({"field": "contact.address", "message": "the person's current address is not known"})
    if not facts.practitioner:
        errors.append({"field": "practitioner", "message": "the responsible practitioner is not known"})
    else:
        errors += missing_practitioner_contact(facts.practitioner)
    if not facts.has_risk_summary:
        errors.append({"field": "risk_summary", "message": "no risk summary is available"})
    else:
        as_of = as_utc(facts.risk_summary_at)
        if as_of is None or now - as_of > timedelta(days=facts.risk_summary_max_age_days):
            errors.append(
                {
                    "field": "risk_summary",
                    "message": f"the risk summary is older than {facts.risk_summary_max_age_days} days",
                }
            )
    if not facts.desired_outcomes:
        errors.append({"field": "desired_outcomes", "message": "at least one desired outcome is required"})
    return errors


# The provider contacts the responsible practitioner: as in the anchor, a referral is completed only with the
# practitioner's name, email address and phone number (a staff code alone, as an allocation event gives, is not
# enough).
PRACTITIONER_CONTACT = {"name": "name", "email": "email address", "phone": "phone number"}


def missing_practitioner_contact(practitioner: dict[str, Any] | None) -> list[dict[str, str]]:
    found = practitioner or {}
    return [
        {"field": f"practitioner.{key}", "message": f"the responsible practitioner's {label} is not known"}
        for key, label in PRACTITIONER_CONTACT.items()
        if not str(found.get(key) or "").strip()
    ]


def risk_summary_max_age(requested: int | None, policy: int) -> int:
    """The oldest risk summary a referral is sent with: platform policy; a referral may only ask for a
    fresher one (a larger number is refused where it is asked for, and never applied)."""
    return min(requested, policy) if requested else policy


def check_risk_summary_max_age(requested: int | None, policy: int) -> None:
    if requested is not None and requested > policy:
        raise DomainError(
            "risk-summary-age-above-policy",
            f"The risk summary age limit is platform policy ({policy} days); a referral may only ask for fresher.",
            [field_error("risk_summary_max_age_days", f"at most {policy}")],
            status=422,
        )


def check_volume_cap(sent_so_far: int, cap: int, override_reason: str | None) -> None:
    if sent_so_far >= cap and not (override_reason or "").strip():
        raise DomainError(
            "volume-cap-reached",
            f"The contract's volume cap of {cap} referrals is reached; send with over_cap_reason to override.",
            [field_error("over_cap_reason", "required once the volume cap is reached")],
            status=409,
        )


# --- withdrawal ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class WithdrawalResult:
    status: Status
    outcome: Outcome
    awaiting_end_of_service_report: bool


def withdraw(status: str, code: str, attended_sessions: int, planned_sessions: int | None) -> WithdrawalResult:
    if code not in WITHDRAWAL_CODES:
        raise DomainError(
            "unknown-withdrawal-code",
            f"{code!r} is not a withdrawal code.",
            [field_error("code", f"one of {', '.join(WITHDRAWAL_CODES)}")],
            status=400,
        )
    after = lifecycle.transition(status, lifecycle.withdrawal(attended_sessions))
    outcome = lifecycle.concluded_outcome(attended_sessions, planned_sessions)
    return WithdrawalResult(after, outcome, outcome is not Outcome.CANCELLED)


# --- appointments -------------------------------------------------------------------------------


def check_attendance(scheduled_at: datetime, already_recorded: bool, now: datetime) -> None:
    scheduled = as_utc(scheduled_at)
    if scheduled is not None and scheduled > now:
        raise DomainError(
            "appointment-in-future",
            "Attendance cannot be recorded for an appointment that has not happened yet.",
            status=400,
        )
    if already_recorded:
        raise DomainError(
            "attendance-already-recorded", "Attendance for this appointment is already recorded.", status=409
        )


def check_feedback(attendance: str | None, feedback_recorded: bool) -> None:
    if feedback_recorded:
        raise DomainError(
            "feedback-already-submitted", "Feedback for this appointment has already been submitted.", status=409
        )
    if attendance is None:
        raise DomainError(
            "attendance-required",
            "Record attendance before submitting feedback.",
            [field_error("attendance", "attendance must be recorded first")],
            status=422,
        )


def check_reschedule(attendance: str | None) -> None:
    if attendance is not None:
        raise DomainError(
            "appointment-already-held",
            "This appointment already has attendance recorded; schedule a new one.",
            status=409,
        )


# --- action plans -------------------------------------------------------------------------------


def check_action_plan(
    assessments: Iterable[tuple[str | None, bool]], approved_sessions: int | None, number_of_sessions: int
) -> None:
    """`assessments`: (attendance, feedback submitted) of each initial assessment appointment."""
    if not any(att in ATTENDED and fed for att, fed in assessments):
        raise DomainError(
            "initial-assessment-incomplete",
            "An action plan needs an attended initial assessment with feedback submitted.",
            status=409,
        )
    if approved_sessions is not None and number_of_sessions < approved_sessions:
        raise DomainError(
            "sessions-cannot-reduce",
            f"A new action plan cannot reduce the sessions below the approved {approved_sessions}.",
            [field_error("number_of_sessions", f"must be at least {approved_sessions}")],
            status=422,
        )


# --- amendments ---------------------------------------------------------------------------------

AMENDABLE = (
    "complexity_level",
    "desired_outcomes",
    "needs",
    "completion_deadline",
    "expected_release_date",
    "expected_release_missing_reason",
)
LOCKED_AFTER_PLAN_APPROVAL = frozenset({"complexity_level", "desired_outcomes"})


def check_amendment(status: str, fields: Iterable[str], plan_approved: bool, reason: str | None) -> None:
    fields = list(fields)
    lifecycle.transition(status, lifecycle.Action.AMEND)
    if not fields:
        raise DomainError("nothing-to-amend", "Name at least one field to amend.", status=422)
    if status != Status.DRAFT.value and not (reason or "").strip():
        raise DomainError(
            "reason-required",
            "An amendment to a sent referral needs a reason.",
            [field_error("reason", "required")],
            status=422,
        )
    locked = sorted(f for f in fields if f in LOCKED_AFTER_PLAN_APPROVAL)
    if plan_approved and locked:
        raise DomainError(
            "locked-after-action-plan-approval",
            f"{', '.join(locked)} cannot change after the action plan is approved.",
            [field_error(f, "locked after action plan approval") for f in locked],
            status=409,
        )


# --- end of service report ----------------------------------------------------------------------


def check_end_of_service_report(desired_outcomes: Sequence[str], outcomes: Sequence[dict[str, Any]]) -> None:
    given = [o["desired_outcome"] for o in outcomes]
    missing = [d for d in desired_outcomes if d not in given]
    unknown = [g for g in given if g not in desired_outcomes]
    errors = [{"field": "outcomes", "message": f"no achievement given for {d!r}"} for d in missing]
    errors += [{"field": "outcomes", "message": f"{g!r} is not a desired outcome of this referral"} for g in unknown]
    if len(set(given)) != len(given):
        errors.append({"field": "outcomes", "message": "each desired outcome once"})
    if errors:
        raise DomainError(
            "outcomes-incomplete",
            "Give one achievement level for each desired outcome.",
            [field_error(e["field"], e["message"]) for e in errors],
            status=422,
        )
