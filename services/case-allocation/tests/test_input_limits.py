"""Regression tests for issue 10's Found items on case-allocation: hostile input is a 4xx problem+json, never a
500 and never accepted (limits declared once in probation_shared.limits)."""

from __future__ import annotations

import pytest

from probation_shared.auth import mint_token

PROBLEM = "application/problem+json"
HUGE = 2**64  # beyond the 64-bit id columns


def _refused(response, status: int = 422) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    return response.json()


@pytest.mark.parametrize(
    "path",
    [
        "/cases/{n}",
        "/cases/{n}/allocations",
        "/cases/{n}/recommendations",
        "/people/X123456/sentences/{n}",
        "/people/X123456/addresses/{n}",
    ],
)
async def test_ids_beyond_64_bits_are_422_not_500(api, path):
    for n in (HUGE, 2**63, -1, 0):
        _refused(await api.client.get(path.format(n=n), headers=api.spo()))


async def test_sentence_length_and_dates_are_bounded(api):
    crn = (await api.person())["crn"]
    _refused_body = await api.sentence(crn, length=(10_000, "YEARS"), expect=422)
    assert _refused_body["code"] == "validation-failed"
    assert (await api.sentence(crn, sentence_date="9999-01-01", expect=422))["code"] == "validation-failed"
    assert (await api.sentence(crn, length=(12, "MONTHS")))["length"] == {"value": 12, "unit": "MONTHS"}


async def test_unpaid_work_is_forty_to_three_hundred_hours(api):
    crn = (await api.person())["crn"]
    await api.sentence(crn, requirements=[{"requirement_type": "UPW", "length": 9_999}], expect=422)
    await api.sentence(crn, requirements=[{"requirement_type": "UPW", "length": 301}], expect=422)
    await api.sentence(crn, requirements=[{"requirement_type": "UPW", "length": 300}])


async def test_names_and_dates_of_birth_are_sane(api):
    base = {"first_name": "Ada", "last_name": "Lovelace", "date_of_birth": "1985-12-10", "sex": "FEMALE"}
    for bad in (
        {"date_of_birth": "0001-01-01"},
        {"date_of_birth": "1899-12-31"},
        {"first_name": "A\x00da"},
        {"last_name": "   "},
        {"first_name": "x" * 101},
    ):
        _refused(await api.client.post("/people", json=base | bad, headers=api.h()))
    created = await api.client.post("/people", json=base | {"first_name": "  Ada  "}, headers=api.h())
    assert created.status_code == 201 and created.json()["first_name"] == "Ada"  # trimmed
    _refused(
        await api.client.patch(f"/people/{created.json()['crn']}", json={"last_name": "Love\x00lace"}, headers=api.h())
    )


async def test_termination_in_the_future_and_appointments_in_year_one_are_refused(api):
    crn = (await api.person())["crn"]
    sentence = await api.sentence(crn)
    _refused(
        await api.client.post(
            f"/people/{crn}/sentences/{sentence['id']}/termination",
            json={"date": "2099-01-01", "reason": "x"},
            headers=api.h(),
        )
    )
    contact = {"contact_type": "OFFICE_APPOINTMENT", "contact_date": "0001-01-01"}
    _refused(await api.client.post(f"/people/{crn}/contacts", json=contact, headers=api.h()))


async def test_requirement_progress_never_goes_backwards(api):
    crn = (await api.person())["crn"]
    sentence = await api.sentence(crn, requirements=[{"requirement_type": "UPW", "length": 100}])
    url = f"/people/{crn}/sentences/{sentence['id']}/requirements/{sentence['requirements'][0]['id']}"
    assert (await api.client.patch(url, json={"completed": 40}, headers=api.h())).status_code == 200
    assert (
        _refused(await api.client.patch(url, json={"completed": 39}, headers=api.h()))["code"] == "progress-backwards"
    )
    assert (await api.client.patch(url, json={"completed": 40}, headers=api.h())).status_code == 200


@pytest.mark.parametrize(
    "roles", ["PROBATION_PRACTITIONER", None, 7, [1], ["NOT_A_ROLE"], {"a": 1}, [["PROBATION_PRACTITIONER"]]]
)
async def test_a_malformed_roles_claim_is_401(api, roles):
    token = mint_token(api.tokens.private_key, subject="x", roles=["SERVICE"])
    import jwt

    claims = jwt.decode(token, options={"verify_signature": False}) | {"roles": roles}
    bad = jwt.encode(claims, api.tokens.private_key, algorithm="RS256")
    assert (
        _refused(await api.client.get("/regions", headers={"Authorization": f"Bearer {bad}"}), 401)["code"]
        == "unauthenticated"
    )


async def test_an_oversized_authorization_header_is_431_problem_json(api):
    # In process (ASGI), as behind uvicorn on httptools, the app sees the header and refuses it (see
    # tests/fuzz/test_fuzz.py for the real server).
    for size in (9 * 1024, 2 * 1024 * 1024):
        response = await api.client.get("/regions", headers={"Authorization": "Bearer " + "a" * size})
        assert _refused(response, 431)["code"] == "headers-too-large"
    garbage = await api.client.get("/regions", headers={"Authorization": "Bearer not.a.jwt"})
    assert _refused(garbage, 401)["code"] == "unauthenticated"
