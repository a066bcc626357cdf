"""The privacy contract in case-allocation (issue #8): classified outbound models rendered for the caller,
typed event contracts, limited access changed only by its administrator, the restricted queue, audit,
wildcard-safe search and strict token claims."""

from __future__ import annotations

import re
import time
import uuid
from pathlib import Path

import jwt
import pytest
from fastapi.routing import APIRoute
from sqlalchemy import func, select

from case_allocation.db.models import PLATFORM
from case_allocation.events import publish
from case_allocation.events.contracts import AddressChanged
from case_allocation.service import SPEC
from probation_shared.auth import Role
from probation_shared.events.contracts import CONTRACTS
from probation_shared.redaction import MASK, Outbound, check_outbound, check_routes, classes_of

from .conftest import Api

EVENTS_MD = Path(__file__).resolve().parents[3] / "docs" / "events.md"


async def audit_rows(api: Api, **where) -> list:
    async with api.service.database.unit_of_work() as session:
        query = select(PLATFORM.audit_log).order_by(PLATFORM.audit_log.c.id)
        for column, value in where.items():
            query = query.where(PLATFORM.audit_log.c[column] == value)
        return list((await session.execute(query)).mappings())


# --- 1. every route and every event: classified, rendered for the audience ------------------------


def test_every_route_declares_a_fully_classified_outbound_response_model():
    routes = [r for router in SPEC.routers for r in router.routes if isinstance(r, APIRoute)]
    assert len(routes) >= 45
    check_routes(routes)
    for route in routes:
        if route.status_code != 204:
            assert all(issubclass(m, Outbound) for m in check_outbound(route.response_model)), route.path


def test_every_case_allocation_contract_is_classified_and_documented_with_its_field_names():
    ours = {key: c for key, c in CONTRACTS.items() if c.model.__module__ == "case_allocation.events.contracts"}
    assert len(ours) >= 19
    docs = EVENTS_MD.read_text()
    for (event_type, _version), registered in ours.items():
        classes_of(registered.model)
        stem = event_type.rsplit(".", 1)[0]
        row = next((line for line in docs.splitlines() if line.startswith("|") and stem in line), None)
        assert row is not None, f"{event_type} is not in docs/events.md"
        for name in registered.model.model_fields:
            assert f"`{name}`" in row, f"{event_type}: {name} not documented"


async def test_an_event_without_its_registered_contract_is_refused(api):
    crn = (await api.person())["crn"]
    async with api.service.database.unit_of_work() as session:
        from case_allocation.db import people as people_db

        person = await people_db.get(session, crn)
        with pytest.raises(publish.UnregisteredEvent):
            await publish._publish(
                session,
                "probation-case.sentence.created",
                person,
                f"/people/{crn}",
                "wrong",
                AddressChanged(addressId=1),
            )


async def test_every_published_event_carries_exactly_its_contract(api):
    await api.staff("LON01T1P71")
    crn = (await api.person(noms_number="A7777AA"))["crn"]
    address = (
        await api.client.post(
            f"/people/{crn}/addresses",
            json={"status": "MAIN", "line1": "1 High St", "postcode": "N1 1AA", "start_date": "2025-01-01"},
            headers=api.h(),
        )
    ).json()
    await api.client.patch(f"/people/{crn}", json={"last_name": "Changed"}, headers=api.h())
    await api.client.delete(f"/people/{crn}/addresses/{address['id']}", headers=api.h())
    sentence = await api.sentence(crn, requirements=({"requirement_type": "DRR", "length": 6},))
    requirement_id = sentence["requirements"][0]["id"]
    await api.allocate(sentence["case_id"], "LON01T1P71")
    await api.client.post(
        f"/people/{crn}/registrations", json={"type_code": "IIOM", "registered_on": "2026-01-01"}, headers=api.h()
    )
    await api.client.post(
        f"/people/{crn}/drug-tests",
        json={"requirement_id": requirement_id, "test_date": "2026-01-02", "result": "NEGATIVE"},
        headers=api.h(),
    )
    limit = await api.limit(crn, "EXCLUSION", "LON01T1S05")
    await api.client.delete(f"/people/{crn}/limited-access/{limit['id']}", headers=api.admin())
    custody = (await api.person())["crn"]
    await api.sentence(
        custody,
        sentence_type="CUSTODY",
        sentence_date="2026-06-01",
        length=(8, "MONTHS"),
        custody={"conditional_release_date": "2026-10-01"},
    )

    events = await api.events()
    assert len({e["eventType"] for e in events}) >= 11
    for event in events:
        registered = CONTRACTS[(event["eventType"], event["version"])]
        assert set(event["additionalInformation"]) == {
            f.alias or n for n, f in registered.model.model_fields.items()
        }, event["eventType"]


async def test_handover_release_date_is_sentence_data_masked_for_an_auditor(api):
    crn = (await api.person())["crn"]
    await api.sentence(
        crn,
        sentence_type="CUSTODY",
        sentence_date="2026-04-30",
        length=(3, "YEARS"),
        custody={"conditional_release_date": "2027-10-31", "automatic_release_date": "2028-04-29"},
    )
    (event,) = await api.events("offender-management.handover.changed", crn)
    as_auditor = (await api.follow(event, api.h(Role.AUDITOR))).json()
    assert (
        as_auditor["release_date"] == MASK
        and as_auditor["handover_date"] == MASK
        and as_auditor["responsible"] == "POM"
    )
    as_pom = (await api.follow(event, api.h(Role.PRISON_OFFENDER_MANAGER))).json()
    assert as_pom["release_date"] == "2027-10-31"


async def test_registration_history_levels_and_categories_are_masked_for_an_auditor(api):
    crn = (await api.person())["crn"]
    url = f"/people/{crn}/registrations"
    created = (
        await api.client.post(
            url,
            json={"type_code": "MAPP", "level": "M2", "category": "M1", "registered_on": "2026-01-05"},
            headers=api.h(),
        )
    ).json()
    await api.client.patch(f"{url}/{created['id']}", json={"level": "M3"}, headers=api.h())
    (event,) = await api.events("probation-case.registration.updated", crn)
    seen = (await api.follow(event, api.h(Role.AUDITOR))).json()
    assert seen["level"] == MASK and seen["history"]
    for entry in seen["history"]:
        assert entry["level"] in (MASK, None) and entry["register_category"] in (MASK, None)
    assert "M2" not in str(seen) and "M3" not in str(seen)
    listed = (await api.client.get(url, headers=api.h(Role.AUDITOR))).json()
    assert "M2" not in str(listed) and "M3" not in str(listed)
    assert (await api.follow(event, api.h())).json()["history"][0]["level"] == "M2"


async def test_manager_detail_is_rendered_for_the_caller(api):
    crn = (await api.person())["crn"]
    case_id = (await api.sentence(crn))["case_id"]
    await api.allocate(case_id, "LON01T1S02")
    (event,) = await api.events("person.community.manager.allocated", crn)
    as_auditor = (await api.follow(event, api.h(Role.AUDITOR))).json()
    assert as_auditor["staff_code"] == "LON01T1S02" and as_auditor["email"]  # practitioners' work details are STAFF
    as_service = (await api.follow(event, api.service_token())).json()
    assert as_service["email"] and as_service["team_name"]


async def test_staff_details_are_staff_data_not_shown_to_commissioners_or_operators(api):
    await api.staff("LON01T1P72")
    for role in (Role.COMMISSIONER, Role.OPERATOR):
        seen = (await api.client.get("/staff/LON01T1P72", headers=api.h(role))).json()
        assert seen == {"code": "LON01T1P72", "team_code": "LON01T1", "active": True}, role
        team = (await api.client.get("/teams/LON01T1/staff", headers=api.h(role))).json()["staff"]
        assert all("last_name" not in s and "email" not in s for s in team)
    assert (await api.client.get("/staff/LON01T1P72", headers=api.h())).json()["last_name"] == "Officer"


async def test_allocation_reasons_are_case_notes_masked_for_an_auditor_reading_contacts(api):
    crn = (await api.person())["crn"]
    await api.client.post(
        f"/people/{crn}/contacts",
        json={"contact_type": "PHONE", "contact_date": "2026-01-01", "notes": "Spoke about his ex, Jo"},
        headers=api.h(),
    )
    contacts = (await api.client.get(f"/people/{crn}/contacts", headers=api.h(Role.AUDITOR))).json()["contacts"]
    assert contacts[0]["notes"] == MASK and "Jo" not in str(contacts)


# --- 2. limited access --------------------------------------------------------------------------


async def test_an_spo_of_any_pdu_cannot_name_themselves_onto_a_restriction(api):
    crn = (await api.person())["crn"]
    await api.limit(crn, "RESTRICTION", "LON01T1S02")
    intruder = api.spo(pdu="LON02", staff_code="LON02T1S01")
    added = await api.client.post(
        f"/people/{crn}/limited-access", json={"kind": "RESTRICTION", "staff_code": "LON02T1S01"}, headers=intruder
    )
    assert added.status_code == 403 and added.headers["content-type"].startswith("application/problem+json")
    assert (await api.client.get(f"/people/{crn}", headers=intruder)).status_code == 404
    listing = await api.client.get(f"/people/{crn}/limited-access", headers=intruder)
    assert listing.status_code == 404  # the list of a person hidden from them is hidden too
    limit_id = (await api.client.get(f"/people/{crn}/limited-access", headers=api.admin())).json()["limits"][0]["id"]
    assert (
        await api.client.delete(f"/people/{crn}/limited-access/{limit_id}", headers=api.spo(staff_code="LON01T1S02"))
    ).status_code == 403
    # Not even an administrator who is also staff may name themselves.
    both = api.tokens.headers(
        Role.LIMITED_ACCESS_ADMIN, Role.SENIOR_PROBATION_OFFICER, staff_code="LON02T1S01", pdu="LON02"
    )
    self_grant = await api.client.post(
        f"/people/{crn}/limited-access", json={"kind": "RESTRICTION", "staff_code": "LON02T1S01"}, headers=both
    )
    assert self_grant.status_code == 403 and self_grant.json()["code"] == "self-grant"
    assert (await api.client.get(f"/people/{crn}", headers=both)).status_code == 404


async def test_limit_changes_are_audited_and_published(api):
    crn = (await api.person())["crn"]
    added = await api.limit(crn, "RESTRICTION", "LON01T1S02")
    (event,) = await api.events("probation-case.limited-access.changed", crn)
    assert event["additionalInformation"] == {
        "limitId": added["id"],
        "kind": "RESTRICTION",
        "change": "added",
        "staffCode": "LON01T1S02",
    }
    assert event["detailUrl"].endswith(f"/people/{crn}/limited-access")
    assert (
        await api.client.delete(f"/people/{crn}/limited-access/{added['id']}", headers=api.admin())
    ).status_code == 204
    removed = (await api.events("probation-case.limited-access.changed", crn))[-1]
    assert (
        removed["additionalInformation"]["change"] == "removed"
        and removed["additionalInformation"]["limitId"] == added["id"]
    )
    assert [(r["actor"], r["action"]) for r in await audit_rows(api, subject_crn=crn)] == [
        ("test-user", "write"),  # the person's registration
        ("la-admin", "limited-access-added"),
        ("la-admin", "limited-access-removed"),
    ]
    await api.limit(crn, "EXCLUSION", "NOSUCHSTAFF", expect=422)
    await api.limit(crn, "EXCLUSION", "LON01T1S03")
    await api.limit(crn, "EXCLUSION", "LON01T1S03", expect=409)


async def test_reading_the_limited_access_list_is_audited_and_the_service_token_still_reads_it(api):
    crn = (await api.person())["crn"]
    await api.limit(crn, "RESTRICTION", "LON01T1S01")
    await api.limit(crn, "EXCLUSION", "LON01T1S04")
    named_spo = await api.client.get(
        f"/people/{crn}/limited-access", headers={**api.spo(), "x-access-reason": "allocation"}
    )
    assert named_spo.status_code == 200 and len(named_spo.json()["limits"]) == 2
    service = (await api.client.get(f"/people/{crn}/limited-access", headers=api.service_token())).json()
    assert {(row["kind"], row["staff_code"]) for row in service["limits"]} == {
        ("RESTRICTION", "LON01T1S01"),
        ("EXCLUSION", "LON01T1S04"),
    }
    reads = [r for r in await audit_rows(api, subject_crn=crn) if r["action"] == "limited-access-read"]
    assert [(r["actor_roles"], r["reason"]) for r in reads] == [
        ("SENIOR_PROBATION_OFFICER", "allocation")
    ]  # the service read is not a person's

    # Other services' check (probation_shared.limited_access_client.enforce_for_staff) reads the list this way.
    from probation_shared.limited_access import EXCLUDED, HIDDEN, access_verdict

    rows = [(row["kind"], row["staff_code"]) for row in service["limits"]]
    assert access_verdict("LON01T1S04", False, rows) == EXCLUDED and access_verdict("LON01T1S02", False, rows) == HIDDEN


# --- 3. audit -----------------------------------------------------------------------------------


async def test_allocation_history_recommendations_search_and_queue_write_a_row_per_person_shown(api):
    crns = [(await api.person(first_name="Auditable"))["crn"] for _ in range(2)]
    case_ids = [(await api.sentence(crn))["case_id"] for crn in crns]
    await api.allocate(case_ids[0], "LON01T1S02")
    await api.client.get(f"/cases/{case_ids[0]}/allocations", headers=api.spo())
    await api.client.get(f"/cases/{case_ids[1]}/recommendations", headers=api.spo())
    await api.client.get("/people?name=auditable", headers=api.h(subject="searcher"))
    await api.client.get("/pdus/LON01/queue", headers=api.spo())

    rows = await audit_rows(api)
    assert {(r["action"], r["subject_crn"]) for r in rows} >= {
        ("allocation-history", crns[0]),
        ("recommendations", crns[1]),
        ("search", crns[0]),
        ("search", crns[1]),
        ("queue", crns[1]),
    }
    writes = [r["resource"] for r in rows if r["action"] == "write" and r["subject_crn"] == crns[0]]
    assert writes == [
        "/people",
        f"/people/{crns[0]}/sentences",
        f"/cases/{case_ids[0]}/allocation",
    ]  # a change answers with the record
    assert not [r for r in rows if r["subject_crn"] is None]  # every row names whom
    assert ("queue", crns[0]) not in {
        (r["action"], r["subject_crn"]) for r in rows
    }  # allocated: no longer in the queue


async def test_an_oversized_or_unprintable_access_reason_is_refused_not_stored(api):
    crn = (await api.person())["crn"]
    for bad in ("x" * 100_000, "why\x07"):
        response = await api.client.get(f"/people/{crn}", headers={**api.h(), "x-access-reason": bad})
        assert response.status_code == 400 and response.json()["code"] == "invalid-access-reason"
        assert (
            response.headers["content-type"].startswith("application/problem+json")
            and "first_name" not in response.text
        )
    assert await audit_rows(api, action="read") == []
    ok = await api.client.get(f"/people/{crn}", headers={**api.h(), "x-access-reason": "  home visit  "})
    assert ok.status_code == 200
    assert [r["reason"] for r in await audit_rows(api, action="read")] == ["home visit"]
    long_write = await api.client.patch(
        f"/people/{crn}", json={"last_name": "Changed"}, headers={**api.h(), "x-access-reason": "y" * 201}
    )
    assert long_write.status_code == 400
    assert (await api.client.get(f"/people/{crn}", headers=api.h())).json()[
        "last_name"
    ] != "Changed"  # refused whole, not stored


async def test_an_auditor_reads_audit_rows_and_no_route_changes_them(api):
    crn = (await api.person())["crn"]
    await api.client.get(f"/people/{crn}", headers={**api.h(subject="alice"), "x-access-reason": "supervision"})
    seen = await api.client.get(f"/audit?crn={crn}&actor=alice", headers=api.h(Role.AUDITOR))
    assert seen.status_code == 200
    assert [(e["actor"], e["crn"], e["action"], e["reason"]) for e in seen.json()] == [
        ("alice", crn, "read", "supervision")
    ]
    for role in (Role.PRACTITIONER, Role.SENIOR_PROBATION_OFFICER, Role.OPERATOR, Role.LIMITED_ACCESS_ADMIN):
        assert (await api.client.get("/audit", headers=api.h(role))).status_code == 403
    everything = (await api.client.get(f"/audit?crn={crn}", headers=api.h(Role.AUDITOR))).json()
    assert [e["action"] for e in everything] == ["read", "write"]  # newest first: the read, then the registration

    paths = api.service.app.openapi()["paths"]
    audit_paths = {path: set(methods) for path, methods in paths.items() if "audit" in path}
    assert audit_paths == {"/audit": {"get"}}
    for method in ("DELETE", "PUT", "PATCH", "POST"):
        response = await api.client.request(method, "/audit", headers=api.h(Role.AUDITOR))
        assert response.status_code == 405, method
    async with api.service.database.unit_of_work() as session:
        assert (
            await session.scalar(select(func.count()).select_from(PLATFORM.audit_log)) == 2
        )  # the registration and alice's read


# --- 4. search escapes wildcards ------------------------------------------------------------------


async def test_search_treats_like_wildcards_as_letters(api):
    for last in ("Smith", "Jones", "O_Neil", "Ox Neil", "Per%cent", "Back\\slash"):
        await api.person(first_name="Robin", last_name=last)
    for pattern in ("%%", "__", "%_", "\\%", "_%"):
        found = (await api.client.get("/people", params={"name": pattern}, headers=api.h())).json()
        assert found["total_elements"] == 0, pattern
    assert [
        p["last_name"]
        for p in (await api.client.get("/people", params={"name": "o_"}, headers=api.h())).json()["content"]
    ] == ["O_Neil"]
    assert [
        p["last_name"]
        for p in (await api.client.get("/people", params={"name": "per%"}, headers=api.h())).json()["content"]
    ] == ["Per%cent"]
    assert [
        p["last_name"]
        for p in (await api.client.get("/people", params={"name": "back\\"}, headers=api.h())).json()["content"]
    ] == ["Back\\slash"]


# --- 5. strict token claims -----------------------------------------------------------------------


def _token(api: Api, **claims) -> dict[str, str]:
    now = int(time.time())
    body = {
        "sub": "odd",
        "iss": "probation-platform",
        "aud": "probation-platform",
        "iat": now,
        "exp": now + 600,
        "jti": str(uuid.uuid4()),
        **claims,
    }
    return {"Authorization": f"Bearer {jwt.encode(body, api.tokens.private_key, algorithm='RS256')}"}


@pytest.mark.parametrize(
    "claims",
    [
        {"roles": {"OPERATOR": 1}},
        {"roles": 5},
        {"roles": "OPERATOR"},
        {"roles": ["NOT_A_ROLE"]},
        {"roles": ["PROVIDER_CASEWORKER"], "provider_id": "P1", "contract_refs": "CR1"},
        {"roles": ["SENIOR_PROBATION_OFFICER"], "pdu": ["LON01"]},
    ],
    ids=["roles-object", "roles-number", "roles-string", "unknown-role", "contract-refs-string", "pdu-list"],
)
async def test_claims_of_the_wrong_shape_are_401_problems(api, claims):
    for method, path in (("GET", "/regions"), ("POST", "/admin/jobs/handover"), ("GET", "/pdus/LON01/queue")):
        response = await api.client.request(method, path, headers=_token(api, **claims))
        assert response.status_code == 401, (claims, path, response.text)
        assert response.headers["content-type"].startswith("application/problem+json")
        assert response.json()["code"] == "unauthenticated"
    assert re.search(r"OPERATOR|roles|contract_refs|pdu", response.json()["detail"])
