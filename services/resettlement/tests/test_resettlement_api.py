"""The acceptance criteria of resettlement, through its API, with case-allocation as the real source."""

from __future__ import annotations

from datetime import date, timedelta

from probation_shared.auth import Role

from .conftest import TODAY


def days(n: int) -> str:
    return (TODAY + timedelta(days=n)).isoformat()


async def test_window_84_days_lists_what_30_days_does_not(world):
    soon, later = await world.person(), await world.person()
    await world.custody(soon, conditional_release_date=days(20))
    await world.custody(later, conditional_release_date=days(60))

    wide = await world.client.get("/prisoners", params={"prison": "CFI", "days": 84}, headers=world.pom())
    narrow = await world.client.get("/prisoners", params={"prison": "CFI", "days": 30}, headers=world.pom())
    assert wide.status_code == 200, wide.text
    assert [p["crn"] for p in wide.json()["content"]] == [soon, later]
    assert [p["crn"] for p in narrow.json()["content"]] == [soon]
    assert wide.json()["totalElements"] == 2
    by_region = await world.client.get(
        "/prisoners",
        params={"region": "WAL", "days": 84, "size": 1, "page": 1},
        headers=world.h(Role.SENIOR_PROBATION_OFFICER, region="WAL"),
    )
    assert by_region.status_code == 200 and [p["crn"] for p in by_region.json()["content"]] == [later]
    other_prison = await world.client.get("/prisoners", params={"prison": "CFI"}, headers=world.pom(prison="LEI"))
    assert other_prison.status_code == 403


async def test_the_confirmed_release_date_wins_over_the_others(world):
    crn = await world.person()
    await world.custody(crn, automatic_release_date=days(10), confirmed_release_date=days(50))
    listed = await world.client.get("/prisoners", params={"prison": "CFI", "days": 84}, headers=world.pom())
    assert [(p["crn"], p["releaseDate"]) for p in listed.json()["content"]] == [(crn, days(50))]


async def test_the_job_makes_the_pack_and_a_move_from_wales_to_north_west_makes_a_new_version(world):
    crn = await world.person()
    far = await world.person()
    await world.custody(crn, conditional_release_date=days(30))
    await world.custody(far, conditional_release_date=days(120))  # outside the 12 weeks: no pack yet
    plan = await world.client.post(f"/people/{crn}/plan", headers=world.pom())
    assert plan.status_code == 201, plan.text
    needs = {
        "pathways": {
            "ACCOMMODATION": {"needs": ["ACC_NO_FIXED_ABODE"]},
            "FINANCE_AND_ID": {"needs": ["FID_BANK_ACCOUNT"]},
        }
    }
    written = await world.client.put(f"/people/{crn}/reports/IMMEDIATE_NEEDS", json=needs, headers=world.pom())
    assert written.status_code == 200, written.text
    assert (
        await world.client.post(f"/people/{crn}/reports/IMMEDIATE_NEEDS/submission", headers=world.pom())
    ).status_code == 200

    await world.run_pack_job()
    first = (await world.client.get(f"/people/{crn}/pack", headers=world.pom())).json()["versions"]
    assert [(v["version"], v["reason"], v["regionCode"]) for v in first] == [(1, "SCHEDULED", "WAL")]
    assert (await world.client.get(f"/people/{far}/pack", headers=world.pom())).json()["versions"] == []
    generated = await world.outbox("resettlement.pack.generated")
    assert [e["additionalInformation"] for e in generated] == [
        {"version": 1, "reason": "SCHEDULED", "regionCode": "WAL"}
    ]

    # The case moves to North West (a custodial sentence managed from a North West PDU).
    await world.custody(crn, pdu="NW01", conditional_release_date=days(30))
    await world.run_pack_job()
    versions = (await world.client.get(f"/people/{crn}/pack", headers=world.pom())).json()["versions"]
    assert [(v["version"], v["reason"], v["regionCode"]) for v in versions] == [
        (2, "REGION_CHANGED", "NW"),
        (1, "SCHEDULED", "WAL"),
    ]
    latest = world.renderer.seen[-1]
    towns = {s.address.rsplit(", ", 1)[1] for need in latest.support_needs for s in need.services}
    assert towns == {"Liverpool"}  # only North West entries, none of Wales's
    assert {n.pathway for n in latest.support_needs} == {"ACCOMMODATION", "FINANCE_AND_ID"}
    old = await world.client.get(f"/people/{crn}/pack/versions/1.html", headers=world.pom())
    assert old.status_code == 200 and "Cardiff" in old.text and "Liverpool" not in old.text
    assert (await world.client.get(f"/people/{crn}/pack/versions/2.pdf", headers=world.pom())).content.startswith(
        b"%PDF"
    )


async def test_an_unplanned_release_packs_at_once_and_schedules_enhanced_support(world):
    crn = await world.person()
    sentence = await world.custody(crn, conditional_release_date=days(60))
    await world.client.post(f"/people/{crn}/plan", headers=world.pom())
    await world.amend(crn, sentence, released_on=TODAY.isoformat())

    versions = (await world.client.get(f"/people/{crn}/pack", headers=world.pom())).json()["versions"]
    assert [(v["version"], v["reason"]) for v in versions] == [(1, "UNPLANNED_RELEASE")]
    plan = (await world.client.get(f"/people/{crn}/plan", headers=world.pom())).json()
    assert plan["stage"] == "POST_RELEASE"
    [scheduled] = await world.outbox("resettlement.enhanced-support.scheduled")
    info = scheduled["additionalInformation"]
    assert info["releaseDate"] == TODAY.isoformat()
    dates = [date.fromisoformat(c["date"]) for c in info["contacts"]]
    assert all(c["type"] == "ENHANCED_SUPPORT" for c in info["contacts"])
    for week in (0, 1):  # at least one contact in each of the two weeks after release
        assert any(TODAY + timedelta(days=7 * week) <= d < TODAY + timedelta(days=7 * (week + 1)) for d in dates)
    assert {"type": "CRN", "value": crn} in scheduled["personReference"]["identifiers"]


async def test_who_may_read_a_pack(world):
    crn = await world.person()
    other = await world.person()
    await world.custody(crn, conditional_release_date=days(30))
    await world.custody(other, conditional_release_date=days(30))
    await world.run_pack_job()
    url = f"/people/{crn}/pack/versions/1.pdf"
    assert (await world.client.get(url, headers=world.pom())).status_code == 200
    assert (await world.client.get(url, headers=world.pom(prison="LEI"))).status_code == 403
    assert (await world.client.get(url, headers=world.h(Role.PROVIDER_CASEWORKER, provider_id="P1"))).status_code == 404
    assert (await world.client.get(url, headers=world.h(Role.PERSON_ON_PROBATION, crn=crn))).status_code == 200
    assert (await world.client.get(url, headers=world.h(Role.PERSON_ON_PROBATION, crn=other))).status_code == 404
    assert (
        await world.client.get(url, headers=world.h(Role.PRACTITIONER, staff_code="NOT-THE-COM"))
    ).status_code == 403
    audit = await world.client.get("/audit", headers=world.h(Role.AUDITOR))
    assert any(a["action"] == "download-pack-pdf" and a["crn"] == crn for a in audit.json())


async def test_unknown_pathways_statuses_and_moves_are_4xx_naming_the_field(world):
    crn = await world.person()
    await world.custody(crn, conditional_release_date=days(30))
    await world.client.post(f"/people/{crn}/plan", headers=world.pom())
    base = f"/people/{crn}/plan/pathways"
    unknown_pathway = await world.client.patch(f"{base}/FLYING", json={"status": "IN_PROGRESS"}, headers=world.pom())
    assert unknown_pathway.status_code == 422 and unknown_pathway.json()["errors"][0]["field"] == "pathway"
    unknown_status = await world.client.patch(f"{base}/HEALTH", json={"status": "MAYBE"}, headers=world.pom())
    assert unknown_status.status_code == 422 and unknown_status.json()["code"] == "unknown-status"
    assert unknown_status.json()["errors"][0]["field"] == "status"
    bad_move = await world.client.patch(f"{base}/HEALTH", json={"status": "DONE"}, headers=world.pom())
    assert bad_move.status_code == 409 and bad_move.json()["code"] == "invalid-transition"
    ok = await world.client.patch(f"{base}/HEALTH", json={"status": "IN_PROGRESS"}, headers=world.pom())
    assert ok.status_code == 200
    [changed] = await world.outbox("resettlement.pathway.status-changed")
    assert changed["additionalInformation"]["status"] == "IN_PROGRESS"
    assert len(await world.outbox("resettlement.plan.created")) == 1


async def test_pre_release_report_is_prefilled_and_its_submission_published(world):
    crn = await world.person()
    await world.custody(crn, conditional_release_date=days(30))
    await world.client.post(f"/people/{crn}/plan", headers=world.pom())
    early = await world.client.put(f"/people/{crn}/reports/PRE_RELEASE", json={}, headers=world.pom())
    assert early.status_code == 409
    needs = {"pathways": {"HEALTH": {"needs": ["HEA_GP"], "notes": "No GP since 2019"}}}
    await world.client.put(f"/people/{crn}/reports/IMMEDIATE_NEEDS", json=needs, headers=world.pom())
    await world.client.post(f"/people/{crn}/reports/IMMEDIATE_NEEDS/submission", headers=world.pom())
    pre = await world.client.put(f"/people/{crn}/reports/PRE_RELEASE", json={}, headers=world.pom())
    assert pre.json()["pathways"] == [{"pathway": "HEALTH", "needs": ["HEA_GP"], "notes": "No GP since 2019"}]
    bad = await world.client.put(
        f"/people/{crn}/reports/PRE_RELEASE", json={"pathways": {"HEALTH": {"needs": ["NOPE"]}}}, headers=world.pom()
    )
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "pathways.HEALTH.needs[0]"
    assert (
        await world.client.post(f"/people/{crn}/reports/PRE_RELEASE/submission", headers=world.pom())
    ).status_code == 200
    [submitted] = await world.outbox("resettlement.report.submitted")
    assert submitted["additionalInformation"]["reportType"] == "PRE_RELEASE"


async def test_the_directory_is_kept_by_its_own_region(world):
    entry = {
        "pathway": "ACCOMMODATION",
        "name": "Wrexham Homes Desk",
        "what_they_do": "Housing advice.",
        "town": "Wrexham",
        "address": "1 Hope Street",
        "phone": "0300 555 0999",
        "opening_hours": "Weekdays",
        "who_can_use_it": "Adults",
    }
    wales = world.h(Role.PRACTITIONER, region="WAL")
    added = await world.client.post("/regions/WAL/directory", json=entry, headers=wales)
    assert added.status_code == 201, added.text
    assert (await world.client.post("/regions/NW/directory", json=entry, headers=wales)).status_code == 403
    assert (await world.client.post("/regions/XX/directory", json=entry, headers=wales)).status_code == 404
    listed = await world.client.get("/regions/WAL/directory", headers=wales)
    assert "Wrexham Homes Desk" in [e["name"] for e in listed.json()["entries"]]
    assert {e["regionCode"] for e in listed.json()["entries"]} == {"WAL"}
    nw = world.h(Role.PRACTITIONER, region="NW")
    assert (
        await world.client.patch(f"/regions/NW/directory/{added.json()['id']}", json={"phone": "1"}, headers=nw)
    ).status_code == 404


async def test_bad_queries_are_problems_naming_the_field(world):
    both = await world.client.get("/prisoners", params={"prison": "CFI", "region": "WAL"}, headers=world.pom())
    assert both.status_code == 422 and both.json()["errors"][0]["field"] == "prison"
    nowhere = await world.client.get(
        "/prisoners", params={"region": "ZZ"}, headers=world.h(Role.SENIOR_PROBATION_OFFICER, region="ZZ")
    )
    assert nowhere.status_code == 422 and nowhere.json()["code"] == "unknown-region"
    too_far = await world.client.get("/prisoners", params={"prison": "CFI", "days": 999}, headers=world.pom())
    assert too_far.status_code == 422
    crn = await world.person()
    await world.custody(crn, conditional_release_date=days(30))
    await world.client.post(f"/people/{crn}/plan", headers=world.pom())
    report = await world.client.put(f"/people/{crn}/reports/WEEKLY", json={}, headers=world.pom())
    assert report.status_code == 404 and report.json()["errors"][0]["field"] == "report"


async def test_licence_conditions_and_health_continuity_reach_the_pack_in_plain_english(world):
    crn = await world.person()
    await world.custody(crn, conditional_release_date=days(30))
    await world.client.post(f"/people/{crn}/plan", headers=world.pom())
    url = f"/people/{crn}/licence-conditions"
    unknown = await world.client.put(url, json={"codes": ["STD_NO_OFFENCE", "FLY_TO_MARS"]}, headers=world.pom())
    assert unknown.status_code == 422 and unknown.json()["code"] == "unknown-licence-condition"
    assert unknown.json()["errors"][0]["field"] == "codes[1]"
    needs = {"pathways": {"HEALTH": {"needs": ["HEA_GP"]}}}
    await world.client.put(f"/people/{crn}/reports/IMMEDIATE_NEEDS", json=needs, headers=world.pom())
    await world.client.post(f"/people/{crn}/reports/IMMEDIATE_NEEDS/submission", headers=world.pom())
    await world.run_pack_job()
    assert world.renderer.seen[-1].licence_conditions == ()  # none recorded yet

    recorded = await world.client.put(url, json={"codes": ["STD_NO_OFFENCE"]}, headers=world.pom())
    assert recorded.status_code == 200, recorded.text
    assert recorded.json()["conditions"][0]["plainEnglish"] == "Do not break the law."
    await world.run_pack_job()
    versions = (await world.client.get(f"/people/{crn}/pack", headers=world.pom())).json()["versions"]
    assert [(v["version"], v["reason"]) for v in versions] == [(2, "PLAN_CHANGED"), (1, "SCHEDULED")]
    latest = world.renderer.seen[-1]
    assert [(c.code, c.plain_english) for c in latest.licence_conditions] == [
        ("STD_NO_OFFENCE", "Do not break the law.")
    ]
    assert any("GP" in sentence for sentence in latest.health)
    own = await world.client.get(url, headers=world.h(Role.PERSON_ON_PROBATION, crn=crn))
    assert own.status_code == 200 and [c["code"] for c in own.json()["conditions"]] == ["STD_NO_OFFENCE"]
    other = await world.client.get(url, headers=world.h(Role.PERSON_ON_PROBATION, crn="Z999999"))
    assert other.status_code == 404


async def test_a_pack_rendered_while_the_region_moved_is_not_kept_and_the_next_run_makes_it_afresh(world):
    from resettlement.workflows import packs

    crn = await world.person()
    await world.custody(crn, conditional_release_date=days(30))
    async with world.rs.database.unit_of_work(read_only=True) as session:
        work = await packs.due_work(session)
    assert [(w.crn, w.content.region_code) for w in work] == [(crn, "WAL")]
    rendered = await packs.render_all(world.renderer, work)
    await world.custody(crn, pdu="NW01", conditional_release_date=days(30))  # moves while the pack renders
    async with world.rs.database.unit_of_work() as session:
        assert await packs.store_all(session, work, rendered) == []
    await world.run_pack_job()
    versions = (await world.client.get(f"/people/{crn}/pack", headers=world.pom())).json()["versions"]
    assert [(v["version"], v["regionCode"]) for v in versions] == [(1, "NW")]
