"""Authorisation on every endpoint, audience views, and victim details never reaching a provider."""

import json
import random
import string

import pytest

from probation_shared.auth import Role
from risk_assessment.events import handlers

CRN = "X300003"
LEVELS = ["LOW", "MEDIUM", "HIGH", "VERY_HIGH"]

ENDPOINTS = [
    ("GET", f"/people/{CRN}", None),
    ("GET", "/assessment-sections", None),
    ("POST", f"/people/{CRN}/assessments", {}),
    ("GET", f"/people/{CRN}/assessments", None),
    ("GET", "/assessments/abc", None),
    ("PATCH", "/assessments/abc", {"sections": {}}),
    ("POST", "/assessments/abc/complete", {}),
    ("POST", f"/people/{CRN}/rosh", {"community": {}, "reason": "r"}),
    ("GET", f"/people/{CRN}/rosh", None),
    ("GET", f"/people/{CRN}/risk-summary", None),
    ("POST", "/ogrs3/calculate", {}),
    ("POST", f"/people/{CRN}/scores/ogrs3", {}),
    ("POST", f"/people/{CRN}/scores", {}),
    ("GET", f"/people/{CRN}/scores", None),
    ("GET", f"/people/{CRN}/tier", None),
    ("GET", f"/people/{CRN}/tier/history", None),
    ("POST", f"/people/{CRN}/tier/recalculate", None),
    ("GET", "/tiers/counts", None),
    ("POST", f"/people/{CRN}/psr-proposals", {}),
    ("GET", "/psr-proposals/abc", None),
    ("POST", "/psr-proposals/abc/override", {}),
]


async def test_every_endpoint_refuses_no_token_and_the_wrong_role(api):
    for method, path, body in ENDPOINTS:
        anonymous = await api.client.request(method, path, json=body)
        assert anonymous.status_code == 401, (method, path)
        assert anonymous.headers["content-type"].startswith("application/problem+json")
        wrong_role = Role.OPERATOR if path == "/tiers/counts" else Role.COMMISSIONER
        denied = await api.client.request(method, path, json=body, headers=api.headers(wrong_role))
        assert denied.status_code == 403, (method, path, denied.text)
    for method, path, body in ENDPOINTS:
        if path.endswith("/risk-summary"):
            continue
        provider = await api.client.request(
            method, path, json=body, headers=api.headers(Role.PROVIDER_CASEWORKER, provider_id="P1")
        )
        assert provider.status_code == 403, (method, path)
    # Writes are for probation staff only: a service token or a police partner may not re-rate RoSH.
    for role in (Role.SERVICE, Role.POLICE_PARTNER, Role.AUDITOR):
        body = {"community": {"children": "LOW", "public": "LOW", "knownAdult": "LOW", "staff": "LOW"}, "reason": "r"}
        assert (await api.client.post(f"/people/{CRN}/rosh", json=body, headers=api.headers(role))).status_code == 403


async def referral(api, event_type: str, crn: str, provider: str, referral_id: str) -> None:
    await api.handle(
        handlers.on_referral,
        api.event(event_type, crn, referralId=referral_id, providerId=provider, referralReference="AB1234AC"),
    )


async def test_audiences_see_what_they_may(api):
    staff = api.staff()
    rosh = {
        "community": {"children": "LOW", "public": "HIGH", "knownAdult": "MEDIUM", "staff": "LOW"},
        "custody": {"prisoners": "MEDIUM"},
        "narrative": {
            "whoIsAtRisk": "Known adult: Jane Roe, his former partner",
            "natureOfRisk": "Violence when drinking",
            "imminence": "Not imminent",
            "increasingFactors": "Alcohol",
            "mitigatingFactors": "Employment",
            "providerSummary": "Violence when drinking; keep sessions in daytime",
        },
        "riskToSelf": {
            "selfHarm": {"current": False, "previous": True, "details": "Cut himself in 2019 after Jane Roe left"}
        },
        "victims": [{"name": "Jane Roe", "address": "1 Mill Lane, Oxbridge", "relationship": "former partner"}],
        "reason": "new",
    }
    assert (await api.client.post(f"/people/{CRN}/rosh", json=rosh, headers=staff)).status_code == 201

    full = (await api.client.get(f"/people/{CRN}/risk-summary", headers=staff)).json()
    assert (
        full["view"] == "full"
        and full["rosh"]["victims"][0]["name"] == "Jane Roe"
        and full["rosh"]["overall"] == "HIGH"
    )

    provider = api.headers(Role.PROVIDER_CASEWORKER, provider_id="P1")
    assert (await api.client.get(f"/people/{CRN}/risk-summary", headers=provider)).status_code == 404
    await referral(api, "intervention.referral.sent", CRN, "P1", "REF1")
    seen = await api.client.get(f"/people/{CRN}/risk-summary", headers=provider)
    assert seen.status_code == 200
    body = seen.json()
    assert (
        body["view"] == "provider"
        and body["overall"] == "HIGH"
        and body["groupsAtRisk"] == ["public", "knownAdult", "prisoners"]
    )
    assert body["summary"] == "Violence when drinking; keep sessions in daytime"
    assert (
        "riskToSelf" not in body
    )  # HEALTH: a provider sees it only with the person's consent, which refer-monitor holds
    text = json.dumps(body).lower()
    for secret in ("jane", "roe", "mill lane", "oxbridge", "former partner", "employment", "imminent", "cut himself"):
        assert secret not in text, secret
    # Another provider, and the same provider once the referral has ended, cannot tell the person exists.
    assert (
        await api.client.get(
            f"/people/{CRN}/risk-summary", headers=api.headers(Role.PROVIDER_CASEWORKER, provider_id="P2")
        )
    ).status_code == 404
    assert (await api.client.get("/people/X999999/risk-summary", headers=provider)).status_code == 404
    assert (
        await api.client.get(f"/people/{CRN}/risk-summary", params={"view": "full"}, headers=provider)
    ).status_code == 403
    await referral(api, "intervention.referral.assigned", CRN, "P1", "REF1")
    await referral(api, "intervention.referral.withdrawn", CRN, "P1", "REF1")
    await referral(api, "intervention.referral.amended", CRN, "P1", "REF1")  # late: does not reopen
    assert (await api.client.get(f"/people/{CRN}/risk-summary", headers=provider)).status_code == 404

    # A service token may ask for exactly what a provider sees.
    as_provider = (
        await api.client.get(
            f"/people/{CRN}/risk-summary", params={"view": "provider"}, headers=api.headers(Role.SERVICE)
        )
    ).json()
    assert as_provider.pop("riskToSelf") == [
        {"kind": "selfHarm", "current": False, "previous": True}
    ]  # flags, never the details text
    assert as_provider == body

    police = api.headers(Role.POLICE_PARTNER)
    assert (await api.client.get(f"/people/{CRN}/risk-summary", headers=police)).status_code == 404
    await api.handle(
        handlers.on_registration,
        api.event(
            "probation-case.registration.added",
            CRN,
            registrationId="M1",
            registerTypeCode="MAPP",
            registerLevel="M2",
            registerCategory="M1",
        ),
    )
    police_view = (await api.client.get(f"/people/{CRN}/risk-summary", headers=police)).json()
    assert set(police_view) == {"crn", "view", "version", "overall", "community", "custody", "mappa"}
    assert police_view["mappa"] == {"level": "M2", "category": "M1"} and police_view["overall"] == "HIGH"

    commissioner = api.headers(Role.COMMISSIONER)
    assert (await api.client.get(f"/people/{CRN}/risk-summary", headers=commissioner)).status_code == 403
    counts = (await api.client.get("/tiers/counts", headers=commissioner)).json()
    assert counts == {"counts": {"A0": 1}, "total": 1}  # RoSH HIGH 20 + MAPPA M2 150

    auditor = (await api.client.get(f"/people/{CRN}/risk-summary", headers=api.headers(Role.AUDITOR))).json()
    assert auditor["rosh"]["victims"] == ["***"]


def _word(rng: random.Random, n: int = 7) -> str:
    return rng.choice(string.ascii_uppercase) + "".join(rng.choice(string.ascii_lowercase) for _ in range(n - 1))


async def test_no_victim_detail_reaches_any_provider_visible_payload_across_many_records(api):
    """300 generated RoSH versions over 60 people, victims typed into the narrative too."""
    rng = random.Random(4)
    staff = api.staff()
    secrets: list[str] = []
    provider_payloads: list[str] = []
    people = [f"V{i:06d}" for i in range(60)]
    overall: dict[str, str] = {}
    level_changes = 0
    for i, crn in enumerate(people):
        await referral(api, "intervention.referral.sent", crn, "PROV", f"R{i}")
    for round_ in range(5):
        for crn in people:
            victims = [
                {
                    "name": f"{_word(rng)} {_word(rng, 9)}",
                    "address": f"{rng.randint(1, 300)} {_word(rng)} Road, {_word(rng, 8)}",
                    "relationship": f"{_word(rng, 6).lower()}-{_word(rng, 5).lower()}",
                }
                for _ in range(rng.randint(1, 3))
            ]
            named = rng.choice(victims)
            body = {
                "community": {g: rng.choice(LEVELS) for g in ("children", "public", "knownAdult", "staff")},
                "narrative": {
                    "whoIsAtRisk": f"{named['relationship']} {named['name']} at {named['address']}",
                    "natureOfRisk": f"Threats to {named['name'].split()[0]} by phone",
                    "increasingFactors": named["address"],
                },
                "riskToSelf": {
                    "vulnerability": {"current": True, "details": f"since {named['name'].split()[1].upper()} moved"}
                },
                "victims": victims,
                "reason": f"round {round_}",
            }
            created = await api.client.post(f"/people/{crn}/rosh", json=body, headers=staff)
            assert created.status_code == 201, created.text
            level_changes += overall.get(crn) != created.json()["overall"]
            overall[crn] = created.json()["overall"]
            for victim in victims:
                secrets.extend([victim["name"], *victim["name"].split(), victim["address"], victim["relationship"]])
            response = await api.client.get(
                f"/people/{crn}/risk-summary", headers=api.headers(Role.PROVIDER_CASEWORKER, provider_id="PROV")
            )
            assert response.status_code == 200 and response.json()["version"] == round_ + 1
            provider_payloads.append(response.text)
    events = await api.outbox()
    # One event per change of overall level (not per version): well over 60, below 300 with this seed.
    assert len([e for e in events if e["eventType"] == "risk-assessment.rosh.changed"]) == level_changes
    assert 60 < level_changes < 300
    provider_payloads.extend(json.dumps(e) for e in events)
    haystack = "\n".join(provider_payloads).lower()
    leaked = {s for s in secrets if s.lower() in haystack}
    assert not leaked
    # The check can fail: the staff view does carry them.
    full = (await api.client.get(f"/people/{people[0]}/risk-summary", headers=staff)).text.lower()
    assert any(s.lower() in full for s in secrets)


@pytest.mark.parametrize(
    "body, field",
    [
        ({"community": {"children": "LOW", "public": "LOW", "knownAdult": "LOW", "staff": "LOW"}}, "reason"),
        (
            {"community": {"children": "LOW", "public": "EXTREME", "knownAdult": "LOW", "staff": "LOW"}, "reason": "x"},
            "community.public",
        ),
        (
            {"community": {"children": "LOW", "pets": "LOW", "knownAdult": "LOW", "staff": "LOW"}, "reason": "x"},
            "community.pets",
        ),
        ({"community": {"children": "LOW"}, "reason": "first version needs every group"}, "community.public"),
        ({"community": {}, "riskToSelf": {"boredom": {"current": True}}, "reason": "x"}, "riskToSelf.boredom"),
        ({"community": {}, "victims": [{"address": "1 Road"}], "reason": "x"}, "victims.0.name"),
    ],
)
async def test_invalid_rosh_is_a_422_naming_the_field(api, body, field):
    refused = await api.client.post(f"/people/{CRN}/rosh", json=body, headers=api.staff())
    assert refused.status_code == 422
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert any(e["field"].startswith(field) for e in refused.json()["errors"]), refused.json()


async def test_rerating_keeps_history_and_carries_over(api):
    staff = api.staff()
    first = {
        "community": {"children": "LOW", "public": "MEDIUM", "knownAdult": "LOW", "staff": "LOW"},
        "narrative": {"natureOfRisk": "Threats"},
        "victims": [{"name": "Ann Smith"}],
        "reason": "initial",
    }
    await api.client.post(f"/people/{CRN}/rosh", json=first, headers=staff)
    second = await api.client.post(
        f"/people/{CRN}/rosh",
        json={"community": {"public": "HIGH"}, "reason": "new threats reported"},
        headers=api.headers(Role.SENIOR_PROBATION_OFFICER, subject="spo-2"),
    )
    assert second.status_code == 201
    history = (await api.client.get(f"/people/{CRN}/rosh", headers=staff)).json()
    assert [(v["version"], v["overall"], v["author"], v["reason"]) for v in history] == [
        (1, "MEDIUM", "practitioner-1", "initial"),
        (2, "HIGH", "spo-2", "new threats reported"),
    ]
    assert history[1]["narrative"]["natureOfRisk"] == "Threats"
    assert history[1]["victims"] == [
        {"name": "Ann Smith", "address": None, "relationship": None, "phone": None, "email": None}
    ]
    changed = await api.outbox("risk-assessment.rosh.changed")
    assert [e["additionalInformation"] for e in changed] == [
        {"overallLevel": "MEDIUM", "previousLevel": None, "version": 1},
        {"overallLevel": "HIGH", "previousLevel": "MEDIUM", "version": 2},
    ]
    assert changed[1]["detailUrl"] == f"http://risk-assessment.test/people/{CRN}/risk-summary"


async def test_psr_proposals_and_override(api):
    staff = api.staff()
    assessment = (await api.client.post(f"/people/{CRN}/assessments", headers=staff)).json()
    sections = api.answers_at(
        "NONE",
        ACCOMMODATION={"3.3": "YES", "3.4": "SOME"},
        EDUCATION_TRAINING_EMPLOYMENT={"4.2": "YES", "4.3": "SOME"},
        DRUG_MISUSE={"8.1": "CURRENTLY"},
    )
    await api.client.patch(f"/assessments/{assessment['id']}", json={"sections": sections}, headers=staff)
    await api.client.post(f"/assessments/{assessment['id']}/complete", headers=staff)

    refused = await api.client.post(
        f"/people/{CRN}/psr-proposals", json={"offenceCode": "nope", "offenceDescription": "x"}, headers=staff
    )
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "offenceCode"
    made = await api.client.post(
        f"/people/{CRN}/psr-proposals",
        json={"offenceCode": "038/00", "offenceDescription": "Theft from a shop"},
        headers=staff,
    )
    assert made.status_code == 201, made.text
    recommended = made.json()["recommended"]
    assert recommended["sentenceType"] == "COMMUNITY_ORDER"
    by_type = {r["type"]: r for r in recommended["requirements"]}
    assert (
        by_type["RAR"]["activities"] == ["accommodation", "education, training and employment"]
        and by_type["RAR"]["days"] == 20
    )
    assert "DRR" in by_type and "ATR" not in by_type
    assert "reason" in by_type["DRR"]

    proposal_id = made.json()["id"]
    assert (
        await api.client.post(f"/psr-proposals/{proposal_id}/override", json={"sentenceType": "FINE"}, headers=staff)
    ).status_code == 422
    overridden = await api.client.post(
        f"/psr-proposals/{proposal_id}/override",
        json={"sentenceType": "SUSPENDED_SENTENCE_ORDER", "requirements": ["RAR", "DRR"], "reason": "Breach history"},
        headers=staff,
    )
    assert overridden.status_code == 200
    stored = (await api.client.get(f"/psr-proposals/{proposal_id}", headers=staff)).json()["override"]
    assert (stored["sentenceType"], stored["reason"], stored["by"]) == (
        "SUSPENDED_SENTENCE_ORDER",
        "Breach history",
        "practitioner-1",
    )
    assert (
        await api.client.post(
            f"/psr-proposals/{proposal_id}/override", json={"sentenceType": "FINE", "reason": "x"}, headers=staff
        )
    ).status_code == 409
