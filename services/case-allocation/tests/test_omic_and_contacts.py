"""OMiC handover and its daily job; contacts, breach, compliance and drug tests."""

from datetime import date

from case_allocation.jobs import handover_once
from probation_shared import clock
from probation_shared.auth import Role


async def test_an_eight_month_custodial_sentence_is_com_from_the_start(api):
    crn = (await api.person())["crn"]
    await api.sentence(
        crn,
        sentence_type="CUSTODY",
        sentence_date="2026-06-01",
        length=(8, "MONTHS"),
        custody={"conditional_release_date": "2026-10-01"},
    )
    handover = (await api.client.get(f"/people/{crn}/handover", headers=api.h(Role.PRISON_OFFENDER_MANAGER))).json()
    assert handover["responsible"] == "COM" and handover["handover_date"] == "2026-06-01"
    (event,) = await api.events("offender-management.handover.changed", crn)
    assert event["additionalInformation"] == {"responsible": "COM", "handoverDate": "2026-06-01"}


async def test_a_three_year_sentence_is_pom_until_handover_and_the_daily_job_flips_it(api):
    crn = (await api.person())["crn"]
    sentence = await api.sentence(
        crn,
        sentence_type="CUSTODY",
        sentence_date="2026-04-30",
        length=(3, "YEARS"),
        custody={"conditional_release_date": "2027-10-31", "automatic_release_date": "2028-04-29"},
    )
    assert sentence["custody"]["release_date"] == "2027-10-31"
    handover = (await api.client.get(f"/people/{crn}/handover", headers=api.h())).json()
    assert (handover["responsible"], handover["handover_date"], handover["release_date"]) == (
        "POM",
        "2027-03-16",
        "2027-10-31",
    )
    (first,) = await api.events("offender-management.handover.changed", crn)
    assert first["additionalInformation"] == {"responsible": "POM", "handoverDate": "2027-03-16"}

    # The day before: nothing moves (function form, as the periodic task calls it).
    with clock.fixed_today(date(2027, 3, 15)):
        assert await handover_once(api.service.database, date(2027, 3, 15)) == []
    # Not ahead of the day: a future date is refused, and nothing moves.
    early = await api.client.post("/admin/jobs/handover?on=2027-03-16", headers=api.h(Role.OPERATOR))
    assert early.status_code == 422 and early.json()["code"] == "future-date"
    assert (await api.client.get(f"/people/{crn}/handover", headers=api.h())).json()["responsible"] == "POM"
    # On the day, through the operations endpoint.
    with clock.fixed_today(date(2027, 3, 16)):
        assert (await api.client.post("/admin/jobs/handover?on=2027-03-16", headers=api.h())).status_code == 403
        ran = await api.client.post("/admin/jobs/handover?on=2027-03-16", headers=api.h(Role.OPERATOR))
    assert ran.status_code == 200 and crn in ran.json()["moved"]
    assert (await api.client.get(f"/people/{crn}/handover", headers=api.h())).json()["responsible"] == "COM"
    events = await api.events("offender-management.handover.changed", crn)
    assert [e["additionalInformation"]["responsible"] for e in events] == ["POM", "COM"]
    assert (await api.follow(events[-1], api.service_token())).json()["responsible"] == "COM"
    # Idempotent: running again moves nothing and publishes nothing.
    with clock.fixed_today(date(2027, 3, 17)):
        assert await handover_once(api.service.database, date(2027, 3, 17)) == []
    assert len(await api.events("offender-management.handover.changed", crn)) == 2


async def test_amending_release_dates_moves_the_handover_and_release_makes_it_a_licence_case(api):
    crn = (await api.person())["crn"]
    await api.set_tier(crn, "B2")
    sentence = await api.sentence(
        crn,
        sentence_type="CUSTODY",
        sentence_date="2026-04-30",
        length=(4, "YEARS"),
        custody={"conditional_release_date": "2028-04-29"},
    )
    case_id = sentence["case_id"]
    assert (await api.client.get(f"/cases/{case_id}", headers=api.spo())).json()["points"] == 48  # custody B2
    amended = await api.client.patch(
        f"/people/{crn}/sentences/{sentence['id']}", json={"confirmed_release_date": "2027-10-31"}, headers=api.h()
    )
    assert amended.status_code == 200
    assert (await api.client.get(f"/people/{crn}/handover", headers=api.h())).json()["handover_date"] == "2027-03-16"
    (amend_event,) = await api.events("probation-case.sentence.amended", crn)
    assert (
        amend_event["additionalInformation"]["custodial"] is True
        and amend_event["additionalInformation"]["mandateForChange"] is True
    )
    released = await api.client.patch(
        f"/people/{crn}/sentences/{sentence['id']}", json={"released_on": "2026-06-01"}, headers=api.h()
    )
    assert released.status_code == 200
    case = (await api.client.get(f"/cases/{case_id}", headers=api.spo())).json()
    assert case["case_type"] == "LICENCE" and case["points"] == 132
    community = await api.sentence(crn)
    wrong = await api.client.patch(
        f"/people/{crn}/sentences/{community['id']}", json={"released_on": "2026-06-01"}, headers=api.h()
    )
    assert wrong.status_code == 422


async def _contact(api, crn, day, outcome, kind="OFFICE_APPOINTMENT"):
    response = await api.client.post(
        f"/people/{crn}/contacts", json={"contact_type": kind, "contact_date": day, "outcome": outcome}, headers=api.h()
    )
    assert response.status_code == 201, response.text
    return response.json()


async def test_two_unacceptable_absences_in_twelve_months_raise_a_breach(api):
    crn = (await api.person())["crn"]
    await api.sentence(crn)
    first = await _contact(api, crn, "2026-01-10", "FTA_UNACCEPTABLE")
    assert first["breach_id"] is None
    await _contact(api, crn, "2026-02-10", "FTA_ACCEPTABLE")
    pending = await _contact(api, crn, "2026-03-10", None)
    recorded = await api.client.patch(
        f"/people/{crn}/contacts/{pending['id']}", json={"outcome": "FTA_UNACCEPTABLE"}, headers=api.h()
    )
    assert recorded.status_code == 200 and recorded.json()["breach_id"]
    (raised,) = await api.events("enforcement.breach.raised", crn)
    assert raised["additionalInformation"] == {"breachId": recorded.json()["breach_id"]}
    breach = (await api.follow(raised, api.h())).json()
    assert sorted(breach["contact_ids"]) == sorted([first["id"], pending["id"]]) and breach["status"] == "OPEN"
    # A third absence does not raise another breach on its own.
    await _contact(api, crn, "2026-04-10", "FTA_UNACCEPTABLE")
    assert len(await api.events("enforcement.breach.raised", crn)) == 1
    again = await api.client.patch(
        f"/people/{crn}/contacts/{pending['id']}", json={"outcome": "ATTENDED"}, headers=api.h()
    )
    assert again.status_code == 409
    future = await api.client.post(
        f"/people/{crn}/contacts",
        json={"contact_type": "PHONE", "contact_date": "2999-01-01", "outcome": "ATTENDED"},
        headers=api.h(),
    )
    assert future.status_code == 422
    assert (
        await api.client.post(
            f"/people/{crn}/contacts",
            json={"contact_type": "PHONE", "contact_date": "2026-01-01"},
            headers=api.h(Role.AUDITOR),
        )
    ).status_code == 403


async def test_absences_a_year_apart_do_not_breach(api):
    crn = (await api.person())["crn"]
    await _contact(api, crn, "2025-01-10", "FTA_UNACCEPTABLE")
    await _contact(api, crn, "2026-02-10", "FTA_UNACCEPTABLE")
    assert await api.events("enforcement.breach.raised", crn) == []


async def test_monthly_face_to_face_compliance_per_case(api):
    crn = (await api.person())["crn"]
    await api.sentence(crn, sentence_date="2026-01-15")
    await _contact(api, crn, "2026-01-20", "ATTENDED")
    await _contact(api, crn, "2026-02-20", "ATTENDED", kind="PHONE")  # not face to face
    report = (await api.client.get(f"/people/{crn}/compliance?on=2026-03-20", headers=api.h())).json()
    (case,) = report["cases"]
    assert [p["status"] for p in case["periods"]] == ["MET", "NOT_MET", "IN_PROGRESS"] and case["compliant"] is False
    assert (await api.client.get(f"/people/{crn}/compliance", headers=api.h(Role.POLICE_PARTNER))).status_code == 403


async def test_drug_test_results_are_notified_with_the_police_flag_for_iom_cases(api):
    crn = (await api.person())["crn"]
    sentence = await api.sentence(
        crn, requirements=[{"requirement_type": "DRR", "length": 6}, {"requirement_type": "RAR", "length": 10}]
    )
    drr, rar = sentence["requirements"]
    first = await api.client.post(
        f"/people/{crn}/drug-tests",
        json={"requirement_id": drr["id"], "test_date": "2026-01-10", "result": "NEGATIVE"},
        headers=api.h(),
    )
    assert first.status_code == 201, first.text
    (plain,) = await api.events("probation-case.drug-test.recorded", crn)
    assert plain["additionalInformation"] == {
        "testId": first.json()["id"],
        "result": "NEGATIVE",
        "policePartnerNotifiable": False,
    }
    assert (await api.follow(plain, api.h(Role.POLICE_PARTNER))).status_code == 404

    await api.client.post(
        f"/people/{crn}/registrations", json={"type_code": "IIOM", "registered_on": "2026-01-01"}, headers=api.h()
    )
    for day in ("2026-01-17", "2026-01-24"):
        response = await api.client.post(
            f"/people/{crn}/drug-tests",
            json={"requirement_id": drr["id"], "test_date": day, "result": "POSITIVE", "substances": ["cocaine"]},
            headers=api.h(),
        )
        assert response.status_code == 201
    events = await api.events("probation-case.drug-test.recorded", crn)
    assert [e["additionalInformation"]["policePartnerNotifiable"] for e in events] == [False, True, True]
    police_view = await api.follow(events[-1], api.h(Role.POLICE_PARTNER))
    assert police_view.status_code == 200
    assert police_view.json()["result"] == "POSITIVE" and police_view.json()["flagged_for_enforcement"] is True
    assert "substances" not in police_view.json()  # health data is not for the police partner
    assert (await api.follow(events[-1], api.h())).json()["substances"] == ["cocaine"]
    assert (await api.follow(events[1], api.h())).json()["flagged_for_enforcement"] is False

    not_drr = await api.client.post(
        f"/people/{crn}/drug-tests",
        json={"requirement_id": rar["id"], "test_date": "2026-01-10", "result": "NEGATIVE"},
        headers=api.h(),
    )
    assert not_drr.status_code == 422 and not_drr.json()["code"] == "not-a-drr"
