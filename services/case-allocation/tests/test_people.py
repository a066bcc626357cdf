"""People, personal details, addresses with history, search, limited access, redaction and audit."""

from sqlalchemy import func, select

from case_allocation.db.models import PLATFORM
from probation_shared.auth import Role

NEW = {
    "first_name": "Ada",
    "last_name": "Lovelace",
    "date_of_birth": "1985-12-10",
    "sex": "FEMALE",
    "noms_number": "A1234BC",
    "phone": "07700 900123",
    "email": "ada@example.com",
}
ADDRESS = {
    "status": "MAIN",
    "address_type": "HOME",
    "line1": "1 Station Road",
    "town": "Islington",
    "postcode": "N1 9GU",
    "start_date": "2025-01-01",
}


async def test_register_person_publishes_engagement_created(api):
    response = await api.client.post("/people", json=NEW, headers=api.h())
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["crn"][0].isalpha() and len(body["crn"]) == 7 and body["crn"][1:].isdigit()
    assert response.headers["location"] == f"/people/{body['crn']}"
    (event,) = await api.events("probation-case.engagement.created", body["crn"])
    assert event["detailUrl"].endswith(f"/people/{body['crn']}")
    assert {"type": "NOMS", "value": "A1234BC"} in event["personReference"]["identifiers"]


async def test_people_endpoints_need_a_token_and_a_probation_role(api):
    person = await api.person()
    assert (await api.client.post("/people", json=NEW)).status_code == 401
    assert (await api.client.get(f"/people/{person['crn']}")).status_code == 401
    for role in (Role.PROVIDER_CASEWORKER, Role.COMMISSIONER, Role.OPERATOR):
        denied = await api.client.get(f"/people/{person['crn']}", headers=api.h(role))
        assert denied.status_code == 403, role
        assert denied.headers["content-type"].startswith("application/problem+json")
    assert (await api.client.post("/people", json=NEW, headers=api.h(Role.AUDITOR))).status_code == 403
    assert (await api.client.get("/people?name=Sam", headers=api.h(Role.POLICE_PARTNER))).status_code == 403


async def test_bad_input_is_a_problem_not_a_500(api):
    cases = [
        {**NEW, "date_of_birth": "2999-01-01"},
        {**NEW, "noms_number": "1234ABC"},
        {**NEW, "sex": "M"},
        {**NEW, "email": "not-an-email"},
        {k: v for k, v in NEW.items() if k != "last_name"},
        {**NEW, "unexpected": 1},
    ]
    for body in cases:
        response = await api.client.post("/people", json=body, headers=api.h())
        assert response.status_code == 422, (body, response.text)
        assert response.json()["code"] == "validation-failed"
    malformed = await api.client.post(
        "/people", content=b"{not json", headers={**api.h(), "content-type": "application/json"}
    )
    assert malformed.status_code == 400
    assert (await api.client.get("/people/not-a-crn", headers=api.h())).status_code == 422
    assert (await api.client.get("/people/X000000", headers=api.h())).status_code == 404
    first = await api.client.post("/people", json=NEW, headers=api.h())
    assert first.status_code == 201
    again = await api.client.post("/people", json=NEW, headers=api.h())
    assert again.status_code == 409 and again.json()["code"] == "noms-number-in-use"


async def test_updating_personal_details_publishes_once_per_real_change(api):
    person = await api.person()
    crn = person["crn"]
    response = await api.client.patch(
        f"/people/{crn}", json={"last_name": "Renamed", "phone": "0161 496 0000"}, headers=api.h()
    )
    assert response.status_code == 200 and response.json()["last_name"] == "Renamed"
    unchanged = await api.client.patch(f"/people/{crn}", json={"last_name": "Renamed"}, headers=api.h())
    assert unchanged.status_code == 200
    assert len(await api.events("probation-case.personal-details.updated", crn)) == 1
    cleared = await api.client.patch(f"/people/{crn}", json={"last_name": None}, headers=api.h())
    assert cleared.status_code == 422
    unborn = await api.client.patch(f"/people/{crn}", json={"date_of_birth": "2030-01-01"}, headers=api.h())
    assert unborn.status_code == 422 and "date_of_birth" in unborn.text
    assert (
        await api.client.patch(f"/people/{crn}", json={"last_name": "X"}, headers=api.h(Role.POLICE_PARTNER))
    ).status_code == 403


async def test_address_update_event_detail_shows_address_to_practitioner_not_provider(api):
    crn = (await api.person())["crn"]
    created = await api.client.post(f"/people/{crn}/addresses", json=ADDRESS, headers=api.h())
    assert created.status_code == 201, created.text
    address_id = created.json()["id"]
    changed = await api.client.patch(
        f"/people/{crn}/addresses/{address_id}",
        json={"line1": "22 Acacia Avenue", "postcode": "N7 8AB"},
        headers=api.h(),
    )
    assert changed.status_code == 200, changed.text

    (event,) = await api.events("probation-case.address.updated", crn)
    assert event["additionalInformation"] == {"addressId": address_id}
    assert event["detailUrl"].endswith(f"/people/{crn}/addresses/{address_id}")

    as_practitioner = await api.follow(event, api.h())
    assert as_practitioner.status_code == 200
    assert as_practitioner.json()["postcode"] == "N7 8AB" and as_practitioner.json()["line1"] == "22 Acacia Avenue"
    as_service = await api.follow(event, api.service_token())
    assert as_service.json()["postcode"] == "N7 8AB"
    as_provider = await api.follow(event, api.h(Role.PROVIDER_CASEWORKER, provider_id="P1"))
    assert as_provider.status_code == 403
    assert "N7 8AB" not in as_provider.text and "Acacia" not in as_provider.text
    as_auditor = await api.follow(event, api.h(Role.AUDITOR))
    assert as_auditor.status_code == 200 and as_auditor.json()["postcode"] == "***"


async def test_a_new_main_address_ends_the_previous_one_and_the_person_shows_it(api):
    crn = (await api.person())["crn"]
    first = (await api.client.post(f"/people/{crn}/addresses", json=ADDRESS, headers=api.h())).json()
    second = await api.client.post(
        f"/people/{crn}/addresses",
        json={**ADDRESS, "line1": "9 New Street", "start_date": "2025-06-01"},
        headers=api.h(),
    )
    assert second.status_code == 201
    history = (await api.client.get(f"/people/{crn}/addresses", headers=api.h())).json()["addresses"]
    old = next(a for a in history if a["id"] == first["id"])
    assert old["status"] == "PREVIOUS" and old["end_date"] == "2025-06-01"
    person = (await api.client.get(f"/people/{crn}", headers=api.service_token())).json()
    assert person["main_address"]["line1"] == "9 New Street"
    assert len(await api.events("probation-case.address.created", crn)) == 2
    assert len(await api.events("probation-case.address.updated", crn)) == 1

    bad = await api.client.post(f"/people/{crn}/addresses", json={**ADDRESS, "end_date": "2024-01-01"}, headers=api.h())
    assert bad.status_code == 422
    deleted = await api.client.delete(f"/people/{crn}/addresses/{second.json()['id']}", headers=api.h())
    assert deleted.status_code == 204
    (gone,) = await api.events("probation-case.address.deleted", crn)
    detail = await api.follow(gone, api.service_token())
    assert detail.status_code == 200 and detail.json()["deleted"] is True
    assert (await api.client.get(f"/people/{crn}", headers=api.h())).json()["main_address"] is None


async def test_person_detail_for_a_referral_with_a_service_token(api):
    crn = (await api.client.post("/people", json=NEW, headers=api.h())).json()["crn"]
    await api.client.post(f"/people/{crn}/addresses", json=ADDRESS, headers=api.h())
    body = (await api.client.get(f"/people/{crn}", headers=api.service_token())).json()
    assert body["first_name"] == "Ada" and body["date_of_birth"] == "1985-12-10" and body["sex"] == "FEMALE"
    assert body["phone"] == "07700 900123" and body["email"] == "ada@example.com"
    assert body["main_address"]["postcode"] == "N1 9GU"


async def test_search_by_name_crn_and_date_of_birth_is_paginated(api):
    for i in range(5):
        await api.person(first_name="Robin", last_name=f"Hood{i}", date_of_birth="1970-01-0" + str(i + 1))
    other = await api.person(first_name="Marian", last_name="Fitzwalter")
    page = (await api.client.get("/people?name=robin&size=2&page=1", headers=api.h())).json()
    assert page["total_elements"] == 5 and page["total_pages"] == 3 and len(page["content"]) == 2
    assert [p["last_name"] for p in page["content"]] == ["Hood2", "Hood3"]
    by_dob = (await api.client.get("/people?date_of_birth=1970-01-03", headers=api.h())).json()
    assert [p["last_name"] for p in by_dob["content"]] == ["Hood2"]
    by_crn = (await api.client.get(f"/people?crn={other['crn']}", headers=api.h())).json()
    assert [p["first_name"] for p in by_crn["content"]] == ["Marian"]
    assert (await api.client.get("/people", headers=api.h())).status_code == 422
    assert (await api.client.get("/people?name=robin&size=1000", headers=api.h())).status_code == 422


async def test_restricted_person_is_invisible_to_staff_not_named_and_excluded_staff_get_403(api):
    crn = (await api.person(first_name="Hidden", last_name="Person"))["crn"]
    named = api.h(staff_code="LON01T1S02")
    stranger = api.h(staff_code="LON01T1S03")
    excluded = api.h(staff_code="LON01T1S04")
    assert (
        await api.client.post(
            f"/people/{crn}/limited-access", json={"kind": "RESTRICTION", "staff_code": "LON01T1S02"}, headers=api.h()
        )
    ).status_code == 403  # only a limited-access administrator manages limited access
    for kind, code in (("RESTRICTION", "LON01T1S02"), ("RESTRICTION", "LON01T1S04"), ("EXCLUSION", "LON01T1S04")):
        await api.limit(crn, kind, code)

    assert (await api.client.get(f"/people/{crn}", headers=stranger)).status_code == 404
    assert (await api.client.get(f"/people/{crn}", headers=api.h())).status_code == 404  # no staff code: not named
    assert (await api.client.get(f"/people/{crn}/addresses", headers=stranger)).status_code == 404
    assert (await api.client.get("/people?name=hidden", headers=stranger)).json()["total_elements"] == 0
    excluded_read = await api.client.get(f"/people/{crn}", headers=excluded)
    assert excluded_read.status_code == 403 and excluded_read.json()["code"] == "excluded"
    assert (await api.client.get("/people?name=hidden", headers=excluded)).json()["total_elements"] == 0
    assert (await api.client.get(f"/people/{crn}", headers=named)).status_code == 200
    assert (await api.client.get("/people?name=hidden", headers=named)).json()["total_elements"] == 1
    assert (await api.client.get(f"/people/{crn}", headers=api.service_token())).status_code == 200

    # Lifting the restrictions leaves only the exclusion.
    limits = (await api.client.get(f"/people/{crn}/limited-access", headers=api.admin())).json()["limits"]
    for limit in limits:
        if limit["kind"] == "RESTRICTION":
            assert (
                await api.client.delete(f"/people/{crn}/limited-access/{limit['id']}", headers=api.admin())
            ).status_code == 204
    assert (await api.client.get(f"/people/{crn}", headers=stranger)).status_code == 200
    assert (await api.client.get(f"/people/{crn}", headers=excluded)).status_code == 403


async def test_reads_by_people_are_audited_service_reads_are_not(api):
    crn = (await api.person())["crn"]
    await api.client.get(f"/people/{crn}", headers={**api.h(subject="alice"), "x-access-reason": "supervision"})
    await api.client.get(f"/people/{crn}", headers=api.service_token())
    async with api.service.database.unit_of_work() as session:
        rows = (await session.execute(select(PLATFORM.audit_log).where(PLATFORM.audit_log.c.subject_crn == crn))).all()
        total = await session.scalar(
            select(func.count()).select_from(PLATFORM.audit_log).where(PLATFORM.audit_log.c.action == "read")
        )
    assert [(r.actor, r.action, r.reason) for r in rows] == [
        ("test-user", "write", None),
        ("alice", "read", "supervision"),
    ]
    assert total == 1
