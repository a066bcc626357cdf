"""Access control on every endpoint: providers by organisation + contract, drafts hidden, 404 not 403
for what a provider should not know exists, commissioner aggregates only."""

from datetime import UTC, datetime, timedelta

from probation_shared.auth import Role


async def test_subcontractor_with_the_contract_can_read_and_assign_without_it_404(api, h):
    referral = await api.sent("X200001")
    rid = referral["id"]
    sub = api.provider("bridge-wellbeing", h.ACC)
    read = await api.client.get(f"/referrals/{rid}", headers=sub)
    assert read.status_code == 200 and read.json()["provider_view"]["contact"]["address"]["postcode"] == "DH1 1AA"
    assigned = await api.client.post(
        f"/referrals/{rid}/assign", json={"caseworker": "cw@bridge-wellbeing"}, headers=sub
    )
    assert assigned.status_code == 200 and assigned.json()["assigned_to"] == "cw@bridge-wellbeing"
    # The same user without the contract in their token: as if the referral did not exist.
    without = api.provider("bridge-wellbeing", "PWB-DUR-001")
    for method, path, body in [
        ("GET", f"/referrals/{rid}", None),
        ("POST", f"/referrals/{rid}/assign", {}),
        ("GET", f"/referrals/{rid}/amendments", None),
        ("GET", f"/referrals/{rid}/provider-view-history", None),
        ("POST", f"/referrals/{rid}/updates", {"category": "GENERAL", "text": "hello"}),
        (
            "POST",
            f"/referrals/{rid}/appointments",
            {"kind": "INITIAL_ASSESSMENT", "scheduled_at": datetime.now(UTC).isoformat()},
        ),
    ]:
        response = await api.client.request(method, path, json=body, headers=without)
        assert response.status_code == 404, (path, response.text)
    listed = await api.client.get("/referrals", headers=without)
    assert listed.status_code == 200 and listed.json() == []
    # A provider holding the contract reference but not on the contract is refused too.
    outsider = api.provider("keystone-finance", h.ACC)
    assert (await api.client.get(f"/referrals/{rid}", headers=outsider)).status_code == 404
    assert (await api.client.get("/referrals/does-not-exist", headers=sub)).status_code == 404


async def test_drafts_are_never_visible_to_providers(api, h):
    draft = await api.draft("X200002")
    prime = api.provider("harbour-housing", h.ACC)
    assert (await api.client.get(f"/referrals/{draft['id']}", headers=prime)).status_code == 404
    assert (await api.client.post(f"/referrals/{draft['id']}/assign", headers=prime)).status_code == 404
    assert (await api.client.get("/referrals", headers=prime)).json() == []
    assert (await api.client.get(f"/referrals/{draft['id']}", headers=api.practitioner())).status_code == 200


async def test_provider_list_shows_only_its_contracts_referrals(api, h):
    acc = await api.sent("X200003")
    ete = await api.sent("X200004", h.ETE_INTERVENTION)
    listed = (await api.client.get("/referrals", headers=api.provider("harbour-housing", h.ACC, h.ETE))).json()
    assert [r["id"] for r in listed] == [acc["id"]]
    assert listed[0]["person_name"] == "Sam Taylor"
    ete_list = (await api.client.get("/referrals", headers=api.provider("northern-works", h.ETE))).json()
    assert [r["id"] for r in ete_list] == [ete["id"]]


async def test_role_boundaries(api, h):
    referral = await api.sent("X200005")
    rid = referral["id"]
    commissioner = api.tokens.headers(Role.COMMISSIONER)
    prime = api.provider("harbour-housing", h.ACC)
    # Commissioner: no referral-level access at all.
    for method, path in [
        ("GET", f"/referrals/{rid}"),
        ("GET", "/referrals"),
        ("GET", "/people/X200005/timeline"),
        ("POST", f"/referrals/{rid}/withdraw"),
    ]:
        response = await api.client.request(method, path, json={"code": "MOV"}, headers=commissioner)
        assert response.status_code == 403, path
    # Providers cannot do probation's actions, probation cannot do the provider's.
    assert (await api.client.post(f"/referrals/{rid}/withdraw", json={"code": "MOV"}, headers=prime)).status_code == 403
    assert (
        await api.client.patch(f"/referrals/{rid}", json={"needs": [], "reason": "x"}, headers=prime)
    ).status_code == 403
    assert (
        await api.client.post(
            "/referrals", json={"crn": "X200005", "intervention_id": h.ACC_INTERVENTION}, headers=prime
        )
    ).status_code == 403
    assert (await api.client.post(f"/referrals/{rid}/assign", headers=api.practitioner())).status_code == 403
    assert (
        await api.client.put("/people/X200005/sharing-consent/HEALTH_DEPENDENCY", json={"granted": True}, headers=prime)
    ).status_code == 403
    assert (await api.client.get(f"/referrals/{rid}")).status_code == 401
    assert (await api.client.post("/contracts", json={}, headers=api.practitioner())).status_code == 403


async def test_commissioning_view_is_counts_only_and_commissioner_only(api, h):
    await api.sent("X200006")
    await api.sent("X200007")
    await api.sent("X200008", h.ETE_INTERVENTION)
    for headers in (
        api.practitioner(),
        api.provider("harbour-housing", h.ACC),
        api.tokens.headers(Role.SENIOR_PROBATION_OFFICER),
    ):
        assert (await api.client.get("/commissioning/demand", headers=headers)).status_code == 403
    response = await api.client.get("/commissioning/demand", headers=api.tokens.headers(Role.COMMISSIONER))
    assert response.status_code == 200
    body = response.json()
    month = datetime.now(UTC).strftime("%Y-%m")
    assert {"region": "North East", "contract_type": "ACC", "month": month, "referrals": 2} in body["by_month"]
    assert {"region": "North East", "contract_type": "ETE", "month": month, "referrals": 1} in body["by_month"]
    acc = next(r for r in body["against_cap"] if r["region"] == "North East" and r["contract_type"] == "ACC")
    assert (acc["volume_cap"], acc["referrals"]) == (400, 2)
    text = response.text
    assert "X200006" not in text and "Sam" not in text and "DH1" not in text  # no personal data


async def test_reads_of_personal_data_are_audited(api, h):
    referral = await api.sent("X200009")
    await api.client.get(
        f"/referrals/{referral['id']}", headers=api.provider("harbour-housing", h.ACC, subject="auditee")
    )
    from sqlalchemy import select

    from refer_monitor.db.models import PLATFORM

    async with api.service.database.unit_of_work() as session:
        rows = (await session.execute(select(PLATFORM.audit_log.c.actor, PLATFORM.audit_log.c.subject_crn))).all()
    assert ("auditee", "X200009") in [tuple(r) for r in rows]


async def test_catalogue_search_and_expiry(api, h):
    p = api.practitioner()
    commissioner = api.tokens.headers(Role.COMMISSIONER)
    # A PCC-area search finds the area's own contracts and its region's.
    durham = {
        i["contract_reference"]
        for i in (await api.client.get("/interventions", params={"pcc_area": "Durham"}, headers=p)).json()
    }
    assert durham == {"ACC-NE-001", "ETE-NE-001", "PWB-DUR-001"}
    region = {
        i["contract_reference"]
        for i in (await api.client.get("/interventions", params={"region": "North East"}, headers=p)).json()
    }
    assert region == {"ACC-NE-001", "ETE-NE-001", "PWB-DUR-001"}  # Durham's contract lies within the region
    london_men = {
        i["contract_reference"]
        for i in (await api.client.get("/interventions", params={"region": "London", "sex": "MALE"}, headers=p)).json()
    }
    assert london_men == {"FBD-LDN-001"}
    old = {
        i["contract_reference"]
        for i in (await api.client.get("/interventions", params={"region": "North East", "age": 70}, headers=p)).json()
    }
    assert old == {"ACC-NE-001", "PWB-DUR-001"}  # ETE is 18-65
    # An expired contract is gone from search and 410 on direct read.
    yesterday = (datetime.now(UTC) - timedelta(days=1)).date().isoformat()
    created = await api.client.post(
        "/contracts",
        headers=commissioner,
        json={
            "reference": "ACC-OLD-1",
            "contract_type": "ACC",
            "prime_provider_id": "harbour-housing",
            "subcontractor_ids": [],
            "region": "North East",
            "referral_start_date": "2020-01-01",
            "referral_end_date": yesterday,
            "fixed_price_pence": 1,
            "volume_cap": 5,
        },
    )
    assert created.status_code == 201, created.text
    intervention = await api.client.post(
        "/interventions", headers=commissioner, json={"contract_reference": "ACC-OLD-1", "title": "Old"}
    )
    assert intervention.status_code == 410
    assert (await api.client.get("/contracts/ACC-OLD-1", headers=p)).status_code == 410
    assert "ACC-OLD-1" not in {
        i["contract_reference"]
        for i in (await api.client.get("/interventions", params={"region": "North East"}, headers=p)).json()
    }
    bad = await api.client.post(
        "/contracts",
        headers=commissioner,
        json={
            "reference": "BAD-1",
            "contract_type": "NOPE",
            "prime_provider_id": "nobody",
            "region": "Atlantis",
            "referral_start_date": "2020-01-01",
            "referral_end_date": "2019-01-01",
            "fixed_price_pence": 1,
            "volume_cap": 5,
        },
    )
    assert bad.status_code == 422
    assert {e["field"] for e in bad.json()["errors"]} == {
        "contract_type",
        "region",
        "referral_end_date",
        "prime_provider_id",
    }


async def test_probation_staff_are_held_to_case_allocations_limited_access_rules(api, upstream):
    referral = await api.sent("X200009")
    rid = referral["id"]
    upstream.limits["X200009"] = [
        {"kind": "RESTRICTION", "staff_code": "N07A001"},
        {"kind": "EXCLUSION", "staff_code": "N07X999"},
    ]
    named, other, excluded = (api.practitioner(staff_code=code) for code in ("N07A001", "N07B002", "N07X999"))
    assert (await api.client.get(f"/referrals/{rid}", headers=named)).status_code == 200
    for path in (f"/referrals/{rid}", "/people/X200009/timeline", "/referrals?crn=X200009"):
        assert (await api.client.get(path, headers=other)).status_code == 404, path  # restricted away: as if absent
    denied = await api.client.get(f"/referrals/{rid}", headers=excluded)
    assert denied.status_code == 403 and denied.json()["code"] == "excluded"


async def test_provider_list_pages_merge_its_contracts_newest_first_then_by_id(api, h):
    """A provider on several contracts: each page is the next slice of all their visible referrals,
    newest first and then by id, however many share a timestamp (the page is merged per contract)."""
    from datetime import timedelta

    from refer_monitor.db.models import Referral

    base = datetime(2026, 1, 1, tzinfo=UTC)
    contracts = {  # bridge-wellbeing: subcontractor on ACC, prime on PWB; not on ETE
        "ACC-NE-001": "7b0c6f0e-0000-4000-8000-000000000001",
        "PWB-DUR-001": "7b0c6f0e-0000-4000-8000-000000000003",
        "ETE-NE-001": "7b0c6f0e-0000-4000-8000-000000000002",
    }
    rows = []
    for i in range(30):
        contract = list(contracts)[i % 3]
        rows.append(
            Referral(
                id=f"r-{(i * 7) % 30:02d}",
                reference=f"P{i:07d}",
                crn=f"X3{i:05d}",
                intervention_id=contracts[contract],
                contract_reference=contract,
                status="DRAFT" if i % 5 == 0 else "SENT",
                created_by="test",
                created_at=base + timedelta(minutes=i // 4),  # runs of four share a timestamp
                risk_summary_max_age_days=90,
            )
        )
    async with api.service.database.unit_of_work() as session:
        session.add_all(rows)
    visible = sorted(
        (r for r in rows if r.status != "DRAFT" and r.contract_reference != "ETE-NE-001"),
        key=lambda r: r.id,
    )
    expected = [r.id for r in sorted(visible, key=lambda r: r.created_at, reverse=True)]  # stable: id within a tie
    headers = api.provider("bridge-wellbeing", "ACC-NE-001", "PWB-DUR-001", "ETE-NE-001")
    pages = []
    for offset in range(0, len(expected) + 4, 4):
        response = await api.client.get(f"/referrals?limit=4&offset={offset}", headers=headers)
        assert response.status_code == 200, response.text
        pages.extend(r["id"] for r in response.json())
    assert pages == expected
    one = await api.client.get("/referrals?limit=50", headers=api.provider("bridge-wellbeing", "PWB-DUR-001"))
    assert [r["id"] for r in one.json()] == [
        i for i in expected if i in {r.id for r in visible if r.contract_reference == "PWB-DUR-001"}
    ]
