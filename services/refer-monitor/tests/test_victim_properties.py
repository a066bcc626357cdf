"""Property (Hypothesis, 500 examples): a victim identifier hidden anywhere in what case-allocation and
risk-assessment send refer-monitor (any key, any depth, under a code's name, as a list item) reaches no
provider view and no partner notification. Upstream documents are read by allow-list, so there is no
path for it; the provider-bound `summary` text is risk-assessment's to check when written, and is
left out of the generated places here."""

from __future__ import annotations

import json
from types import SimpleNamespace

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from probation_shared.redaction import render
from refer_monitor.domain import upstream
from refer_monitor.domain.views import (
    NOTIFICATION_AUDIENCE,
    PROVIDER_WITH_CONSENT,
    build_model,
    build_view,
    changed_fields,
    only_paths,
)
from refer_monitor.events.contracts import NotificationPayload, ViewChange
from refer_monitor.events.publish import notification_data

NAME = st.from_regex(r"\A[A-ZÉ][a-zéèöü]{2,8}-[A-Z][a-zô]{2,8}( [A-Z]\.)?\Z")
POSTCODE = st.from_regex(r"\A(ZX|QV)[0-9] [0-9][A-Z]{2}\Z")
PHONE = st.from_regex(r"\A07[0-9]{9}\Z")
EMAIL = st.from_regex(r"\A[a-z]{4,8}@victims\.example\Z")
ADDRESS = st.builds(lambda n, pc: f"{n} Hidden Close near {pc}", st.integers(1, 99), POSTCODE)
IDENTIFIER = st.one_of(NAME, POSTCODE, PHONE, EMAIL, ADDRESS)

SAFE_RISK = {
    "crn": "X999999",
    "view": "provider",
    "version": 2,
    "overall": "HIGH",
    "summary": "Violence when intoxicated",
    "groupsAtRisk": ["public", "knownAdult"],
    "riskToSelf": [{"kind": "selfHarm", "current": True, "previous": False}],
    "updatedAt": "2026-11-20T10:00:00+00:00",
}
SAFE_PERSON = {
    "first_name": "Sam",
    "last_name": "Taylor",
    "date_of_birth": "1990-04-01",
    "sex": "MALE",
    "phone_number": "07700 900123",
}
SAFE_ADDRESS = {
    "id": "1",
    "status": "MAIN",
    "address_number": "12",
    "street_name": "High Street",
    "town": "Durham",
    "postcode": "DH1 1AA",
}
SAFE_MANAGER = {
    "staff_code": "N07A001",
    "name": "Pat Jones",
    "email": "pat.jones@probation.example",
    "team_code": "N07T01",
}
RISK_PLACES = [
    "victims",
    "knownAdult",
    "risk_to",
    "natureOfRisk",
    "whoIsAtRisk",
    "riskToSelfConcerns",
    "narrative",
    "notes",
    "history",
]


def _nest(value, depth):
    for key in ("details", "entries")[: depth % 3]:
        value = {key: [value]}
    return value


@st.composite
def poisoned(draw):
    secrets = draw(st.lists(IDENTIFIER, min_size=1, max_size=4, unique=True))
    risk, person, address, manager = dict(SAFE_RISK), dict(SAFE_PERSON), dict(SAFE_ADDRESS), dict(SAFE_MANAGER)
    for secret in secrets:
        where = draw(st.sampled_from(["risk", "risk-code", "risk-to-self", "person", "address", "manager"]))
        depth = draw(st.integers(0, 2))
        if where == "risk":
            risk[draw(st.sampled_from(RISK_PLACES))] = _nest(secret, depth)
        elif where == "risk-code":
            risk["groupsAtRisk"] = [*risk["groupsAtRisk"], secret]
        elif where == "risk-to-self":
            risk["riskToSelf"] = [*risk["riskToSelf"], {"kind": secret, "current": True, "details": secret}]
        elif where == "person":
            person[draw(st.sampled_from(["victim", "partner", "notes", "contact_details"]))] = _nest(secret, depth)
        elif where == "address":
            address[draw(st.sampled_from(["victim_address", "notes", "occupiers"]))] = _nest(secret, depth)
        else:
            manager[draw(st.sampled_from(["victim_liaison", "notes", "home"]))] = _nest(secret, depth)
    return secrets, risk, person, address, manager


def _projection(risk, person, address, manager):
    summary, level, as_of = upstream.risk_summary(risk)
    details = upstream.person_details(person)
    return SimpleNamespace(
        crn="X999999",
        first_name=details["first_name"],
        last_name=details["last_name"],
        date_of_birth=details["date_of_birth"],
        sex=details["sex"],
        phone=details["phone"],
        address=upstream.address_details(address),
        practitioner=upstream.practitioner_details(manager),
        risk_summary=summary,
        rosh_level=level,
        risk_summary_at=as_of,
        tier="B2",
        registrations=[],
        enforcement=[],
    )


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(poisoned())
def test_no_victim_identifier_from_upstream_reaches_a_provider_view_or_notification(case):
    secrets, risk, person, address, manager = case
    person_doc = _projection(risk, person, address, manager)
    stored = build_view(person_doc)
    before = build_view(
        _projection(dict(SAFE_RISK, overall="LOW"), SAFE_PERSON, dict(SAFE_ADDRESS, postcode="DH2 2BB"), SAFE_MANAGER)
    )
    fields = changed_fields(before, stored)
    sent = notification_data("p", "intervention.referral.sent", "r", NotificationPayload(view=build_model(person_doc)))
    changed = notification_data(
        "p", "x", "r", NotificationPayload(change=ViewChange(reason="x", fields=fields, values=build_model(person_doc)))
    )
    outputs = [stored, only_paths(stored, fields), sent, changed]
    outputs += [
        render(build_model(person_doc), audience) for audience in (PROVIDER_WITH_CONSENT, NOTIFICATION_AUDIENCE)
    ]
    text = json.dumps(outputs, default=str)
    for secret in secrets:
        assert secret not in text
    # ...while what is allowed still arrives.
    assert stored["risk"]["overall_level"] == "HIGH" and stored["contact"]["address"]["postcode"] == "DH1 1AA"
    assert sent["payload"]["view"]["risk"]["groups_at_risk"] == ["public", "knownAdult"]
    assert "risk_to_self" not in sent["payload"]["view"]["risk"]
