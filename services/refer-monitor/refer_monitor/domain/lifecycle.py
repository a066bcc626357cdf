"""The referral lifecycle and the action-plan lifecycle as data: one transition table each.

A referral moves draft → sent → assigned → (ended) → concluded. Every action a workflow takes on a
referral is a row here; an action not allowed in the current status is refused with the code and
message its row in `REFUSALS` gives (409). Guards that need more than the status (sessions delivered,
an approved plan) stay with the workflow; what status the referral may be in, and what it becomes,
is decided only here.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable

from .codes import ATTENDED, Outcome, Status
from .errors import DomainError


class Action(enum.StrEnum):
    SEND = "SEND"
    ASSIGN = "ASSIGN"  # also re-assignment to another caseworker
    AMEND = "AMEND"
    POST_UPDATE = "POST_UPDATE"
    DELIVER = "DELIVER"  # appointments, attendance, action plans: the referral stays assigned
    APPROVE_PLAN = "APPROVE_PLAN"  # probation approves the provider's action plan: only while it is delivered
    FEEDBACK = "FEEDBACK"  # session feedback: while delivered, or ended and awaiting the report; never once concluded
    WITHDRAW_UNSTARTED = "WITHDRAW_UNSTARTED"  # no session attended: cancelled, concluded at once
    WITHDRAW_STARTED = "WITHDRAW_STARTED"  # sessions attended: ended, awaiting the end of service report
    SUBMIT_END_OF_SERVICE_REPORT = "SUBMIT_END_OF_SERVICE_REPORT"


S, A = Status, Action

TRANSITIONS: dict[tuple[Status, Action], Status] = {
    (S.DRAFT, A.SEND): S.SENT,
    (S.DRAFT, A.AMEND): S.DRAFT,
    (S.SENT, A.ASSIGN): S.ASSIGNED,
    (S.SENT, A.AMEND): S.SENT,
    (S.SENT, A.POST_UPDATE): S.SENT,
    (S.SENT, A.WITHDRAW_UNSTARTED): S.CONCLUDED,
    (S.SENT, A.WITHDRAW_STARTED): S.ENDED,
    (S.ASSIGNED, A.ASSIGN): S.ASSIGNED,
    (S.ASSIGNED, A.AMEND): S.ASSIGNED,
    (S.ASSIGNED, A.POST_UPDATE): S.ASSIGNED,
    (S.ASSIGNED, A.DELIVER): S.ASSIGNED,
    (S.ASSIGNED, A.APPROVE_PLAN): S.ASSIGNED,
    (S.ASSIGNED, A.FEEDBACK): S.ASSIGNED,
    (S.ENDED, A.FEEDBACK): S.ENDED,
    (S.ASSIGNED, A.WITHDRAW_UNSTARTED): S.CONCLUDED,
    (S.ASSIGNED, A.WITHDRAW_STARTED): S.ENDED,
    (S.ASSIGNED, A.SUBMIT_END_OF_SERVICE_REPORT): S.CONCLUDED,  # every planned session delivered (workflow guard)
    (S.ENDED, A.SUBMIT_END_OF_SERVICE_REPORT): S.CONCLUDED,
}

# What the caller is told when an action is not allowed from a status: by (status, action) first, then by action.
# `{status}` is the current status in lower case.
REFUSALS: dict[tuple[Status, Action] | Action, tuple[str, str]] = {
    A.SEND: ("already-sent", "The referral has already been sent."),
    A.ASSIGN: ("not-assignable", "A {status} referral cannot be assigned."),
    A.AMEND: ("referral-closed", "An ended or concluded referral cannot be amended."),
    A.POST_UPDATE: ("referral-not-active", "Updates are posted on an active referral."),
    A.DELIVER: ("not-in-delivery", "Assign the referral first; ended referrals take no appointments."),
    (S.CONCLUDED, A.APPROVE_PLAN): ("referral-concluded", "The referral is concluded; it takes no action plan."),
    A.APPROVE_PLAN: ("not-in-delivery", "A {status} referral takes no action plan approval."),
    (S.CONCLUDED, A.FEEDBACK): ("referral-concluded", "The referral is concluded; it takes no session feedback."),
    A.FEEDBACK: ("not-in-delivery", "A {status} referral takes no session feedback."),
    (S.DRAFT, A.WITHDRAW_UNSTARTED): ("not-sent", "A draft is not withdrawn; it was never sent."),
    (S.DRAFT, A.WITHDRAW_STARTED): ("not-sent", "A draft is not withdrawn; it was never sent."),
    A.WITHDRAW_UNSTARTED: ("not-withdrawable", "A {status} referral cannot be withdrawn."),
    A.WITHDRAW_STARTED: ("not-withdrawable", "A {status} referral cannot be withdrawn."),
    A.SUBMIT_END_OF_SERVICE_REPORT: ("not-ready-for-report", "A {status} referral takes no end of service report."),
}


def allowed(status: str, action: Action) -> bool:
    return (Status(status), action) in TRANSITIONS


def refusal(status: str, action: Action) -> DomainError:
    code, message = REFUSALS.get((Status(status), action)) or REFUSALS[action]
    return DomainError(code, message.format(status=status.lower()), status=409)


def transition(status: str, action: Action) -> Status:
    """The status after `action`, or a 409 `DomainError` when the action is not allowed from `status`."""
    try:
        return TRANSITIONS[(Status(status), action)]
    except KeyError:
        raise refusal(status, action) from None


def withdrawal(attended_sessions: int) -> Action:
    return Action.WITHDRAW_STARTED if attended_sessions else Action.WITHDRAW_UNSTARTED


# --- how a referral concludes ------------------------------------------------------------------
# As in the anchor (hmpps-interventions-service): a referral concludes CANCELLED when no session was
# attended (no end of service report), PREMATURELY_ENDED when some but not all planned sessions were
# attended, COMPLETED only when every planned session was attended. A session recorded as not attended
# ("NO") was not delivered: it never counts towards COMPLETED.


def attended_sessions(sessions: Iterable[tuple[int | None, str | None]]) -> int:
    """How many distinct planned sessions were attended, of (session number, attendance) pairs (a missed
    session rebooked and then attended counts once)."""
    return len({number for number, attendance in sessions if number is not None and attendance in ATTENDED})


def concluded_outcome(attended: int, planned: int | None) -> Outcome:
    if attended <= 0:
        return Outcome.CANCELLED
    if planned is not None and attended >= planned:
        return Outcome.COMPLETED
    return Outcome.PREMATURELY_ENDED


def report_outcome(attended: int, planned: int) -> Outcome:
    """The outcome an end of service report on an assigned referral (every planned session held or missed)
    concludes with. With no session attended nothing was delivered: there is no report, the referral is
    withdrawn (and concludes CANCELLED), so the report is refused (409)."""
    if attended <= 0:
        raise DomainError(
            "no-sessions-attended",
            "No session was attended: nothing was delivered to report on; the referral is withdrawn instead.",
            status=409,
        )
    return concluded_outcome(attended, planned)


# --- action plans -------------------------------------------------------------------------------


class PlanStatus(enum.StrEnum):
    SUBMITTED = "SUBMITTED"
    APPROVED = "APPROVED"
    SUPERSEDED = "SUPERSEDED"


class PlanAction(enum.StrEnum):
    APPROVE = "APPROVE"
    SUPERSEDE = (
        "SUPERSEDE"  # a newer plan was submitted (replaces a submitted one) or approved (replaces the approved one)
    )


PLAN_TRANSITIONS: dict[tuple[PlanStatus, PlanAction], PlanStatus] = {
    (PlanStatus.SUBMITTED, PlanAction.APPROVE): PlanStatus.APPROVED,
    (PlanStatus.SUBMITTED, PlanAction.SUPERSEDE): PlanStatus.SUPERSEDED,
    (PlanStatus.APPROVED, PlanAction.SUPERSEDE): PlanStatus.SUPERSEDED,
}


def plan_transition(status: str, action: PlanAction) -> PlanStatus:
    try:
        return PLAN_TRANSITIONS[(PlanStatus(status), action)]
    except KeyError:
        raise DomainError("not-awaiting-approval", f"This action plan is {status.lower()}.", status=409) from None
