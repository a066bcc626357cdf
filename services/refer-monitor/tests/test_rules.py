"""Pure lifecycle rules."""

import random
from datetime import UTC, date, datetime, timedelta

import pytest

from probation_shared.domain_error import DomainError
from refer_monitor.domain import rules
from refer_monitor.domain.codes import WITHDRAWAL_CODES, Outcome, Status
from refer_monitor.domain.upstream import address_is_current, risk_summary


def test_references_look_like_ab1234ac():
    rng = random.Random(7)
    refs = {rules.new_reference(rng) for _ in range(500)}
    assert all(rules.REFERENCE_PATTERN.match(r) for r in refs) and len(refs) == 500
    assert not rules.REFERENCE_PATTERN.match("A1234ABC")


@pytest.mark.parametrize("code", sorted(WITHDRAWAL_CODES))
def test_every_withdrawal_code_is_accepted(code):
    assert rules.withdraw("SENT", code, 0, None).outcome is Outcome.CANCELLED


@pytest.mark.parametrize(
    "attended,planned,status,outcome,awaiting",
    [
        (0, 3, Status.CONCLUDED, Outcome.CANCELLED, False),
        (1, 3, Status.ENDED, Outcome.PREMATURELY_ENDED, True),
        (2, 3, Status.ENDED, Outcome.PREMATURELY_ENDED, True),
        (3, 3, Status.ENDED, Outcome.COMPLETED, True),
    ],
)
def test_withdrawal_outcome_follows_delivery(attended, planned, status, outcome, awaiting):
    result = rules.withdraw("ASSIGNED", "MOV", attended, planned)
    assert (result.status, result.outcome, result.awaiting_end_of_service_report) == (status, outcome, awaiting)


def test_unknown_withdrawal_code_is_400_and_closed_referral_409():
    with pytest.raises(DomainError) as bad:
        rules.withdraw("SENT", "mov", 0, None)
    assert bad.value.status == 400
    with pytest.raises(DomainError) as closed:
        rules.withdraw("CONCLUDED", "MOV", 0, None)
    assert closed.value.status == 409


def test_attendance_and_feedback_rules():
    now = datetime.now(UTC)
    with pytest.raises(DomainError) as future:
        rules.check_attendance(now + timedelta(minutes=1), False, now)
    assert future.value.status == 400
    with pytest.raises(DomainError) as twice:
        rules.check_attendance(now - timedelta(minutes=1), True, now)
    assert twice.value.status == 409
    rules.check_attendance((now - timedelta(minutes=1)).replace(tzinfo=None), False, now)  # naive = UTC (SQLite)
    with pytest.raises(DomainError) as no_att:
        rules.check_feedback(None, False)
    assert no_att.value.status == 422
    with pytest.raises(DomainError) as again:
        rules.check_feedback("YES", True)
    assert again.value.status == 409
    rules.check_feedback("NO", False)


def test_action_plan_rules():
    with pytest.raises(DomainError):
        rules.check_action_plan([("YES", False)], None, 3)  # attended but no feedback
    with pytest.raises(DomainError):
        rules.check_action_plan([("NO", True)], None, 3)  # not attended
    rules.check_action_plan([("NO", True), ("LATE", True)], None, 3)
    with pytest.raises(DomainError) as fewer:
        rules.check_action_plan([("YES", True)], 4, 3)
    assert fewer.value.code == "sessions-cannot-reduce"
    rules.check_action_plan([("YES", True)], 4, 4)


def test_amendment_rules():
    with pytest.raises(DomainError) as locked:
        rules.check_amendment("ASSIGNED", ["desired_outcomes", "needs"], True, "why")
    assert locked.value.status == 409 and locked.value.errors == [
        {"field": "desired_outcomes", "message": "locked after action plan approval"}
    ]
    rules.check_amendment("ASSIGNED", ["needs"], True, "why")
    rules.check_amendment("DRAFT", ["complexity_level"], False, None)
    with pytest.raises(DomainError):
        rules.check_amendment("SENT", ["needs"], False, " ")
    with pytest.raises(DomainError):
        rules.check_amendment("CONCLUDED", ["needs"], False, "why")


def test_send_check_names_the_custody_field_and_stale_risk():
    now = datetime.now(UTC)
    facts = rules.SendFacts(
        custody=True,
        expected_release_date=None,
        expected_release_missing_reason="  ",
        first_name="A",
        last_name="B",
        date_of_birth=date(1990, 1, 1),
        address={"postcode": "X"},
        practitioner={"name": "P", "email": "p@probation.example", "phone": "0191 000 0000"},
        risk_summary_at=now - timedelta(days=31),
        has_risk_summary=True,
        risk_summary_max_age_days=30,
        desired_outcomes=["x"],
    )
    assert [e["field"] for e in rules.missing_for_send(facts, now)] == ["expected_release_date", "risk_summary"]
    ok = rules.SendFacts(**{**facts.__dict__, "expected_release_date": date(2030, 1, 1), "risk_summary_at": now})
    assert rules.missing_for_send(ok, now) == []


def test_volume_cap():
    rules.check_volume_cap(9, 10, None)
    with pytest.raises(DomainError):
        rules.check_volume_cap(10, 10, "")
    rules.check_volume_cap(10, 10, "urgent")


def test_search_and_eligibility_rules():
    assert rules.regions_for_search(None, "Durham") == ["North East"]
    assert rules.regions_for_search("London", None) == ["London"]
    assert rules.eligible("FEMALE", 18, None, "MALE", 30) is False
    assert rules.eligible("ALL", 18, 25, "MALE", 26) is False
    assert rules.eligible("ALL", 18, 25, None, None) is True


def test_risk_summary_is_read_by_allow_list_so_a_known_adult_entry_never_reaches_the_view():
    """Issue 8: a `known_adult` entry naming a person and a street went through the old victim-key filter."""
    doc = {
        "overall": "HIGH",
        "summary": "Violence when drinking",
        "groupsAtRisk": ["knownAdult", "public"],
        "riskToSelf": [
            {"kind": "selfHarm", "current": True, "previous": False, "details": "overdose on prescribed medication"}
        ],
        "updatedAt": "2026-11-20T10:00:00+00:00",
        "version": 3,
        "victims": [{"name": "V"}],
        "risk_to": {"known_adult": "Jo Bloggs of 4 Mill Lane", "victimName": "V"},
        "natureOfRisk": "Jo Bloggs, Mill Lane",
        "narrative": [{"victim_details": "V", "nature": "x"}],
    }
    clean, level, as_of = risk_summary(doc)
    assert level == "HIGH" and as_of.isoformat() == "2026-11-20T10:00:00+00:00"
    assert clean == {
        "summary": "Violence when drinking",
        "groups_at_risk": ["knownAdult", "public"],
        "risk_to_self": [{"kind": "selfHarm", "current": True, "previous": False}],
        "version": 3,
    }
    assert "Jo Bloggs" not in repr(clean) and "Mill Lane" not in repr(clean) and "medication" not in repr(clean)


def test_address_currency():
    today = date(2026, 1, 1)
    assert address_is_current({"status": "MAIN"}, today)
    assert address_is_current({}, today)
    assert not address_is_current({"status": "PREVIOUS"}, today)
    assert not address_is_current({"status": {"code": "P"}}, today)
    assert not address_is_current({"endDate": "2025-12-31"}, today)
