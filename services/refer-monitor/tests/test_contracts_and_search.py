"""Contracts a commissioner manages, the search a practitioner relies on and the commissioning view (issue 13)."""

from datetime import date, timedelta

from probation_shared.auth import Role


def _contract(reference, **overrides):
    return {
        "reference": reference,
        "contract_type": "ACC",
        "prime_provider_id": "harbour-housing",
        "region": "North East",
        "referral_start_date": "2024-01-01",
        "referral_end_date": "2030-12-31",
        "fixed_price_pence": 100,
        "volume_cap": 10,
    } | overrides


async def _create(api, reference, title="Extra", **overrides):
    hdr = api.tokens.headers(Role.COMMISSIONER)
    created = await api.client.post("/contracts", json=_contract(reference, **overrides), headers=hdr)
    assert created.status_code == 201, created.text
    intervention = await api.client.post(
        "/interventions", json={"contract_reference": reference, "title": title}, headers=hdr
    )
    assert intervention.status_code == 201, intervention.text
    return intervention.json()


async def _search(api, **params):
    response = await api.client.get("/interventions", params=params, headers=api.practitioner())
    assert response.status_code == 200, response.text
    return {i["contract_reference"] for i in response.json()}


async def test_contract_types_are_the_anchors_codes_with_a_display_name(api, h):
    read = await api.client.get(f"/contracts/{h.ACC}", headers=api.practitioner())
    assert (read.json()["contract_type"], read.json()["contract_type_name"]) == ("ACC", "Accommodation")
    types = {i["contract_type"] for i in (await api.client.get("/interventions", headers=api.practitioner())).json()}
    assert types == {"ACC", "ETE", "PWB", "FBD", "WOS"}
    long_name = await api.client.post(
        "/contracts",
        json=_contract("ACC-LONG-1", contract_type="ACCOMMODATION"),
        headers=api.tokens.headers(Role.COMMISSIONER),
    )
    assert long_name.status_code == 422 and long_name.json()["errors"][0]["field"] == "contract_type"
    assert await _search(api, contract_type="ETE") == {h.ETE}
    assert await _search(api, contract_type="WOS") == {"WMN-LDN-001"}
    bad = await api.client.get("/interventions", params={"contract_type": "ACCOMMODATION"}, headers=api.practitioner())
    assert bad.status_code in (400, 422) and bad.headers["content-type"].startswith("application/problem+json")


async def test_a_region_search_finds_the_pcc_area_contracts_within_it(api, h):
    # PWB-DUR-001 is let for Durham, a PCC area of the North East.
    assert "PWB-DUR-001" in await _search(api, region="North East")
    assert "PWB-DUR-001" not in await _search(api, region="London")
    await _create(api, "ACC-NTH-1", region=None, pcc_area="Northumbria")
    # A PCC-area search: the area's own contracts and the whole-region ones, not the region's other areas.
    durham = await _search(api, pcc_area="Durham")
    assert {"PWB-DUR-001", h.ACC, h.ETE} <= durham and "ACC-NTH-1" not in durham


async def test_a_past_date_does_not_bring_an_expired_contract_back(api, h):
    yesterday = date.today() - timedelta(days=1)
    await _create(api, "ACC-OLD-1", referral_start_date="2024-01-01")
    assert "ACC-OLD-1" in await _search(api, date=(yesterday - timedelta(days=30)).isoformat())
    ended = await api.client.patch(
        "/contracts/ACC-OLD-1",
        json={"reason": "Ended early", "referral_end_date": yesterday.isoformat()},
        headers=api.tokens.headers(Role.COMMISSIONER),
    )
    assert ended.status_code == 200, ended.text
    assert "ACC-OLD-1" not in await _search(api)
    assert "ACC-OLD-1" not in await _search(api, date=(yesterday - timedelta(days=30)).isoformat())
    # A future date still finds what will be open then.
    later = (date.today() + timedelta(days=30)).isoformat()
    await _create(api, "ACC-NEW-1", referral_start_date=later, referral_end_date="2030-12-31")
    assert "ACC-NEW-1" in await _search(api, date=later)
    assert "ACC-NEW-1" not in await _search(api)


async def test_a_commissioner_lists_and_changes_contracts_with_a_record_of_each_change(api, h):
    hdr = api.tokens.headers(Role.COMMISSIONER, subject="commissioner-1")
    for other in (api.practitioner(), api.provider("harbour-housing", h.ACC), api.tokens.headers(Role.OPERATOR)):
        assert (await api.client.get("/contracts", headers=other)).status_code == 403
        assert (
            await api.client.patch(f"/contracts/{h.ACC}", json={"reason": "x", "volume_cap": 5}, headers=other)
        ).status_code == 403
    listed = await api.client.get("/contracts", headers=hdr)
    assert listed.status_code == 200 and {c["reference"] for c in listed.json()} >= {h.ACC, h.ETE, "PWB-DUR-001"}
    changed = await api.client.patch(
        f"/contracts/{h.ACC}",
        json={"reason": "Uplift agreed", "volume_cap": 450, "referral_end_date": "2031-03-31", "subcontractor_ids": []},
        headers=hdr,
    )
    assert changed.status_code == 200, changed.text
    body = changed.json()
    assert (body["volume_cap"], body["referral_end_date"], body["subcontractor_ids"]) == (450, "2031-03-31", [])
    # The subcontractor removed no longer sees the contract's referrals.
    referral = await api.sent("X400001")
    assert (
        await api.client.get(f"/referrals/{referral['id']}", headers=api.provider("bridge-wellbeing", h.ACC))
    ).status_code == 404
    changes = (await api.client.get(f"/contracts/{h.ACC}/changes", headers=hdr)).json()
    assert {(c["field"], str(c["old_value"]), str(c["new_value"])) for c in changes} == {
        ("volume_cap", "400", "450"),
        ("referral_end_date", "2030-12-31", "2031-03-31"),
        ("subcontractor_ids", "['bridge-wellbeing']", "[]"),
    }
    assert all(c["changed_by"] == "commissioner-1" and c["reason"] == "Uplift agreed" for c in changes)
    invalid = await api.client.patch(
        f"/contracts/{h.ACC}",
        json={"reason": "x", "referral_end_date": "2023-01-01", "subcontractor_ids": ["harbour-housing", "nobody"]},
        headers=hdr,
    )
    assert invalid.status_code == 422 and invalid.json()["code"] == "invalid-contract"
    assert {e["field"] for e in invalid.json()["errors"]} == {"referral_end_date", "subcontractor_ids"}
    below = await api.client.patch(f"/contracts/{h.ACC}", json={"reason": "x", "volume_cap": 0}, headers=hdr)
    assert below.status_code == 422
    nothing = await api.client.patch(f"/contracts/{h.ACC}", json={"reason": "x", "volume_cap": 450}, headers=hdr)
    assert nothing.status_code == 422 and nothing.json()["code"] == "nothing-to-change"
    assert (
        await api.client.patch("/contracts/NOPE-1", json={"reason": "x", "volume_cap": 3}, headers=hdr)
    ).status_code == 404
    no_reason = await api.client.patch(f"/contracts/{h.ACC}", json={"volume_cap": 3}, headers=hdr)
    assert no_reason.status_code == 422


async def test_a_referral_cancelled_as_a_duplicate_does_not_count_against_the_cap(api, h):
    intervention = await _create(api, "ACC-CAP-1", volume_cap=1)
    duplicate = await api.sent("X400010", intervention["id"])
    withdrawn = await api.client.post(
        f"/referrals/{duplicate['id']}/withdraw", json={"code": "MIS"}, headers=api.practitioner()
    )
    assert withdrawn.status_code == 200
    await api.sent("X400011", intervention["id"])  # within the cap: the duplicate is not counted
    api.upstream.add_person("X400012")
    third = await api.draft("X400012", intervention["id"])
    refused = await api.client.post(f"/referrals/{third['id']}/send", headers=api.practitioner())
    assert refused.status_code == 409 and refused.json()["code"] == "volume-cap-reached"
    demand = (await api.client.get("/commissioning/demand", headers=api.tokens.headers(Role.COMMISSIONER))).json()
    row = next(r for r in demand["by_contract"] if r["contract_reference"] == "ACC-CAP-1")
    assert (row["volume_cap"], row["referrals"], row["percent_of_cap"], row["prime_provider_id"]) == (
        1,
        1,
        100.0,
        "harbour-housing",
    )


async def test_the_commissioning_view_has_per_contract_and_per_provider_rows(api, h):
    await api.sent("X400020")
    await api.sent("X400021", h.ETE_INTERVENTION)
    response = await api.client.get("/commissioning/demand", headers=api.tokens.headers(Role.COMMISSIONER))
    body = response.json()
    contracts = {r["contract_reference"]: r for r in body["by_contract"]}
    assert (contracts[h.ACC]["referrals"], contracts[h.ACC]["volume_cap"], contracts[h.ACC]["contract_type"]) == (
        1,
        400,
        "ACC",
    )
    assert contracts["PWB-DUR-001"]["region"] == "North East" and contracts["PWB-DUR-001"]["referrals"] == 0
    providers = {r["provider_id"]: r for r in body["by_provider"]}
    assert (providers["harbour-housing"]["contracts"], providers["harbour-housing"]["referrals"]) == (1, 1)
    assert (providers["bridge-wellbeing"]["contracts"], providers["bridge-wellbeing"]["volume_cap"]) == (2, 350)
    assert "X400020" not in response.text and "Sam" not in response.text
