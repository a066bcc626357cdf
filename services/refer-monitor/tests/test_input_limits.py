"""Regression tests for issue 10's Found items on refer-monitor."""

from __future__ import annotations

from probation_shared.auth import Role

PROBLEM = "application/problem+json"


def _refused(response, status: int = 422) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    return response.json()


async def test_patch_with_null_lists_is_422_not_500(api):
    api.upstream.add_person("X200001")
    draft = await api.draft("X200001")
    for field in ("needs", "desired_outcomes"):
        _refused(await api.client.patch(f"/referrals/{draft['id']}", json={field: None}, headers=api.practitioner()))
    ok = await api.client.patch(f"/referrals/{draft['id']}", json={"needs": []}, headers=api.practitioner())
    assert ok.status_code == 200 and ok.json()["needs"] == []


async def test_a_sent_referral_keeps_a_desired_outcome(api):
    sent = await api.sent("X200002")
    emptied = await api.client.patch(
        f"/referrals/{sent['id']}", json={"desired_outcomes": [], "reason": "tidy"}, headers=api.practitioner()
    )
    assert _refused(emptied)["code"] == "desired-outcomes-required"
    kept = await api.client.patch(
        f"/referrals/{sent['id']}",
        json={"desired_outcomes": ["Stable housing"], "reason": "focus"},
        headers=api.practitioner(),
    )
    assert kept.status_code == 200


async def test_contract_price_and_volume_cap_are_bounded(api, tokens):
    commissioner = tokens.headers(Role.COMMISSIONER)
    base = {
        "reference": "TST-LIM-001",
        "contract_type": "ACC",
        "prime_provider_id": "harbour-housing",
        "referral_start_date": "2026-01-01",
        "referral_end_date": "2027-01-01",
        "fixed_price_pence": 100_000,
        "volume_cap": 10,
    }
    for bad in (
        {"fixed_price_pence": 10**19},
        {"volume_cap": 10**19},
        {"fixed_price_pence": 2**31},
        {"referral_end_date": "9999-01-01"},
        {"region": "North\x00East"},
    ):
        _refused(await api.client.post("/contracts", json=base | bad, headers=commissioner))
    created = await api.client.post("/contracts", json=base | {"region": "North East"}, headers=commissioner)
    assert created.status_code == 201, created.text


async def test_appointments_in_year_one_and_nul_text_are_refused(api):
    sent = await api.sent("X200003")
    hdr = api.provider("harbour-housing", "ACC-NE-001")
    assert (await api.client.post(f"/referrals/{sent['id']}/assign", headers=hdr)).status_code == 200
    _refused(
        await api.client.post(
            f"/referrals/{sent['id']}/appointments",
            json={"kind": "INITIAL_ASSESSMENT", "scheduled_at": "0001-01-01T10:00:00Z"},
            headers=hdr,
        )
    )
    _refused(
        await api.client.post(
            f"/referrals/{sent['id']}/updates", json={"category": "PROGRESS", "text": "fine\x00"}, headers=hdr
        )
    )
    _refused(await api.client.get("/referrals/a%00b", headers=api.practitioner()))
