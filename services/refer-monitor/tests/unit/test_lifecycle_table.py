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


def test_concluded_is_terminal_and_ended_only_takes_the_report():
    assert not [key for key in TRANSITIONS if key[0] is Status.CONCLUDED]
    assert [a for (s, a) in TRANSITIONS if s is Status.ENDED] == [Action.SUBMIT_END_OF_SERVICE_REPORT]


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
