"""Acceptance across services: the real case-allocation publishes an address change; refer-monitor
follows its detailUrl back to case-allocation and updates both providers' views, one notification each.
(risk-assessment's provider-view risk summary is served by the stand-in until that endpoint exists.)"""

import httpx
import pytest

from probation_shared.auth import Role
from probation_shared.testing.plugin import eventually
from refer_monitor.db import queries as q
from refer_monitor.service import SPEC

case_allocation = pytest.importorskip("case_allocation.service")


async def test_address_change_in_case_allocation_reaches_both_providers(start_service, upstream, tokens, h):
    cases = await start_service(case_allocation.SPEC)
    rm = await start_service(SPEC, case_allocation_url=h.CASE_URL, risk_assessment_url=h.RISK_URL)
    rm.app.state.http.mount(
        {
            h.CASE_URL: httpx.ASGITransport(app=cases.app),
            h.RISK_URL: httpx.ASGITransport(app=upstream.risk_app()),
            rm.settings.public_base_url: httpx.ASGITransport(app=rm.app),
        }
    )
    await SPEC.seed(rm.database, rm.settings)
    api = h.Api(rm, tokens, upstream)
    staff = tokens.headers(Role.PRACTITIONER)

    person = await cases.client.post(
        "/people",
        json={"first_name": "Ada", "last_name": "Lovelace", "date_of_birth": "1985-12-10", "sex": "FEMALE"},
        headers=staff,
    )
    assert person.status_code == 201, person.text
    crn = person.json()["crn"]
    address = await cases.client.post(
        f"/people/{crn}/addresses",
        headers=staff,
        json={
            "status": "MAIN",
            "line1": "12 High Street",
            "town": "Durham",
            "postcode": "DH1 1AA",
            "start_date": "2024-01-01",
        },
    )
    assert address.status_code == 201, address.text

    async def projection_has(postcode):
        async with rm.database.unit_of_work() as session:
            found = await q.get_person(session, crn)
            return found is not None and (found.address or {}).get("postcode") == postcode

    await eventually(lambda: projection_has("DH1 1AA"), timeout=30)
    upstream.add_person(crn)  # the risk summary stand-in
    async with rm.database.unit_of_work() as session:  # the manager comes from allocation, out of this test's scope
        (await q.person_for_update(session, crn)).practitioner = {
            "staff_code": "N07A001",
            "name": "Pat Jones",
            "email": "pat.jones@probation.example",
            "phone": "0191 000 0000",
        }
    acc = (
        await api.client.post(
            "/referrals",
            json={"crn": crn, "intervention_id": h.ACC_INTERVENTION, "desired_outcomes": ["Housing"]},
            headers=api.practitioner(),
        )
    ).json()
    ete = (
        await api.client.post(
            "/referrals",
            json={"crn": crn, "intervention_id": h.ETE_INTERVENTION, "desired_outcomes": ["Work"]},
            headers=api.practitioner(),
        )
    ).json()
    for referral in (acc, ete):
        sent = await api.client.post(f"/referrals/{referral['id']}/send", headers=api.practitioner())
        assert sent.status_code == 200, sent.text
        assert sent.json()["provider_view"]["person"]["first_name"] == "Ada"

    moved = await cases.client.patch(
        f"/people/{crn}/addresses/{address.json()['id']}",
        json={"line1": "3 New Road", "town": "Leeds", "postcode": "LS1 4AP"},
        headers=staff,
    )
    assert moved.status_code == 200, moved.text
    readers = {acc["id"]: api.provider("harbour-housing", h.ACC), ete["id"]: api.provider("northern-works", h.ETE)}

    async def both_views_moved():
        for rid, hdr in readers.items():
            view = (await api.client.get(f"/referrals/{rid}", headers=hdr)).json()["provider_view"]
            if (view["contact"]["address"] or {}).get("postcode") != "LS1 4AP":
                return False
        return True

    await eventually(both_views_moved, timeout=30)
    notes = [
        n["key"]
        for n in await api.outbox("partner-notifications")
        if n["event"].additionalInformation["notificationType"] == "probation-case.address.updated"
    ]
    assert sorted(notes) == ["bridge-wellbeing", "harbour-housing", "northern-works"]


def _has_route(spec, path: str) -> bool:
    return any(getattr(route, "path", None) == path for router in spec.routers for route in router.routes)


async def test_provider_text_naming_a_victim_recorded_in_risk_assessment_is_refused(start_service, tokens, h):
    """With the real risk-assessment (and case-allocation, from which it learns of the person): text for the
    provider naming the victim recorded on the person's RoSH is refused, naming the field and the match.
    Skipped until risk-assessment serves `POST /people/{crn}/provider-text-check` (being built there)."""
    risk_assessment = pytest.importorskip("risk_assessment.service")
    if not _has_route(risk_assessment.SPEC, "/people/{crn}/provider-text-check"):
        pytest.skip("risk-assessment does not serve POST /people/{crn}/provider-text-check yet")
    cases = await start_service(case_allocation.SPEC)
    risk = await start_service(risk_assessment.SPEC)
    rm = await start_service(
        SPEC, case_allocation_url=cases.settings.public_base_url, risk_assessment_url=risk.settings.public_base_url
    )
    await SPEC.seed(rm.database, rm.settings)
    staff = tokens.headers(Role.PRACTITIONER, staff_code="N07A001")
    person = await cases.client.post(
        "/people",
        json={"first_name": "Sam", "last_name": "Taylor", "date_of_birth": "1990-04-01", "sex": "MALE"},
        headers=staff,
    )
    assert person.status_code == 201, person.text
    crn = person.json()["crn"]
    rosh = {
        "community": {"public": "MEDIUM", "knownAdult": "HIGH", "children": "LOW", "staff": "LOW"},
        "narrative": {"natureOfRisk": "Violence towards a former partner", "whoIsAtRisk": "Known adults"},
        "victims": [
            {"name": "Jordan Victimson", "address": "9 Hidden Close, Durham DH9 9ZZ", "relationship": "former partner"}
        ],
        "reason": "initial",
    }

    async def risk_knows_person() -> bool:
        return (await risk.client.post(f"/people/{crn}/rosh", json=rosh, headers=staff)).status_code == 201

    await eventually(risk_knows_person, timeout=30)
    body = {"crn": crn, "intervention_id": h.ACC_INTERVENTION, "desired_outcomes": ["No contact with Jordan Victimson"]}
    refused = await rm.client.post("/referrals", json=body, headers=staff)
    assert refused.status_code == 422, refused.text
    assert refused.json()["code"] == "victim-identifier-in-provider-text"
    assert {e["field"] for e in refused.json()["errors"]} == {"desired_outcomes[0]"}
    accepted = await rm.client.post("/referrals", json=body | {"desired_outcomes": ["Settled housing"]}, headers=staff)
    assert accepted.status_code == 201, accepted.text
