"""Decisions a practitioner can trust: ranking with reasons, per-person caseload, untiered and court-report
points, grade flags, back-dated addresses, one-way handover, requirement progress and monitoring, drug
tests, and the inputs behind every computed figure."""

from datetime import date

from probation_shared import clock
from probation_shared.auth import Role


async def _held(api, staff_code: str, tiers: list[str]) -> None:
    """One person per tier, each with a community order allocated to `staff_code`."""
    for tier in tiers:
        crn = (await api.person())["crn"]
        await api.set_tier(crn, tier)
        case_id = (await api.sentence(crn))["case_id"]
        assert (await api.allocate(case_id, staff_code)).status_code == 200


async def test_a_pqip_projected_at_9_5_ranks_above_a_previous_po_projected_at_15_6_and_says_why(api):
    await api.staff("LON01T1Q90", grade="PQiP", hours=37)
    await api.staff("LON01T1P90", grade="PO", hours=37)
    await _held(api, "LON01T1Q90", ["B2", "D1"])  # 115 + 29 = 144 points
    await _held(api, "LON01T1P90", ["A3", "D2", "D1"])  # 206 + 41 + 29 = 276 points

    # The person's last order was the PO's (now ended): continuity, but not enough to outrank capacity.
    crn = (await api.person())["crn"]
    await api.set_tier(crn, "C2")
    earlier = await api.sentence(crn, sentence_date="2025-06-02")
    assert (await api.allocate(earlier["case_id"], "LON01T1P90")).status_code == 200
    ended = await api.client.post(
        f"/people/{crn}/sentences/{earlier['id']}/termination",
        json={"date": "2026-01-05", "reason": "Completed"},
        headers=api.h(),
    )
    assert ended.status_code == 200
    case_id = (await api.sentence(crn, sentence_date="2026-02-02"))["case_id"]

    recs = (await api.client.get(f"/cases/{case_id}/recommendations", headers=api.spo())).json()
    order = [p["staff_code"] for p in recs["practitioners"]]
    pqip = next(p for p in recs["practitioners"] if p["staff_code"] == "LON01T1Q90")
    po = next(p for p in recs["practitioners"] if p["staff_code"] == "LON01T1P90")
    assert (pqip["projected_capacity_percent"], po["projected_capacity_percent"]) == (9.5, 15.6)
    assert order.index("LON01T1Q90") < order.index("LON01T1P90")
    assert "would reach 9.5% (now 6.6%)" in pqip["reasons"]
    assert po["previous_practitioner"] is True and "held this person's last order" in po["reasons"]
    assert "would reach 15.6% (now 12.7%)" in po["reasons"]
    projected = [p["projected_capacity_percent"] for p in recs["practitioners"]]
    assert projected == sorted(projected)
    basis = pqip["capacity_basis"]
    assert (basis["case_points"], basis["available_points"], basis["people_held"]) == (144, 2176.0, 2)


async def test_a_po_only_case_says_so_and_on_a_transfer_the_holder_is_listed_last(api):
    crn = (await api.person())["crn"]
    case_id = (await api.sentence(crn))["case_id"]
    await api.client.post(
        f"/people/{crn}/registrations", json={"type_code": "RHRH", "registered_on": "2026-01-01"}, headers=api.h()
    )
    assert (await api.allocate(case_id, "LON01T1S02")).status_code == 200
    recs = (await api.client.get(f"/cases/{case_id}/recommendations", headers=api.spo())).json()["practitioners"]
    assert recs[-1]["staff_code"] == "LON01T1S02" and recs[-1]["current_holder"] is True
    assert recs[0]["staff_code"] != "LON01T1S02"
    assert all(p["reasons"][0] == "PO required: RoSH high" for p in recs)


async def test_an_untiered_case_weighs_the_default_and_court_reports_count_in_workload(api):
    await api.staff("LON01T1P91", grade="PO", hours=37)
    crn = (await api.person())["crn"]
    case = (await api.client.get(f"/cases/{(await api.sentence(crn))['case_id']}", headers=api.spo())).json()
    assert case["tier"] is None and case["points"] == 29  # weighed as D1 until tiered
    assert (await api.allocate(case["id"], "LON01T1P91")).status_code == 200

    url = "/staff/LON01T1P91/court-reports"
    standard = await api.client.post(url, json={"kind": "STANDARD", "requested_on": "2026-11-02"}, headers=api.spo())
    assert standard.status_code == 201 and standard.json()["points"] == 138
    fast = await api.client.post(url, json={"kind": "FAST", "requested_on": "2026-11-02"}, headers=api.spo())
    assert fast.status_code == 201
    bad = await api.client.post(url, json={"kind": "X", "requested_on": "2026-11-02"}, headers=api.spo())
    assert bad.status_code == 422
    not_spo = await api.client.post(url, json={"kind": "FAST", "requested_on": "2026-11-02"}, headers=api.h())
    assert not_spo.status_code == 403
    workload = (await api.client.get("/staff/LON01T1P91/workload", headers=api.spo())).json()
    assert (workload["total_points"], workload["court_report_points"], workload["capacity_percent"]) == (
        29 + 138 + 65,
        203,
        10.7,
    )
    assert workload["capacity_basis"]["case_points"] == 29 and workload["capacity_basis"]["rule"]

    done = await api.client.post(
        f"{url}/{standard.json()['id']}/completion", json={"completed_on": "2026-11-20"}, headers=api.spo()
    )
    assert done.status_code == 200 and done.json()["completed_on"] == "2026-11-20"
    again = await api.client.post(
        f"{url}/{standard.json()['id']}/completion", json={"completed_on": "2026-11-20"}, headers=api.spo()
    )
    assert again.status_code == 409
    early = await api.client.post(
        f"{url}/{fast.json()['id']}/completion", json={"completed_on": "2026-11-01"}, headers=api.spo()
    )
    assert early.status_code == 422
    assert (await api.client.get("/staff/LON01T1P91/workload", headers=api.spo())).json()["total_points"] == 29 + 65
    listed = (await api.client.get(url, headers=api.h())).json()["court_reports"]
    assert [r["kind"] for r in listed] == ["STANDARD", "FAST"]


async def test_a_rosh_high_or_mappa_registration_after_allocation_to_a_pso_flags_the_allocation(api):
    crn = (await api.person())["crn"]
    case_id = (await api.sentence(crn))["case_id"]
    assert (await api.allocate(case_id, "LON01T1S04")).status_code == 200  # seeded PSO
    before = (await api.client.get(f"/cases/{case_id}", headers=api.spo())).json()
    assert before["grade_fits"] is True and before["flags"] == []
    await api.client.post(
        f"/people/{crn}/registrations", json={"type_code": "RHRH", "registered_on": "2026-11-01"}, headers=api.h()
    )
    after = (await api.client.get(f"/cases/{case_id}", headers=api.spo())).json()
    assert after["grade_fits"] is False
    assert after["flags"] == ["grade no longer fits: PO required: RoSH high, held by a PSO"]
    # Moving it to a PO clears the flag.
    assert (await api.allocate(case_id, "LON01T1S02", reason="RoSH high: a PO must hold it")).status_code == 200
    assert (await api.client.get(f"/cases/{case_id}", headers=api.spo())).json()["flags"] == []


async def test_a_person_on_two_orders_counts_once_and_has_one_manager(api):
    await api.staff("LON01T1P92", grade="PO", hours=37)
    await api.staff("LON01T1P93", grade="PO", hours=37)
    crn = (await api.person())["crn"]
    await api.set_tier(crn, "B1")
    first = (await api.sentence(crn))["case_id"]
    second = (await api.sentence(crn, sentence_date="2026-02-02"))["case_id"]
    # The allocation is per person: the person's waiting second order goes to the same manager.
    assert (await api.allocate(first, "LON01T1P92")).status_code == 200
    assert (await api.client.get(f"/cases/{second}", headers=api.spo())).json()["staff_code"] == "LON01T1P92"
    again = await api.allocate(second, "LON01T1P92")
    assert again.status_code == 409 and again.json()["code"] == "already-allocated"
    workload = (await api.client.get("/staff/LON01T1P92/workload", headers=api.spo())).json()
    assert (workload["cases"], workload["active_risk_cases"], workload["total_points"]) == (1, 1, 102)

    # Giving one order to another practitioner moves the person: a transfer, so a reason is needed.
    refused = await api.allocate(second, "LON01T1P93")
    assert refused.status_code == 422 and refused.json()["code"] == "reason-required"
    assert (await api.allocate(second, "LON01T1P93", reason="Moved across the borough")).status_code == 200
    for case_id in (first, second):
        assert (await api.client.get(f"/cases/{case_id}", headers=api.spo())).json()["staff_code"] == "LON01T1P93"
    assert (await api.client.get("/staff/LON01T1P92/workload", headers=api.spo())).json()["cases"] == 0
    history = (await api.client.get(f"/cases/{first}/allocations", headers=api.spo())).json()
    assert [h["kind"] for h in history] == ["ALLOCATED", "TRANSFERRED"]
    assert (await api.client.get(f"/people/{crn}/manager", headers=api.h())).json()["staff_code"] == "LON01T1P93"


async def test_an_unallocated_second_order_joins_the_persons_manager_without_a_reason(api):
    crn = (await api.person())["crn"]
    first = (await api.sentence(crn))["case_id"]
    assert (await api.allocate(first, "LON01T1S03")).status_code == 200
    second = (await api.sentence(crn, sentence_date="2026-02-02"))["case_id"]
    recs = (await api.client.get(f"/cases/{second}/recommendations", headers=api.spo())).json()["practitioners"]
    holder = next(p for p in recs if p["staff_code"] == "LON01T1S03")
    # The person is already theirs: taking the second order adds no points.
    assert holder["projected_capacity_percent"] == holder["capacity_percent"]
    assert (await api.allocate(second, "LON01T1S03")).status_code == 200


async def test_a_back_dated_main_address_becomes_previous_or_is_refused(api):
    crn = (await api.person())["crn"]
    url = f"/people/{crn}/addresses"
    main = {"status": "MAIN", "address_type": "HOME", "line1": "1 Station Road", "postcode": "N1 9GU"}
    current = await api.client.post(url, json={**main, "start_date": "2026-05-01"}, headers=api.h())
    assert current.status_code == 201
    overlapping = await api.client.post(
        url, json={**main, "line1": "9 Old Street", "start_date": "2025-01-01"}, headers=api.h()
    )
    assert overlapping.status_code == 422 and overlapping.json()["code"] == "address-overlaps-main"
    history = await api.client.post(
        url,
        json={**main, "line1": "9 Old Street", "start_date": "2025-01-01", "end_date": "2026-04-30"},
        headers=api.h(),
    )
    assert history.status_code == 201 and history.json()["status"] == "PREVIOUS"
    stored = {a["id"]: a for a in (await api.client.get(url, headers=api.h())).json()["addresses"]}
    kept = stored[current.json()["id"]]
    assert kept["status"] == "MAIN" and kept["end_date"] is None


async def test_a_handed_over_case_is_not_handed_back_by_a_later_amendment(api):
    crn = (await api.person())["crn"]
    sentence = await api.sentence(
        crn,
        sentence_type="CUSTODY",
        sentence_date="2025-01-06",
        length=(4, "YEARS"),
        custody={"conditional_release_date": "2027-01-06"},
    )
    handover = (await api.client.get(f"/people/{crn}/handover", headers=api.h())).json()
    assert (handover["responsible"], handover["handover_date"]) == ("COM", "2026-05-22")
    assert handover["basis"]["release_date_source"] == "conditional_release_date"
    assert handover["basis"]["short_sentence"] is False and handover["basis"]["sentence_date"] == "2025-01-06"
    moved_out = await api.client.patch(
        f"/people/{crn}/sentences/{sentence['id']}", json={"confirmed_release_date": "2028-06-30"}, headers=api.h()
    )
    assert moved_out.status_code == 200
    after = (await api.client.get(f"/people/{crn}/handover", headers=api.h())).json()
    assert after["responsible"] == "COM"
    events = await api.events("offender-management.handover.changed", crn)
    responsible = [e["additionalInformation"]["responsible"] for e in events]
    assert "POM" not in responsible
    future = await api.client.post("/admin/jobs/handover?on=2026-11-24", headers=api.h(Role.OPERATOR))
    assert future.status_code == 422 and future.json()["code"] == "future-date"


async def test_treatment_and_curfew_requirements_record_progress_forward_only_with_monitoring_details(api):
    crn = (await api.person())["crn"]
    monitoring = {
        "curfew_start": "19:00",
        "curfew_end": "07:00",
        "address": "1 Station Road, Islington",
        "postcode": "N1 9GU",
        "em_provider": "Electronic Monitoring Service",
        "tag_type": "RF",
    }
    sentence = await api.sentence(
        crn,
        sentence_date="2026-01-31",
        requirements=[
            {"requirement_type": "DRR", "length": 6},
            {"requirement_type": "CURFEW", "length": 3, "monitoring": monitoring},
        ],
    )
    drr, curfew = sentence["requirements"]
    assert (drr["progress_unit"], drr["progress_total"]) == ("MONTHS", 6)
    assert (curfew["progress_unit"], curfew["progress_total"]) == ("DAYS", 89)  # 31 Jan to 30 Apr
    assert curfew["monitoring"] == {**monitoring, "hours_per_day": 12.0}
    url = f"/people/{crn}/sentences/{sentence['id']}/requirements"
    done = await api.client.patch(f"{url}/{drr['id']}", json={"completed": 2}, headers=api.h())
    assert done.status_code == 200 and done.json()["completed"] == 2
    back = await api.client.patch(f"{url}/{drr['id']}", json={"completed": 1}, headers=api.h())
    assert back.status_code == 422 and back.json()["code"] == "progress-backwards"
    assert (await api.client.patch(f"{url}/{curfew['id']}", json={"completed": 89}, headers=api.h())).status_code == 200
    over = await api.client.patch(f"{url}/{curfew['id']}", json={"completed": 90}, headers=api.h())
    assert over.status_code == 422
    for bad in (
        {"requirement_type": "RAR", "length": 5, "monitoring": monitoring},
        {"requirement_type": "CURFEW", "length": 3, "monitoring": {**monitoring, "curfew_end": "20:00"}},
        {"requirement_type": "CURFEW", "length": 3, "monitoring": {**monitoring, "tag_type": "ALCOHOL"}},
        {"requirement_type": "CURFEW", "length": 3, "monitoring": {"curfew_start": "19:00"}},
    ):
        assert (await api.client.post(url, json=bad, headers=api.h())).status_code == 422, bad


async def test_drug_tests_refused_on_a_terminated_drr_or_in_the_future_and_a_refusal_counts_as_positive(api):
    crn = (await api.person())["crn"]
    sentence = await api.sentence(crn, requirements=[{"requirement_type": "DRR", "length": 6}])
    (drr,) = sentence["requirements"]
    url = f"/people/{crn}/drug-tests"
    flags = []
    for day, result in (("2026-01-10", "POSITIVE"), ("2026-01-17", "REFUSED"), ("2026-01-24", "POSITIVE")):
        response = await api.client.post(
            url, json={"requirement_id": drr["id"], "test_date": day, "result": result}, headers=api.h()
        )
        assert response.status_code == 201, response.text
        flags.append(response.json()["flagged_for_enforcement"])
    assert flags == [False, True, True]
    future = await api.client.post(
        url, json={"requirement_id": drr["id"], "test_date": "2026-11-24", "result": "NEGATIVE"}, headers=api.h()
    )
    assert future.status_code == 422
    ended = await api.client.post(
        f"/people/{crn}/sentences/{sentence['id']}/requirements/{drr['id']}/termination",
        json={"date": "2026-02-01", "reason": "Revoked"},
        headers=api.h(),
    )
    assert ended.status_code == 200
    refused = await api.client.post(
        url, json={"requirement_id": drr["id"], "test_date": "2026-02-10", "result": "NEGATIVE"}, headers=api.h()
    )
    assert refused.status_code == 422 and refused.json()["code"] == "requirement-terminated"


async def test_compliance_months_run_from_a_31st_start_and_carry_their_inputs(api):
    crn = (await api.person())["crn"]
    await api.sentence(crn, sentence_date="2026-01-31")
    with clock.fixed_today(date(2026, 4, 1)):
        report = (await api.client.get(f"/people/{crn}/compliance?on=2026-04-01", headers=api.h())).json()
    (case,) = report["cases"]
    assert [(p["start"], p["end"]) for p in case["periods"]] == [
        ("2026-01-31", "2026-02-27"),
        ("2026-02-28", "2026-03-30"),
        ("2026-03-31", "2026-04-29"),
    ]
    assert case["basis"]["supervision_start"] == "2026-01-31" and "month" in case["basis"]["rule"]


async def test_a_case_carries_the_inputs_of_its_due_date(api):
    crn = (await api.person())["crn"]
    case_id = (await api.sentence(crn, sentence_date="2025-12-18"))["case_id"]
    case = (await api.client.get(f"/cases/{case_id}", headers=api.spo())).json()
    basis = case["due_date_basis"]
    assert case["due_date"] == "2025-12-29" and basis["sentence_date"] == "2025-12-18" and basis["working_days"] == 5
    # Weekend 20–21 Dec, Christmas Day, Boxing Day, weekend 27–28 Dec.
    assert basis["days_not_counted"] == [
        "2025-12-20",
        "2025-12-21",
        "2025-12-25",
        "2025-12-26",
        "2025-12-27",
        "2025-12-28",
    ]
