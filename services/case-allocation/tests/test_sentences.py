"""Court events, sentences, requirements and registrations: state, events and their detail URLs."""

from probation_shared.auth import Role


async def test_a_community_order_opens_a_case_due_in_five_working_days(api):
    crn = (await api.person())["crn"]
    sentence = await api.sentence(crn, sentence_date="2025-12-18")
    assert sentence["case_id"] and sentence["expected_end_date"] == "2026-12-18"
    case = await api.client.get(f"/cases/{sentence['case_id']}?on=2025-12-29", headers=api.spo())
    assert case.status_code == 200, case.text
    assert case.json()["due_date"] == "2025-12-29" and case.json()["status"] == "UNALLOCATED"
    assert case.json()["due_status"] == "DUE_TODAY"
    assert (await api.client.get(f"/cases/{sentence['case_id']}?on=2025-12-30", headers=api.spo())).json()[
        "due_status"
    ] == "OVERDUE"
    assert (await api.client.get(f"/cases/{sentence['case_id']}?on=2025-12-24", headers=api.spo())).json()[
        "due_status"
    ] == "DUE_ON"


async def test_sentence_events_carry_type_custody_and_mandate_for_change(api):
    crn = (await api.person())["crn"]
    upw = await api.sentence(crn, requirements=[{"requirement_type": "UPW", "length": 120}])
    (created,) = await api.events("probation-case.sentence.created", crn)
    assert created["additionalInformation"] == {
        "sentenceId": upw["id"],
        "sentenceType": "COMMUNITY_ORDER",
        "custodial": False,
        "mandateForChange": False,
    }
    (requirement,) = await api.events("probation-case.requirement.created", crn)
    assert requirement["additionalInformation"] == {
        "sentenceId": upw["id"],
        "requirementId": upw["requirements"][0]["id"],
        "requirementType": "UPW",
        "mandateForChange": False,
    }
    assert requirement["detailUrl"].endswith(f"/people/{crn}/sentences/{upw['id']}")

    rar = await api.client.post(
        f"/people/{crn}/sentences/{upw['id']}/requirements",
        json={"requirement_type": "RAR", "length": 15},
        headers=api.h(),
    )
    assert rar.status_code == 201
    latest = (await api.events("probation-case.requirement.created", crn))[-1]
    assert (
        latest["additionalInformation"]["requirementType"] == "RAR"
        and latest["additionalInformation"]["mandateForChange"] is True
    )

    detail = await api.follow(created, api.service_token())
    assert detail.status_code == 200
    body = detail.json()
    assert body["offences"][0]["code"] == "02801" and {r["requirement_type"] for r in body["requirements"]} == {
        "UPW",
        "RAR",
    }
    police = await api.follow(created, api.h(Role.POLICE_PARTNER))
    assert police.status_code == 404  # police partners see IOM and MAPPA cases only


async def test_terminating_a_sentence_closes_its_case_and_its_requirements(api):
    crn = (await api.person())["crn"]
    sentence = await api.sentence(crn)
    response = await api.client.post(
        f"/people/{crn}/sentences/{sentence['id']}/termination",
        json={"date": "2026-03-01", "reason": "Revoked"},
        headers=api.h(),
    )
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "TERMINATED" and response.json()["requirements"][0]["status"] == "TERMINATED"
    (terminated,) = await api.events("probation-case.sentence.terminated", crn)
    assert terminated["additionalInformation"]["mandateForChange"] is False
    assert len(await api.events("probation-case.requirement.terminated", crn)) == 1
    case = (await api.client.get(f"/cases/{sentence['case_id']}", headers=api.spo())).json()
    assert case["status"] == "CLOSED"
    again = await api.client.post(
        f"/people/{crn}/sentences/{sentence['id']}/termination",
        json={"date": "2026-03-01", "reason": "x"},
        headers=api.h(),
    )
    assert again.status_code == 409


async def test_requirement_progress_and_termination(api):
    crn = (await api.person())["crn"]
    sentence = await api.sentence(
        crn, requirements=[{"requirement_type": "UPW", "length": 100}, {"requirement_type": "RAR", "length": 20}]
    )
    upw, rar = sentence["requirements"]
    url = f"/people/{crn}/sentences/{sentence['id']}/requirements"
    done = await api.client.patch(f"{url}/{upw['id']}", json={"completed": 42}, headers=api.h())
    assert done.status_code == 200 and done.json()["completed"] == 42 and done.json()["unit"] == "HOURS"
    too_many = await api.client.patch(f"{url}/{rar['id']}", json={"completed": 21}, headers=api.h())
    assert too_many.status_code == 422 and too_many.json()["errors"][0]["field"] == "completed"
    ended = await api.client.post(
        f"{url}/{rar['id']}/termination", json={"date": "2026-02-01", "reason": "Completed"}, headers=api.h()
    )
    assert ended.status_code == 200
    (event,) = await api.events("probation-case.requirement.terminated", crn)
    assert (
        event["additionalInformation"]["requirementType"] == "RAR"
        and event["additionalInformation"]["mandateForChange"] is False
    )
    assert (await api.client.patch(f"{url}/999", json={"completed": 1}, headers=api.h())).status_code == 404


async def test_sentence_input_is_validated(api):
    crn = (await api.person())["crn"]
    bad_pdu = await api.sentence(crn, pdu="NOPE", expect=422)
    assert bad_pdu["code"] == "unknown-pdu"
    base = {
        "conviction_date": "2025-12-18",
        "offences": [{"code": "02801"}],
        "sentence_type": "COMMUNITY_ORDER",
        "sentence_date": "2025-12-18",
        "length": {"value": 12, "unit": "MONTHS"},
        "pdu_code": "LON01",
    }
    for body in (
        {**base, "offences": []},
        {**base, "offences": [{"code": "burglary"}]},
        {**base, "sentence_type": "FINE"},
        {**base, "length": {"value": 0, "unit": "MONTHS"}},
        {**base, "sentence_date": "2025-12-01"},  # before conviction
        {**base, "requirements": [{"requirement_type": "XYZ", "length": 1}]},
        {**base, "custody": {"conditional_release_date": "2026-06-01"}},  # custody dates on a community order
    ):
        response = await api.client.post(f"/people/{crn}/sentences", json=body, headers=api.h())
        assert response.status_code == 422, (body, response.text)
    assert (await api.client.post(f"/people/{crn}/sentences", json=base)).status_code == 401
    assert (
        await api.client.post(f"/people/{crn}/sentences", json=base, headers=api.h(Role.AUDITOR))
    ).status_code == 403
    assert (await api.client.get(f"/people/{crn}/sentences/12345", headers=api.h())).status_code == 404


async def test_registrations_add_update_deregister_with_history_and_events(api):
    crn = (await api.person())["crn"]
    url = f"/people/{crn}/registrations"
    mappa = await api.client.post(
        url, json={"type_code": "MAPP", "level": "M2", "category": "M1", "registered_on": "2026-01-05"}, headers=api.h()
    )
    assert mappa.status_code == 201, mappa.text
    reg_id = mappa.json()["id"]
    (added,) = await api.events("probation-case.registration.added", crn)
    assert added["additionalInformation"] == {
        "registrationId": reg_id,
        "registerTypeCode": "MAPP",
        "registerLevel": "M2",
        "registerCategory": "M1",
    }
    updated = await api.client.patch(f"{url}/{reg_id}", json={"level": "M3"}, headers=api.h())
    assert updated.status_code == 200 and updated.json()["level"] == "M3"
    (upd,) = await api.events("probation-case.registration.updated", crn)
    assert upd["additionalInformation"]["registerLevel"] == "M3"
    gone = await api.client.post(f"{url}/{reg_id}/deregistration", json={"date": "2026-02-01"}, headers=api.h())
    assert gone.status_code == 200 and gone.json()["status"] == "DEREGISTERED"
    (dereg,) = await api.events("probation-case.registration.deregistered", crn)
    detail = await api.follow(dereg, api.h())
    assert [h["action"] for h in detail.json()["history"]] == ["ADDED", "UPDATED", "DEREGISTERED"]
    assert (await api.client.patch(f"{url}/{reg_id}", json={"level": "M1"}, headers=api.h())).status_code == 409

    for body in (
        {"type_code": "NOPE", "registered_on": "2026-01-05"},
        {"type_code": "MAPP", "level": "M4", "category": "M1", "registered_on": "2026-01-05"},
        {"type_code": "MAPP", "registered_on": "2026-01-05"},
    ):
        response = await api.client.post(url, json=body, headers=api.h())
        assert response.status_code == 422 and response.json()["code"] == "invalid-registration", response.text


async def test_a_new_rosh_level_replaces_the_old(api):
    crn = (await api.person())["crn"]
    url = f"/people/{crn}/registrations"
    first = (
        await api.client.post(url, json={"type_code": "RMRH", "registered_on": "2026-01-05"}, headers=api.h())
    ).json()
    await api.client.post(url, json={"type_code": "RHRH", "registered_on": "2026-02-05"}, headers=api.h())
    regs = {r["id"]: r for r in (await api.client.get(url, headers=api.h())).json()["registrations"]}
    assert regs[first["id"]]["status"] == "DEREGISTERED"
    assert [r["type_code"] for r in regs.values() if r["status"] == "ACTIVE"] == ["RHRH"]
    assert len(await api.events("probation-case.registration.deregistered", crn)) == 1
