"""The referral and action-plan lifecycles, walked as tables: no database, no app."""

from __future__ import annotations

import itertools

import pytest

from probation_shared.domain_error import DomainError
from refer_monitor.domain import lifecycle
from refer_monitor.domain.codes import Status
from refer_monitor.domain.lifecycle import PLAN_TRANSITIONS, REFUSALS, TRANSITIONS, Action, PlanAction, PlanStatus


@pytest.mark.parametrize(("status", "action"), list(itertools.product(Status, Action)))
def test_every_pair_is_a_transition_or_a_409_refusal(status, action):
    if (status, action) in TRANSITIONS:
        assert lifecycle.allowed(status, action)
        assert lifecycle.transition(status, action) is TRANSITIONS[(status, action)]
    else:
        assert not lifecycle.allowed(status, action)
        with pytest.raises(DomainError) as refused:
            lifecycle.transition(status, action)
        assert refused.value.status == 409
        assert refused.value.code == (REFUSALS.get((status, action)) or REFUSALS[action])[0]


def test_the_table_accepts_plain_stored_strings():
    assert lifecycle.transition("DRAFT", Action.SEND) is Status.SENT


def test_every_action_has_a_refusal_and_every_status_is_reachable_from_draft():
    assert set(Action) <= set(REFUSALS)
    reached, frontier = {Status.DRAFT}, [Status.DRAFT]
    while frontier:
        here = frontier.pop()
        for (source, _), target in TRANSITIONS.items():
            if source is here and target not in reached:
                reached.add(target)
                frontier.append(target)
    assert reached == set(Status)


def test_concluded_is_terminal_and_ended_only_takes_the_report_and_late_feedback():
    assert not [key for key in TRANSITIONS if key[0] is Status.CONCLUDED]
    assert {a for (s, a) in TRANSITIONS if s is Status.ENDED} == {Action.SUBMIT_END_OF_SERVICE_REPORT, Action.FEEDBACK}


def test_known_refusals_keep_their_codes_and_messages():
    with pytest.raises(DomainError) as sent_twice:
        lifecycle.transition("SENT", Action.SEND)
    assert (sent_twice.value.code, sent_twice.value.detail) == ("already-sent", "The referral has already been sent.")
    with pytest.raises(DomainError) as draft:
        lifecycle.transition("DRAFT", lifecycle.withdrawal(0))
    assert draft.value.code == "not-sent"
    with pytest.raises(DomainError) as ended:
        lifecycle.transition("ENDED", Action.ASSIGN)
    assert ended.value.detail == "A ended referral cannot be assigned."


def test_withdrawal_depends_on_attended_sessions():
    assert lifecycle.transition(Status.ASSIGNED, lifecycle.withdrawal(0)) is Status.CONCLUDED
    assert lifecycle.transition(Status.ASSIGNED, lifecycle.withdrawal(2)) is Status.ENDED


@pytest.mark.parametrize(("status", "action"), list(itertools.product(PlanStatus, PlanAction)))
def test_action_plan_table(status, action):
    if (status, action) in PLAN_TRANSITIONS:
        assert lifecycle.plan_transition(status, action) is PLAN_TRANSITIONS[(status, action)]
    else:
        with pytest.raises(DomainError) as refused:
            lifecycle.plan_transition(status, action)
        assert (refused.value.status, refused.value.code) == (409, "not-awaiting-approval")
    assert not [key for key in PLAN_TRANSITIONS if key[0] is PlanStatus.SUPERSEDED]


# --- how a referral concludes (issue 13): a session not attended is not delivered ------------------

from hypothesis import given  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from refer_monitor.domain import rules  # noqa: E402
from refer_monitor.domain.codes import Outcome  # noqa: E402

_sessions = st.lists(
    st.tuples(st.integers(min_value=1, max_value=6), st.sampled_from(["YES", "LATE", "NO", None])), max_size=12
)


@given(_sessions, st.integers(min_value=1, max_value=6))
def test_no_attended_session_never_concludes_completed(sessions, planned):
    attended = lifecycle.attended_sessions(sessions)
    assert attended == len({n for n, a in sessions if a in ("YES", "LATE")})
    outcome = lifecycle.concluded_outcome(attended, planned)
    if attended == 0:
        assert outcome is Outcome.CANCELLED
        with pytest.raises(DomainError) as refused:
            lifecycle.report_outcome(attended, planned)
        assert (refused.value.status, refused.value.code) == (409, "no-sessions-attended")
    else:
        assert outcome is (Outcome.COMPLETED if attended >= planned else Outcome.PREMATURELY_ENDED)
        assert lifecycle.report_outcome(attended, planned) is outcome


@given(st.integers(min_value=1, max_value=6))
def test_every_session_missed_is_not_completed(planned):
    missed = [(n, "NO") for n in range(1, planned + 1)]
    assert lifecycle.concluded_outcome(lifecycle.attended_sessions(missed), planned) is Outcome.CANCELLED


@given(st.integers(min_value=0, max_value=6), st.one_of(st.none(), st.integers(min_value=1, max_value=6)))
def test_withdrawal_outcome_follows_attended_sessions(attended, planned):
    result = rules.withdraw("ASSIGNED", "MOV", attended, planned)
    assert result.outcome is lifecycle.concluded_outcome(attended, planned)
    assert result.awaiting_end_of_service_report is (attended > 0)
    assert result.status is (Status.ENDED if attended else Status.CONCLUDED)


def test_a_concluded_referral_takes_no_plan_approval_or_feedback():
    for action in (Action.APPROVE_PLAN, Action.FEEDBACK):
        with pytest.raises(DomainError) as refused:
            lifecycle.transition(Status.CONCLUDED, action)
        assert (refused.value.status, refused.value.code) == (409, "referral-concluded")
    assert lifecycle.transition(Status.ENDED, Action.FEEDBACK) is Status.ENDED
    with pytest.raises(DomainError):
        lifecycle.transition(Status.ENDED, Action.APPROVE_PLAN)


# --- sending: the practitioner's contact details and the risk-summary age (issue 13) ----------------

_contact = st.one_of(st.none(), st.just(""), st.just("  "), st.text(min_size=1, max_size=5).filter(str.strip))


@given(_contact, _contact, _contact, st.one_of(st.none(), st.just("N07A001")))
def test_the_practitioner_needs_name_email_and_phone(name, email, phone, staff_code):
    record = {"staff_code": staff_code, "name": name, "email": email, "phone": phone}
    missing = {e["field"] for e in rules.missing_practitioner_contact(record)}
    expected = {
        f"practitioner.{k}" for k, v in (("name", name), ("email", email), ("phone", phone)) if not (v or "").strip()
    }
    assert missing == expected


def test_a_staff_code_alone_is_not_a_practitioner_record():
    assert {e["field"] for e in rules.missing_practitioner_contact({"staff_code": "N07A001"})} == {
        "practitioner.name",
        "practitioner.email",
        "practitioner.phone",
    }


@given(st.one_of(st.none(), st.integers(min_value=1, max_value=730)), st.integers(min_value=1, max_value=730))
def test_the_sender_cannot_loosen_the_risk_summary_age(requested, policy):
    assert rules.risk_summary_max_age(requested, policy) <= policy
    if requested is not None and requested > policy:
        with pytest.raises(DomainError) as refused:
            rules.check_risk_summary_max_age(requested, policy)
        assert refused.value.code == "risk-summary-age-above-policy" and refused.value.status == 422
    else:
        rules.check_risk_summary_max_age(requested, policy)


# --- one error model (issue 9) ---------------------------------------------------------------------


def test_refer_monitor_raises_the_shared_error_model_with_its_field_bodies_unchanged():
    from probation_shared import domain_error
    from refer_monitor.domain import errors

    made = errors.field_error("caseworker", "not a caseworker of harbour-housing")
    assert type(made) is domain_error.FieldError and errors.DomainError is domain_error.DomainError
    assert made.as_dict() == {"field": "caseworker", "message": "not a caseworker of harbour-housing"}
    assert domain_error.FieldError("x", "y").as_dict() == {"field": "x", "message": "y", "code": "invalid"}
    with pytest.raises(domain_error.DomainError) as refused:
        rules.check_volume_cap(1, 1, None)
    assert refused.value.errors == [{"field": "over_cap_reason", "message": "required once the volume cap is reached"}]
