"""Allocation within capacity: queue, recommendations, allocate/transfer rules, workload, staff CRUD."""

from sqlalchemy import select

from case_allocation.db.models import Allocation
from probation_shared.auth import Role

from .conftest import OTHER_PDU, OTHER_TEAM


async def _cases_for(api, staff_code: str, n: int, tier: str) -> None:
    """`n` community cases of tier `tier` allocated to `staff_code` through the API."""
    for _ in range(n):
        crn = (await api.person())["crn"]
        await api.set_tier(crn, tier)
        sentence = await api.sentence(crn)
        response = await api.allocate(sentence["case_id"], staff_code)
        assert response.status_code == 200, response.text


async def test_capacity_of_a_po_with_ten_b1_cases_and_the_projection_of_a_c2(api):
    await api.staff("LON01T1P99", grade="PO", hours=37)
    await _cases_for(api, "LON01T1P99", 10, "B1")
    workload = (await api.client.get("/staff/LON01T1P99/workload", headers=api.spo())).json()
    assert (
        workload["total_points"] == 1020
        and workload["capacity_percent"] == 46.9
        and workload["available_points"] == 2176
    )

    crn = (await api.person())["crn"]
    await api.set_tier(crn, "C2")
    case_id = (await api.sentence(crn))["case_id"]
    recs = (await api.client.get(f"/cases/{case_id}/recommendations", headers=api.spo())).json()
    mine = next(p for p in recs["practitioners"] if p["staff_code"] == "LON01T1P99")
    assert recs["case_points"] == 63
    assert (mine["capacity_percent"], mine["projected_capacity_percent"]) == (46.9, 49.8)
    # Ordered by capacity: seeded practitioners hold nothing, so they come first; ours comes last.
    capacities = [p["capacity_percent"] for p in recs["practitioners"]]
    assert capacities == sorted(capacities) and recs["practitioners"][-1]["staff_code"] == "LON01T1P99"
    assert all(p["team_code"].startswith("LON01") for p in recs["practitioners"])
    assert "SPO" not in {p["grade"] for p in recs["practitioners"]}


async def test_a_reduction_in_force_lowers_available_points(api):
    await api.staff("LON01T1P98", grade="PO", hours=37)
    await _cases_for(api, "LON01T1P98", 2, "B1")
    url = "/staff/LON01T1P98/reductions"
    added = await api.client.post(
        url,
        json={"hours": 7.4, "reason": "Union duties", "start_date": "2026-01-01", "end_date": "2026-06-30"},
        headers=api.spo(),
    )
    assert added.status_code == 201, added.text
    during = (await api.client.get("/staff/LON01T1P98/workload?on=2026-03-01", headers=api.spo())).json()
    after = (await api.client.get("/staff/LON01T1P98/workload?on=2026-07-01", headers=api.spo())).json()
    assert (
        during["reduction_hours"] == 7.4 and during["available_points"] == 1740.8 and during["capacity_percent"] == 11.7
    )
    assert after["reduction_hours"] == 0 and after["capacity_percent"] == 9.4
    assert (
        await api.client.post(url, json={"hours": 40, "reason": "x", "start_date": "2026-01-01"}, headers=api.spo())
    ).status_code == 422
    assert (
        await api.client.post(
            url, json={"hours": 1, "reason": "x", "start_date": "2026-01-01"}, headers=api.spo(pdu=OTHER_PDU)
        )
    ).status_code == 403
    reduction_id = added.json()["id"]
    assert (await api.client.delete(f"{url}/{reduction_id}", headers=api.h())).status_code == 403
    assert (await api.client.delete(f"{url}/{reduction_id}", headers=api.spo())).status_code == 204


async def test_allocation_is_for_an_spo_of_the_pdu_only(api):
    crn = (await api.person())["crn"]
    case_id = (await api.sentence(crn))["case_id"]
    assert (await api.client.post(f"/cases/{case_id}/allocation", json={"staff_code": "LON01T1S02"})).status_code == 401
    as_practitioner = await api.allocate(case_id, "LON01T1S02", headers=api.h(staff_code="LON01T1S02", pdu="LON01"))
    assert as_practitioner.status_code == 403
    assert (await api.allocate(case_id, "LON01T1S02", headers=api.h(Role.SERVICE))).status_code == 403
    other_spo = await api.allocate(case_id, "LON01T1S02", headers=api.spo(pdu=OTHER_PDU, staff_code="LON02T1S01"))
    assert other_spo.status_code == 403 and other_spo.json()["code"] == "other-pdu"
    assert (
        await api.client.get(f"/cases/{case_id}/recommendations", headers=api.spo(pdu=OTHER_PDU))
    ).status_code == 403
    assert (await api.client.get("/pdus/LON01/queue", headers=api.spo(pdu=OTHER_PDU))).status_code == 403
    assert (await api.client.get("/pdus/LON01/queue", headers=api.h())).status_code == 403
    assert (await api.client.get(f"/cases/{case_id}/recommendations", headers=api.h())).status_code == 403


async def test_allocation_refuses_other_pdu_inactive_and_unsuitable_practitioners(api):
    crn = (await api.person())["crn"]
    case_id = (await api.sentence(crn))["case_id"]
    other = await api.allocate(case_id, "LON02T1S02")
    assert other.status_code == 409 and other.headers["content-type"].startswith("application/problem+json")
    assert other.json()["code"] == "practitioner-in-another-pdu"
    unknown = await api.allocate(case_id, "NOBODY")
    assert unknown.status_code == 422
    await api.staff("LON01T1P97", grade="PSO")
    deactivated = await api.client.patch("/staff/LON01T1P97", json={"active": False}, headers=api.spo())
    assert deactivated.status_code == 200 and deactivated.json()["active"] is False
    inactive = await api.allocate(case_id, "LON01T1P97")
    assert inactive.status_code == 409 and inactive.json()["code"] == "practitioner-inactive"

    # High RoSH: PO only, both in recommendations and in allocation.
    await api.client.post(
        f"/people/{crn}/registrations", json={"type_code": "RHRH", "registered_on": "2026-01-01"}, headers=api.h()
    )
    recs = (await api.client.get(f"/cases/{case_id}/recommendations", headers=api.spo())).json()
    assert recs["suitable_grades"] == ["PO"] and {p["grade"] for p in recs["practitioners"]} == {"PO"}
    pso = await api.allocate(case_id, "LON01T1S04")  # seeded PSO
    assert pso.status_code == 409 and pso.json()["code"] == "grade-unsuitable"
    assert (await api.allocate(case_id, "LON01T1S02")).status_code == 200  # seeded PO
    assert (
        await api.client.post(f"/cases/{case_id}/allocation", json={"staff_code": ""}, headers=api.spo())
    ).status_code == 422


async def test_over_fifty_active_risk_cases_needs_an_override_which_is_recorded(api):
    await api.staff("LON01T1P96", grade="PO")
    crn = (await api.person())["crn"]
    sentence = await api.sentence(crn)
    for _ in range(50):
        other = (await api.person())["crn"]
        case_id = (await api.sentence(other))["case_id"]
        assert (await api.allocate(case_id, "LON01T1P96")).status_code == 200
    refused = await api.allocate(sentence["case_id"], "LON01T1P96")
    assert (
        refused.status_code == 409
        and refused.json()["code"] == "over-case-limit"
        and refused.json()["activeRiskCases"] == 50
    )
    overridden = await api.allocate(
        sentence["case_id"], "LON01T1P96", override_reason="Continuity with the family's previous officer"
    )
    assert overridden.status_code == 200, overridden.text
    assert overridden.json()["override_reason"] == "Continuity with the family's previous officer"
    async with api.service.database.unit_of_work() as session:
        stored = await session.scalar(
            select(Allocation.override_reason).where(Allocation.case_id == sentence["case_id"])
        )
    assert stored == "Continuity with the family's previous officer"


async def test_unpaid_work_only_cases_do_not_count_towards_the_limit(api):
    await api.staff("LON01T1P95", grade="PO")
    for _ in range(50):
        crn = (await api.person())["crn"]
        case_id = (await api.sentence(crn, requirements=[{"requirement_type": "UPW", "length": 80}]))["case_id"]
        assert (await api.allocate(case_id, "LON01T1P95")).status_code == 200
    crn = (await api.person())["crn"]
    case_id = (await api.sentence(crn))["case_id"]
    assert (await api.allocate(case_id, "LON01T1P95")).status_code == 200
    assert (await api.client.get("/staff/LON01T1P95/workload", headers=api.spo())).json()["active_risk_cases"] == 1


async def test_allocation_then_transfer_publishes_and_the_manager_detail_follows(api):
    crn = (await api.person())["crn"]
    case_id = (await api.sentence(crn))["case_id"]
    assert (await api.allocate(case_id, "LON01T1S02")).status_code == 200
    (allocated,) = await api.events("person.community.manager.allocated", crn)
    assert allocated["additionalInformation"] == {"staffCode": "LON01T1S02", "teamCode": "LON01T1", "pduCode": "LON01"}
    manager = (await api.follow(allocated, api.service_token())).json()
    assert (
        manager["staff_code"] == "LON01T1S02"
        and manager["team_code"] == "LON01T1"
        and manager["email"]
        and manager["phone"]
    )
    assert manager["first_name"] and manager["last_name"]

    no_reason = await api.allocate(case_id, "LON01T2S02")
    assert no_reason.status_code == 422 and no_reason.json()["code"] == "reason-required"
    same = await api.allocate(case_id, "LON01T1S02", reason="x")
    assert same.status_code == 409
    moved = await api.allocate(case_id, "LON01T2S02", reason="Moved to the north of the borough")
    assert (
        moved.status_code == 200
        and moved.json()["kind"] == "TRANSFERRED"
        and moved.json()["previous_staff_code"] == "LON01T1S02"
    )
    (transferred,) = await api.events("person.community.manager.transferred", crn)
    assert (
        transferred["additionalInformation"]["staffCode"] == "LON01T2S02"
        and transferred["additionalInformation"]["teamCode"] == "LON01T2"
    )
    assert (await api.follow(transferred, api.service_token())).json()["staff_code"] == "LON01T2S02"
    history = (await api.client.get(f"/cases/{case_id}/allocations", headers=api.spo())).json()
    assert [h["kind"] for h in history] == ["ALLOCATED", "TRANSFERRED"]


async def test_recommendations_mark_the_previous_practitioner_and_rank_by_projected_capacity(api):
    crn = (await api.person())["crn"]
    first = (await api.sentence(crn))["case_id"]
    await api.allocate(first, "LON01T2S03")
    second = (await api.sentence(crn, sentence_date="2026-02-02"))["case_id"]
    recs = (await api.client.get(f"/cases/{second}/recommendations", headers=api.spo())).json()["practitioners"]
    (previous,) = [p for p in recs if p["previous_practitioner"]]
    assert previous["staff_code"] == "LON01T2S03" and "held this person's last order" in previous["reasons"]
    # The person is already theirs, so the second order adds nothing to their capacity.
    assert previous["projected_capacity_percent"] == previous["capacity_percent"]
    projected = [p["projected_capacity_percent"] for p in recs]
    assert projected == sorted(projected)


async def test_the_pdu_queue_lists_overdue_first(api):
    dates = ["2026-01-20", "2025-12-18", "2026-01-05", "2025-12-22"]
    crns = []
    for d in dates:
        crn = (await api.person())["crn"]
        crns.append(crn)
        await api.sentence(crn, sentence_date=d)
    await api.sentence((await api.person())["crn"], pdu=OTHER_PDU)
    queue = (await api.client.get("/pdus/LON01/queue?on=2026-01-07", headers=api.spo())).json()
    rows = [(c["sentence_date"], c["due_date"], c["due_status"]) for c in queue["content"]]
    assert rows == [
        ("2025-12-18", "2025-12-29", "OVERDUE"),
        ("2025-12-22", "2025-12-31", "OVERDUE"),
        ("2026-01-05", "2026-01-12", "DUE_ON"),
        ("2026-01-20", "2026-01-27", "DUE_ON"),
    ]
    assert queue["total_elements"] == 4 and all(c["name"] for c in queue["content"])
    allocated = queue["content"][0]["id"]
    await api.allocate(allocated, "LON01T1S02")
    after = (await api.client.get("/pdus/LON01/queue?on=2026-01-07&size=2", headers=api.spo())).json()
    assert after["total_elements"] == 3 and len(after["content"]) == 2
    assert (await api.client.get("/pdus/NOPE/queue", headers=api.spo())).status_code == 404


async def test_a_restricted_case_is_queued_only_for_spos_named_on_it_and_others_see_a_count(api):
    crn = (await api.person(first_name="Secret"))["crn"]
    case_id = (await api.sentence(crn))["case_id"]
    await api.limit(crn, "RESTRICTION", "LON01T2S01")  # an SPO of the PDU, named
    await api.limit(crn, "RESTRICTION", "LON01T1S03")  # a PO, named
    open_crn = (await api.person(first_name="Open"))["crn"]
    await api.sentence(open_crn)

    # Not named: the case is not listed (no CRN, no name), only counted.
    queue = (await api.client.get("/pdus/LON01/queue", headers=api.spo())).json()
    assert [c["crn"] for c in queue["content"]] == [open_crn]
    assert queue["total_elements"] == 1 and queue["hidden_cases"] == 1 and crn not in str(queue)
    assert (await api.client.get(f"/cases/{case_id}", headers=api.spo())).status_code == 404
    assert (await api.allocate(case_id, "LON01T1S03")).status_code == 404

    # Named: listed, flagged, with the name; allocated only to staff named on the restriction.
    named_spo = api.spo(staff_code="LON01T2S01")
    queue = (await api.client.get("/pdus/LON01/queue", headers=named_spo)).json()
    shown = {c["crn"]: c for c in queue["content"]}
    assert (
        shown[crn]["restricted"] is True
        and shown[crn]["name"] == "Secret Example1"
        and shown[open_crn]["restricted"] is False
    )
    assert queue["hidden_cases"] == 0
    advice = (await api.client.get(f"/cases/{case_id}/recommendations", headers=named_spo)).json()
    assert [p["staff_code"] for p in advice["practitioners"]] == ["LON01T1S03"]
    refused = await api.allocate(case_id, "LON01T1S02", headers=named_spo)
    assert refused.status_code == 422 and refused.json()["code"] == "limited-access"
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert (await api.allocate(case_id, "LON01T1S03", headers=named_spo)).status_code == 200
    # A transfer is held to the same rule.
    moved = await api.allocate(case_id, "LON01T1S02", headers=named_spo, reason="leave")
    assert moved.status_code == 422 and moved.json()["code"] == "limited-access"


async def test_an_excluded_practitioner_is_neither_recommended_nor_given_the_case(api):
    crn = (await api.person())["crn"]
    case_id = (await api.sentence(crn))["case_id"]
    await api.limit(crn, "EXCLUSION", "LON01T1S02")
    advice = (await api.client.get(f"/cases/{case_id}/recommendations", headers=api.spo())).json()
    assert "LON01T1S02" not in {p["staff_code"] for p in advice["practitioners"]} and advice["practitioners"]
    refused = await api.allocate(case_id, "LON01T1S02")
    assert refused.status_code == 422 and refused.json()["code"] == "limited-access"
    # The excluded SPO does not see the case in the queue; it is counted.
    await api.limit(crn, "EXCLUSION", "LON01T2S01")
    queue = (await api.client.get("/pdus/LON01/queue", headers=api.spo(staff_code="LON01T2S01"))).json()
    assert queue["total_elements"] == 0 and queue["hidden_cases"] == 1


async def test_staff_crud_is_for_spos_of_the_pdu_and_operators(api):
    body = {
        "code": "LON01T1N01",
        "first_name": "New",
        "last_name": "Starter",
        "grade": "PQiP",
        "team_code": "LON01T1",
        "contracted_hours": 37,
    }
    assert (await api.client.post("/staff", json=body)).status_code == 401
    assert (await api.client.post("/staff", json=body, headers=api.h())).status_code == 403
    assert (await api.client.post("/staff", json=body, headers=api.spo(pdu=OTHER_PDU))).status_code == 403
    assert (await api.client.post("/staff", json={**body, "grade": "CEO"}, headers=api.spo())).status_code == 422
    assert (await api.client.post("/staff", json={**body, "team_code": "NOPE"}, headers=api.spo())).status_code == 422
    created = await api.client.post("/staff", json=body, headers=api.h(Role.OPERATOR))
    assert created.status_code == 201
    assert (await api.client.post("/staff", json=body, headers=api.spo())).status_code == 409
    moved = await api.client.patch("/staff/LON01T1N01", json={"team_code": OTHER_TEAM}, headers=api.spo())
    assert moved.status_code == 403  # the other PDU's team is not this SPO's to fill
    promoted = await api.client.patch(
        "/staff/LON01T1N01", json={"grade": "PO", "contracted_hours": 30}, headers=api.spo()
    )
    assert (
        promoted.status_code == 200 and promoted.json()["grade"] == "PO" and promoted.json()["contracted_hours"] == 30
    )
    assert (await api.client.get("/staff/LON01T1N01", headers=api.h())).json()["grade"] == "PO"
    assert (await api.client.get("/staff/NOPE", headers=api.h())).status_code == 404
    team = (await api.client.get("/teams/LON01T1/staff", headers=api.h())).json()["staff"]
    assert "LON01T1N01" in {s["code"] for s in team}


async def test_regions_and_pdus(api):
    regions = (await api.client.get("/regions", headers=api.h())).json()["regions"]
    assert len(regions) == 12 and {r["name"] for r in regions} >= {"Wales", "London", "Kent, Surrey and Sussex"}
    assert all(r["pdus"] for r in regions)
    pdu = (await api.client.get("/pdus/LON01", headers=api.h())).json()
    assert pdu["region_code"] == "LON" and len(pdu["teams"]) == 2
    assert (await api.client.get("/regions")).status_code == 401
    assert (await api.client.get("/regions", headers=api.h(Role.PROVIDER_CASEWORKER))).status_code == 403


async def test_a_tier_change_reweighs_open_cases(api):
    await api.staff("LON01T1P94", grade="PO")
    crn = (await api.person())["crn"]
    case_id = (await api.sentence(crn))["case_id"]
    await api.allocate(case_id, "LON01T1P94")
    await api.set_tier(crn, "A3")
    assert (await api.client.get("/staff/LON01T1P94/workload", headers=api.spo())).json()["total_points"] == 206
    await api.set_tier(crn, "D0")
    assert (await api.client.get("/staff/LON01T1P94/workload", headers=api.spo())).json()["total_points"] == 29
    sentence_id = (await api.client.get(f"/cases/{case_id}", headers=api.spo())).json()["sentence_id"]
    await api.client.post(
        f"/people/{crn}/sentences/{sentence_id}/termination",
        json={"date": "2026-02-01", "reason": "Ended"},
        headers=api.h(),
    )
    assert (await api.client.get("/staff/LON01T1P94/workload", headers=api.spo())).json()["total_points"] == 0
