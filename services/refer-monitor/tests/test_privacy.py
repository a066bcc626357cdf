"""Issue 8 in refer-monitor: nothing leaves unless the policy lets it. Each test here failed before the fix."""

from __future__ import annotations

import json
from typing import Annotated

import pytest
from fastapi import APIRouter
from sqlalchemy import select

from probation_shared.auth import Role
from probation_shared.events.contracts import CONTRACTS
from probation_shared.redaction import Classified, DataClass, Outbound, UnclassifiedField, check_routes, classes_of
from refer_monitor.db.models import PLATFORM
from refer_monitor.events.handlers import CASE_EVENTS, RISK_EVENTS
from refer_monitor.service import SPEC

KNOWN_ADULT = "Jo Bloggs of 4 Mill Lane"


def _risk(crn, *, level="MEDIUM", to_self=None, summary="Violence when intoxicated", version=1, **extra):
    return {
        "crn": crn,
        "view": "provider",
        "version": version,
        "overall": level,
        "summary": summary,
        "groupsAtRisk": ["public", "knownAdult"],
        "riskToSelf": to_self or [],
        "updatedAt": "2026-11-20T10:00:00+00:00",
        **extra,
    }


async def _notifications(api, notification_type=None):
    rows = await api.outbox("partner-notifications")
    return [
        r
        for r in rows
        if notification_type is None or r["event"].additionalInformation["notificationType"] == notification_type
    ]


# --- 1. classified by structure ------------------------------------------------------------------


def test_every_route_and_every_published_contract_is_fully_classified():
    check_routes(route for router in SPEC.routers for route in router.routes)  # the app starts only if this holds
    ours = [c for (event_type, _), c in CONTRACTS.items() if event_type.startswith("intervention.")]
    assert {c.event_type for c in ours} >= {
        "intervention.referral.sent",
        "intervention.referral.assigned",
        "intervention.referral.amended",
        "intervention.referral.withdrawn",
        "intervention.referral.ended",
        "intervention.referral.concluded",
        "intervention.action-plan.submitted",
        "intervention.action-plan.approved",
        "intervention.session-appointment.attended",
        "intervention.session-appointment.missed",
        "intervention.session-appointment.session-feedback-submitted",
        "intervention.end-of-service-report.submitted",
        "intervention.provider-update.created",
        "intervention.partner-notification.created",
    }
    for c in ours:
        classes_of(c.model)


def test_an_unclassified_field_on_a_route_stops_the_app():
    class Leaky(Outbound):
        crn: Annotated[str, Classified(DataClass.REFERENCE)]
        notes: str  # no data class

    router = APIRouter()

    @router.get("/leaky", response_model=Leaky)
    async def leaky():  # pragma: no cover - never served
        return None

    with pytest.raises(UnclassifiedField, match="Leaky.notes"):
        check_routes(router.routes)


async def test_every_published_event_matches_its_contract(api, h):
    crn = "X500001"
    referral = await api.sent(crn)
    cw = api.provider("harbour-housing", h.ACC)
    await api.client.post(f"/referrals/{referral['id']}/assign", headers=cw)
    await api.client.post(
        f"/referrals/{referral['id']}/updates", json={"category": "GENERAL", "text": "Met at the office"}, headers=cw
    )
    await api.client.patch(
        f"/referrals/{referral['id']}", json={"needs": ["debt"], "reason": "Court report"}, headers=api.practitioner()
    )
    await api.client.post(f"/referrals/{referral['id']}/withdraw", json={"code": "INE"}, headers=api.practitioner())
    rows = await api.outbox()
    assert {r["event"].eventType for r in rows} >= {
        "intervention.referral.sent",
        "intervention.provider-update.created",
        "intervention.referral.withdrawn",
    }
    for row in rows:
        event = row["event"]
        contract = CONTRACTS[(event.eventType, event.version)]
        assert set(event.additionalInformation) <= set(classes_of(contract.model)), event.eventType


# --- upstream read by allow-list ------------------------------------------------------------------


async def test_a_known_adult_entry_naming_a_person_and_street_reaches_no_view_or_notification(api, h):
    crn = "X500002"
    api.upstream.add_person(crn)
    api.upstream.risk[crn] = _risk(
        crn, risk_to={"known_adult": KNOWN_ADULT}, knownAdult=KNOWN_ADULT, victims=[{"name": "Jo Bloggs"}]
    )
    acc = await api.sent(crn)
    await api.sent(crn, h.ETE_INTERVENTION)
    api.upstream.risk[crn] = _risk(
        crn, level="HIGH", version=2, risk_to={"known_adult": KNOWN_ADULT}, whoIsAtRisk=KNOWN_ADULT
    )
    await h.handle(
        api.service,
        RISK_EVENTS,
        h.risk_event("risk-assessment.rosh.changed", crn, f"/people/{crn}/risk-summary", overallLevel="HIGH"),
    )
    provider_view = (
        await api.client.get(f"/referrals/{acc['id']}", headers=api.provider("harbour-housing", h.ACC))
    ).json()["provider_view"]
    assert provider_view["risk"]["overall_level"] == "HIGH"
    history = (
        await api.client.get(
            f"/referrals/{acc['id']}/provider-view-history", headers=api.provider("harbour-housing", h.ACC)
        )
    ).text
    bodies = [json.dumps(n["event"].model_dump(mode="json")) for n in await api.outbox()]
    for text in [json.dumps(provider_view), history, *bodies]:
        assert "Jo Bloggs" not in text and "Mill Lane" not in text


# --- 2. health only with consent for that provider; never in a notification --------------------


async def test_health_reaches_a_provider_only_with_its_recorded_consent_and_never_a_notification(api, h):
    crn = "X500003"
    api.upstream.add_person(crn)
    api.upstream.risk[crn] = _risk(crn, to_self=[{"kind": "selfHarm", "current": True, "previous": False}])
    acc = await api.sent(crn)
    prime, sub = api.provider("harbour-housing", h.ACC), api.provider("bridge-wellbeing", h.ACC)

    async def risk_seen(headers):
        return (await api.client.get(f"/referrals/{acc['id']}", headers=headers)).json()["provider_view"]["risk"]

    assert "risk_to_self" not in await risk_seen(prime) and "risk_to_self" not in await risk_seen(sub)
    assert (await risk_seen(api.practitioner()))["risk_to_self"] == [
        {"kind": "selfHarm", "current": True, "previous": False}
    ]
    consent = await api.client.put(
        f"/people/{crn}/health-consent/harbour-housing",
        json={"granted": True, "note": "signed"},
        headers=api.practitioner(),
    )
    assert consent.status_code == 200, consent.text
    assert consent.json()["granted"] is True and consent.json()["recorded_by"] == "pp-1"
    assert (await risk_seen(prime))["risk_to_self"] == [{"kind": "selfHarm", "current": True, "previous": False}]
    assert "risk_to_self" not in await risk_seen(sub)  # the subcontractor is another organisation: no consent for it
    history = (await api.client.get(f"/referrals/{acc['id']}/provider-view-history", headers=sub)).json()
    assert "selfHarm" not in json.dumps(history)
    assert "selfHarm" in json.dumps(
        (await api.client.get(f"/referrals/{acc['id']}/provider-view-history", headers=prime)).json()
    )
    # A change to health alone reaches no provider as a notification; a change beside it carries only the rest.
    before = len(await _notifications(api))
    api.upstream.risk[crn] = _risk(crn, version=2, to_self=[{"kind": "selfHarm", "current": True, "previous": True}])
    await h.handle(
        api.service,
        RISK_EVENTS,
        h.risk_event("risk-assessment.rosh.changed", crn, f"/people/{crn}/risk-summary", overallLevel="MEDIUM"),
    )
    assert len(await _notifications(api)) == before
    api.upstream.risk[crn] = _risk(
        crn, level="HIGH", version=3, to_self=[{"kind": "suicide", "current": True, "previous": True}]
    )
    await h.handle(
        api.service,
        RISK_EVENTS,
        h.risk_event("risk-assessment.rosh.changed", crn, f"/people/{crn}/risk-summary", overallLevel="HIGH"),
    )
    rose = await _notifications(api, "risk-assessment.rosh.changed")
    assert {n["key"] for n in rose} == {"harbour-housing", "bridge-wellbeing"}
    for n in rose:
        change = n["event"].additionalInformation["payload"]["change"]
        assert change["fields"] == ["risk.overall_level"] and change["values"] == {"risk": {"overall_level": "HIGH"}}
    for n in await _notifications(api):
        body = json.dumps(n["event"].additionalInformation)
        assert "selfHarm" not in body and "suicide" not in body and "risk_to_self" not in body
    # Consent withdrawn: gone again.
    await api.client.put(
        f"/people/{crn}/health-consent/harbour-housing", json={"granted": False}, headers=api.practitioner()
    )
    assert "risk_to_self" not in await risk_seen(prime)
    listed = (await api.client.get(f"/people/{crn}/health-consent", headers=api.practitioner())).json()
    assert [(c["provider_id"], c["granted"]) for c in listed] == [("harbour-housing", False)]
    assert (
        await api.client.put(f"/people/{crn}/health-consent/harbour-housing", json={"granted": True}, headers=prime)
    ).status_code == 403
    assert (
        await api.client.put(
            f"/people/{crn}/health-consent/no-such-org", json={"granted": True}, headers=api.practitioner()
        )
    ).status_code == 422


# --- 3. notifications carry what changed ----------------------------------------------------------


async def test_a_notification_carries_only_the_changed_values_not_the_whole_view(api, h):
    crn = "X500004"
    await api.sent(crn)
    api.upstream.addresses[(crn, "2")] = {
        "id": "2",
        "status": "MAIN",
        "address_number": "3",
        "street_name": "New Road",
        "town": "Leeds",
        "postcode": "LS1 4AP",
    }
    await h.handle(
        api.service,
        CASE_EVENTS,
        h.case_event("probation-case.address.created", crn, f"/people/{crn}/addresses/2", addressId="2"),
    )
    (moved, *_) = await _notifications(api, "probation-case.address.created")
    payload = moved["event"].additionalInformation["payload"]
    assert payload["view"] is None
    assert payload["change"]["sections"] == ["contact"] and payload["change"]["fields"] == ["contact.address"]
    assert payload["change"]["values"] == {
        "contact": {
            "address": {
                "id": "2",
                "building_name": None,
                "address_number": "3",
                "line1": "New Road",
                "line2": None,
                "town": "Leeds",
                "county": None,
                "postcode": "LS1 4AP",
                "address_type": None,
            }
        }
    }
    assert "Taylor" not in json.dumps(payload)  # the person's name did not change, so it is not sent again


# --- 4. sharing between organisations --------------------------------------------------------------


def _shared(timeline):
    return {(e["category"], e["text"]) for e in timeline["entries"] if e["kind"] == "provider-update"}


async def test_a_subcontractor_on_the_same_contract_is_another_organisation(api, h):
    crn = "X500005"
    acc = await api.sent(crn)
    prime, sub = api.provider("harbour-housing", h.ACC), api.provider("bridge-wellbeing", h.ACC)
    posted = {}
    for category, text in (
        ("SAFEGUARDING_CONCERN", "Child at risk"),
        ("HEALTH_DEPENDENCY", "Relapse"),
        ("GENERAL", "Attended induction"),
    ):
        response = await api.client.post(
            f"/referrals/{acc['id']}/updates", json={"category": category, "text": text}, headers=prime
        )
        assert response.status_code == 201, response.text
        posted[category] = response.json()["id"]
    timeline = lambda hdr: api.client.get(f"/people/{crn}/timeline", headers=hdr)  # noqa: E731
    assert _shared((await timeline(sub)).json()) == {("GENERAL", "Attended induction")}
    assert len(_shared((await timeline(prime)).json())) == 3  # the author's own organisation sees its own
    notified = [
        (n["key"], n["event"].additionalInformation["payload"]["update"]["category"])
        for n in await _notifications(api, "intervention.provider-update.created")
    ]
    assert notified == [("bridge-wellbeing", "GENERAL")]
    # WITHHOLD wins even over seeing the source referral.
    await api.client.put(
        f"/provider-updates/{posted['GENERAL']}/sharing-override",
        json={"decision": "WITHHOLD", "reason": "Disputed"},
        headers=api.practitioner(),
    )
    assert _shared((await timeline(sub)).json()) == set()
    assert len(_shared((await timeline(prime)).json())) == 3
    # Consent opens health; only a release opens safeguarding.
    await api.client.put(
        f"/people/{crn}/sharing-consent/HEALTH_DEPENDENCY", json={"granted": True}, headers=api.practitioner()
    )
    assert _shared((await timeline(sub)).json()) == {("HEALTH_DEPENDENCY", "Relapse")}
    released = await api.client.put(
        f"/provider-updates/{posted['SAFEGUARDING_CONCERN']}/sharing-override",
        json={"decision": "RELEASE", "reason": "Hosts the child"},
        headers=api.practitioner(),
    )
    assert released.status_code == 200
    assert _shared((await timeline(sub)).json()) == {
        ("HEALTH_DEPENDENCY", "Relapse"),
        ("SAFEGUARDING_CONCERN", "Child at risk"),
    }
    last = (await _notifications(api, "intervention.provider-update.created"))[-1]
    assert (
        last["key"] == "bridge-wellbeing"
        and last["event"].additionalInformation["payload"]["update"]["category"] == "SAFEGUARDING_CONCERN"
    )


# --- 5. limited access everywhere ------------------------------------------------------------------


async def test_limited_access_on_lists_consent_override_health_consent_and_preview(api, h):
    hidden, open_, excluded = "X500006", "X500007", "X500008"
    referrals = {crn: await api.sent(crn) for crn in (hidden, open_, excluded)}
    update = await api.client.post(
        f"/referrals/{referrals[hidden]['id']}/updates",
        json={"category": "GENERAL", "text": "x"},
        headers=api.provider("harbour-housing", h.ACC),
    )
    api.upstream.limits[hidden] = [{"kind": "RESTRICTION", "staff_code": "N99X999"}]
    api.upstream.limits[excluded] = [{"kind": "EXCLUSION", "staff_code": "N01P001"}]
    staff = api.tokens.headers(Role.PRACTITIONER, subject="pp-1", staff_code="N01P001")
    listed = (await api.client.get("/referrals", headers=staff)).json()
    assert {r["crn"] for r in listed} == {open_}
    named = api.tokens.headers(Role.PRACTITIONER, subject="pp-2", staff_code="N99X999")
    assert {r["crn"] for r in (await api.client.get("/referrals", headers=named)).json()} == {hidden, open_, excluded}
    calls = [
        ("GET", "/people/{crn}/sharing-consent", None),
        ("PUT", "/people/{crn}/sharing-consent/GENERAL", {"granted": False}),
        ("GET", "/people/{crn}/health-consent", None),
        ("PUT", "/people/{crn}/health-consent/harbour-housing", {"granted": True}),
        ("GET", "/people/{crn}/timeline", None),
    ]
    for method, path, body in calls:
        for crn, status in ((hidden, 404), (excluded, 403)):
            response = await api.client.request(method, path.format(crn=crn), json=body, headers=staff)
            assert response.status_code == status, (method, path, crn, response.text)
    override = await api.client.put(
        f"/provider-updates/{update.json()['id']}/sharing-override",
        json={"decision": "WITHHOLD", "reason": "r"},
        headers=staff,
    )
    assert override.status_code == 404
    preview = await api.client.get(
        f"/referrals/{referrals[hidden]['id']}/preview", params={"provider": "harbour-housing"}, headers=staff
    )
    assert preview.status_code == 404


# --- 6. audit ----------------------------------------------------------------------------------------


async def _audit_rows(api):
    log = PLATFORM.audit_log
    async with api.service.database.unit_of_work() as session:
        return (
            await session.execute(select(log.c.actor, log.c.subject_crn, log.c.action, log.c.reason).order_by(log.c.id))
        ).all()


async def test_a_list_writes_one_audit_row_per_person_shown_with_the_bounded_reason(api, h):
    for crn in ("X500009", "X500010"):
        await api.sent(crn)
    before = len(await _audit_rows(api))
    response = await api.client.get("/referrals", headers=api.practitioner() | {"X-Access-Reason": "caseload review"})
    assert response.status_code == 200
    rows = (await _audit_rows(api))[before:]
    assert sorted((r.subject_crn, r.action, r.reason) for r in rows) == [
        ("X500009", "list", "caseload review"),
        ("X500010", "list", "caseload review"),
    ]
    too_long = await api.client.get("/referrals", headers=api.practitioner() | {"X-Access-Reason": "x" * 5000})
    assert too_long.status_code == 400 and too_long.json()["code"] == "invalid-access-reason"
    referral_id = (await api.client.get("/referrals", headers=api.practitioner())).json()[0]["id"]
    for path in ("", "/amendments", "/action-plans", "/appointments", "/provider-view-history"):
        before = len(await _audit_rows(api))
        assert (
            await api.client.get(f"/referrals/{referral_id}{path}", headers=api.provider("harbour-housing", h.ACC))
        ).status_code == 200
        assert [r.actor for r in (await _audit_rows(api))[before:]] == ["cw@harbour-housing"], path


# --- 7. preview ----------------------------------------------------------------------------------------


def _withheld(part):
    return {(w["field"], w["reason"]) for w in part["withheld"]}


async def test_preview_shows_what_each_audience_would_see_and_why_the_rest_is_withheld(api, h):
    crn = "X500011"
    api.upstream.add_person(crn)
    api.upstream.risk[crn] = _risk(crn, to_self=[{"kind": "selfHarm", "current": True, "previous": False}])
    acc = await api.sent(crn)
    prime = api.provider("harbour-housing", h.ACC)
    safeguarding = await api.client.post(
        f"/referrals/{acc['id']}/updates",
        json={"category": "SAFEGUARDING_CONCERN", "text": "Child at risk"},
        headers=prime,
    )
    url = f"/referrals/{acc['id']}/preview"
    sub = (await api.client.get(url, params={"provider": "bridge-wellbeing"}, headers=api.practitioner())).json()
    assert sub["health_consent"] is False
    assert ("provider_view.risk.risk_to_self", "consent-missing") in _withheld(sub["referral"])
    assert "risk_to_self" not in sub["referral"]["shown"]["provider_view"]["risk"]
    assert ("payload.view.risk.risk_to_self", "policy") in _withheld(sub["notification"])
    assert (f"updates[{safeguarding.json()['id']}]", "not-released") in _withheld(sub["updates"])
    await api.client.put(
        f"/people/{crn}/health-consent/bridge-wellbeing", json={"granted": True}, headers=api.practitioner()
    )
    consented = (await api.client.get(url, params={"provider": "bridge-wellbeing"}, headers=api.practitioner())).json()
    assert consented["health_consent"] is True and not any(
        f.endswith("risk_to_self") for f, _ in _withheld(consented["referral"])
    )
    assert ("payload.view.risk.risk_to_self", "policy") in _withheld(
        consented["notification"]
    )  # notifications never carry health
    own = (await api.client.get(url, params={"provider": "harbour-housing"}, headers=api.practitioner())).json()
    assert [u["text"] for u in own["updates"]["shown"]] == ["Child at risk"]
    elsewhere = (await api.client.get(url, params={"provider": "northern-works"}, headers=api.practitioner())).json()
    assert _withheld(elsewhere["referral"]) == {("*", "not-on-contract")} and elsewhere["referral"]["shown"] is None
    police = (await api.client.get(url, params={"audience": "police"}, headers=api.practitioner())).json()
    assert {("provider_view.risk.summary", "policy"), ("provider_view.risk.risk_to_self", "policy")} <= _withheld(
        police["referral"]
    )
    auditor = (await api.client.get(url, params={"audience": "auditor"}, headers=api.practitioner())).json()
    assert auditor["referral"]["shown"]["provider_view"]["contact"]["phone"] == "***"
    assert (await api.client.get(url, params={"provider": "bridge-wellbeing"}, headers=prime)).status_code == 403
    assert (await api.client.get(url, headers=api.practitioner())).status_code == 400


# --- 8. provider-bound free text checked against victim records --------------------------------


async def test_provider_bound_text_naming_a_victim_is_refused_and_nothing_is_cut(api, h):
    crn = "X500012"
    api.upstream.add_person(crn)
    api.upstream.victims[crn] = ["Jordan Victimson"]
    body = {
        "crn": crn,
        "intervention_id": h.ACC_INTERVENTION,
        "desired_outcomes": ["Stays away from Jordan Victimson"],
        "needs": ["accommodation"],
    }
    refused = await api.client.post("/referrals", json=body, headers=api.practitioner())
    assert refused.status_code == 422 and refused.headers["content-type"].startswith("application/problem+json")
    assert refused.json()["code"] == "victim-identifier-in-provider-text"
    assert [(e["field"], e["matched"]) for e in refused.json()["errors"]] == [
        ("desired_outcomes[0]", "Jordan Victimson")
    ]
    assert api.upstream.text_checks[-1]["texts"] == {
        "desired_outcomes[0]": "Stays away from Jordan Victimson",
        "needs[0]": "accommodation",
    }
    assert (await api.client.get("/referrals", params={"crn": crn}, headers=api.practitioner())).json() == []
    sent = await api.sent(crn)
    amended = await api.client.patch(
        f"/referrals/{sent['id']}",
        json={"needs": ["debt"], "reason": "Jordan Victimson called the office"},
        headers=api.practitioner(),
    )
    assert amended.status_code == 422 and [e["field"] for e in amended.json()["errors"]] == ["reason"]
    assert (await api.client.get(f"/referrals/{sent['id']}", headers=api.practitioner())).json()["needs"] == [
        "accommodation"
    ]
    api.upstream.text_check_status = 500
    unavailable = await api.client.post(
        "/referrals", json=body | {"desired_outcomes": ["Housing"]}, headers=api.practitioner()
    )
    assert unavailable.status_code == 503 and unavailable.json()["code"] == "provider-text-check-unavailable"


async def test_views_stored_before_the_typed_view_are_read_back_by_allow_list(api, h):
    """Views stored by the old code hold the upstream risk document as it came (a known adult's name and
    street inside `risk.summary`), extra keys, and practitioner documents: none of it is read back."""
    from refer_monitor.db import queries as q

    crn = "X500013"
    sent = await api.sent(crn)
    old = {
        "person": {
            "crn": crn,
            "first_name": "Sam",
            "last_name": "Taylor",
            "date_of_birth": "1990-04-01",
            "sex": "MALE",
            "healthNotes": "on lithium",
        },
        "contact": {"address": {"postcode": "DH1 1AA", "victimName": "Jo Bloggs"}, "phone": "07700 900123"},
        "practitioner": {"staff_code": "N07A001", "name": "Pat Jones", "home_address": "1 Private Road"},
        "risk": {
            "overall_level": "HIGH",
            "summary": {"risk_to": {"known_adult": KNOWN_ADULT}},
            "tier": "B2",
            "registrations": [{"type": "MAPP", "victim": "x"}],
        },
        "enforcement": [],
        "victims": [{"name": "Jo Bloggs"}],
    }
    async with api.service.database.unit_of_work() as session:
        referral = await q.get_referral(session, sent["id"])
        referral.provider_view = old
    for headers in (api.provider("harbour-housing", h.ACC), api.practitioner()):
        view = (await api.client.get(f"/referrals/{sent['id']}", headers=headers)).json()["provider_view"]
        text = json.dumps(view)
        for secret in ("Jo Bloggs", "Mill Lane", "lithium", "Private Road", "victim"):
            assert secret not in text
        assert (
            view["risk"]["overall_level"] == "HIGH"
            and view["risk"]["summary"] is None
            and view["contact"]["address"]["postcode"] == "DH1 1AA"
        )
        assert view["practitioner"]["name"] == "Pat Jones"
