"""Workflows against in-memory fakes of the repositories, the unit of work and the event outbox: no database, no app."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

from probation_shared.auth import Principal, Role
from probation_shared.domain_error import DomainError
from probation_shared.testing.fakes import FakeSession
from refer_monitor.db.models import ActionPlan, Contract, Referral
from refer_monitor.domain.codes import Status
from refer_monitor.domain.lifecycle import PlanStatus
from refer_monitor.domain.sharing import Category
from refer_monitor.workflows import referrals, updates
from refer_monitor.workflows.referrals import ReferralContext

CASEWORKER = Principal("cw-1", frozenset({Role.PROVIDER_CASEWORKER}), provider_id="P1", contract_refs=frozenset({"C1"}))
PRACTITIONER = Principal("pp-1", frozenset({Role.PRACTITIONER}))


@dataclass
class FakeStore:
    """In-memory stand-in for the queries the workflows use, and the outbox they publish to."""

    plans: list[ActionPlan] = field(default_factory=list)
    consents: dict[tuple[str, str], Any] = field(default_factory=dict)
    events: list[str] = field(default_factory=list)

    async def action_plans(self, session, referral_id):
        return [p for p in self.plans if p.referral_id == referral_id]

    async def get_action_plan(self, session, referral_id, plan_id):
        return next((p for p in self.plans if p.referral_id == referral_id and p.id == plan_id), None)

    async def get_consent(self, session, crn, category):
        return self.consents.get((crn, category))

    async def referral_event(self, session, event_type, referral, **kwargs):
        self.events.append(event_type)


@pytest.fixture
def store(monkeypatch) -> FakeStore:
    store = FakeStore()
    for name in ("action_plans", "get_action_plan", "get_consent"):
        monkeypatch.setattr(referrals.q, name, getattr(store, name))
    monkeypatch.setattr(referrals, "referral_event", store.referral_event)
    monkeypatch.setattr(updates, "referral_event", store.referral_event)
    return store


def context(status: Status) -> ReferralContext:
    referral = Referral(id="R1", crn="X123456", contract_reference="C1", status=status, provider_view_version=1)
    return ReferralContext(referral, Contract(reference="C1", prime_provider_id="P1"), ["P1"])


async def test_assign_moves_a_sent_referral_to_assigned_and_publishes(store):
    ctx = context(Status.SENT)
    referral = await referrals.assign(FakeSession(), CASEWORKER, ctx, None)
    assert (
        referral.status is Status.ASSIGNED
        and referral.assigned_to == "cw-1"
        and referral.assigned_at.tzinfo is not None
    )
    assert store.events == ["intervention.referral.assigned"]


async def test_assign_refuses_an_ended_referral_and_publishes_nothing(store):
    with pytest.raises(DomainError) as refused:
        await referrals.assign(FakeSession(), CASEWORKER, context(Status.ENDED), None)
    assert (refused.value.status, refused.value.code) == (409, "not-assignable")
    assert store.events == []


async def test_approving_a_plan_supersedes_the_approved_one(store):
    old = ActionPlan(id="A1", referral_id="R1", number_of_sessions=2, status=PlanStatus.APPROVED)
    new = ActionPlan(id="A2", referral_id="R1", number_of_sessions=3, status=PlanStatus.SUBMITTED)
    store.plans = [old, new]
    plan = await referrals.approve_action_plan(FakeSession(), PRACTITIONER, context(Status.ASSIGNED), "A2")
    assert (
        plan is new
        and (new.status, old.status) == (PlanStatus.APPROVED, PlanStatus.SUPERSEDED)
        and new.approved_by == "pp-1"
    )
    assert store.events == ["intervention.action-plan.approved"]
    with pytest.raises(DomainError) as again:
        await referrals.approve_action_plan(FakeSession(), PRACTITIONER, context(Status.ASSIGNED), "A2")
    assert (again.value.status, again.value.code, again.value.detail) == (
        409,
        "not-awaiting-approval",
        "This action plan is approved.",
    )
    with pytest.raises(DomainError) as missing:
        await referrals.approve_action_plan(FakeSession(), PRACTITIONER, context(Status.ASSIGNED), "nope")
    assert (missing.value.status, missing.value.code) == (404, "not-found")


async def test_only_probation_staff_approve_plans(store):
    store.plans = [ActionPlan(id="A1", referral_id="R1", number_of_sessions=2, status=PlanStatus.SUBMITTED)]
    with pytest.raises(DomainError) as refused:
        await referrals.approve_action_plan(FakeSession(), CASEWORKER, context(Status.ASSIGNED), "A1")
    assert (refused.value.status, refused.value.code) == (403, "forbidden")


async def test_record_consent_adds_then_updates_in_the_unit_of_work(store):
    session = FakeSession()
    first = await updates.record_consent(session, PRACTITIONER, "X123456", Category.EMPLOYMENT_STATUS, True, None)
    assert session.added == [first] and first.granted
    store.consents[("X123456", Category.EMPLOYMENT_STATUS.value)] = first
    second = await updates.record_consent(
        session, PRACTITIONER, "X123456", Category.EMPLOYMENT_STATUS, False, "changed mind"
    )
    assert second is first and not first.granted and session.added == [first]


async def test_safeguarding_consent_is_refused_with_the_field(store):
    with pytest.raises(DomainError) as refused:
        await updates.record_consent(FakeSession(), PRACTITIONER, "X123456", Category.SAFEGUARDING_CONCERN, True, None)
    assert (refused.value.status, refused.value.code) == (422, "consent-not-applicable")
    assert refused.value.errors == [
        {"field": "category", "message": "use a release override for safeguarding concerns"}
    ]
