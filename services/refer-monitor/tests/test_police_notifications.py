"""The police-partners consumer against a stand-in case-allocation: who is notified (IOM / MAPPA, the
covering forces), who is not (other cases, other forces, unallocated, out of area), and what is said."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy import select

from probation_shared.errors import Problem
from probation_shared.events import DomainEvent, new_event
from refer_monitor.db.models import PLATFORM
from refer_monitor.events.police_handlers import POLICE_EVENTS
from refer_monitor.service import SPEC

CASE_URL = "http://case-allocation.test"
AREAS = {"durham-constabulary": ["N07DUR"], "cleveland-police": ["N07CLE", "N07SHARED"], "other": ["N07SHARED"]}
MAPPA = {"type_code": "MAPP", "status": "ACTIVE", "level": "M2", "register_category": "M1", "notes": "victim: Jo"}
IOM = {"type_code": "IIOM", "status": "ACTIVE", "level": None, "register_category": None}


class FakeCases:
    """case-allocation's registrations, manager and drug-test documents, as a service token reads them."""

    def __init__(self) -> None:
        self.registrations: dict[str, list[dict]] = {}
        self.managers: dict[str, dict] = {}
        self.status = 200

    def app(self) -> FastAPI:
        app = FastAPI()

        @app.get("/people/{crn}/registrations")
        async def registrations(crn: str, request: Request):
            if self.status != 200:
                return JSONResponse({"status": self.status}, self.status)
            return {"registrations": self.registrations.get(crn, [])}

        @app.get("/people/{crn}/manager")
        async def manager(crn: str):
            return self.managers.get(crn) or {"crn": crn, "allocated": False}

        @app.get("/people/{crn}/drug-tests/{test_id}")
        async def drug_test(crn: str, test_id: int):
            return {
                "id": test_id,
                "crn": crn,
                "test_date": "2026-11-01",
                "result": "POSITIVE",
                "substances": ["cocaine"],
                "flagged_for_enforcement": True,
                "police_partner_notifiable": True,
            }

        return app

    def person(self, crn: str, pdu: str | None, *registrations: dict) -> None:
        self.registrations[crn] = list(registrations)
        if pdu:
            self.managers[crn] = {
                "crn": crn,
                "allocated": True,
                "staff_code": "N07A001",
                "first_name": "Pat",
                "last_name": "Jones",
                "email": "pat.jones@probation.example",
                "phone": "0191 000 0000",
                "team_code": "N07T01",
                "pdu_code": pdu,
            }


@pytest.fixture
async def police(start_service):
    cases = FakeCases()
    service = await start_service(SPEC, case_allocation_url=CASE_URL, police_force_areas=AREAS, run_workers=False)
    service.app.state.http.mount({CASE_URL: httpx.ASGITransport(app=cases.app())})
    return service, cases


def drug_test(crn: str, notifiable: bool = True) -> DomainEvent:
    return new_event(
        "probation-case.drug-test.recorded",
        crn=crn,
        detail_url=f"{CASE_URL}/people/{crn}/drug-tests/7",
        additional_information={"testId": 7, "result": "POSITIVE", "policePartnerNotifiable": notifiable},
    )


def rosh_changed(crn: str, previous: str, level: str) -> DomainEvent:
    return new_event(
        "risk-assessment.rosh.changed",
        crn=crn,
        additional_information={"overallLevel": level, "previousLevel": previous, "version": 3},
    )


async def handle(service, event: DomainEvent) -> list[tuple[str, DomainEvent]]:
    """Run the handler as the consumer would; the police notifications it staged, as (key, event)."""
    async with service.database.unit_of_work() as session:
        await POLICE_EVENTS.handlers[event.eventType](session, event)
    async with service.database.unit_of_work(read_only=True) as session:
        outbox = PLATFORM.outbox
        rows = (
            await session.execute(
                select(outbox.c.message_key, outbox.c.payload).where(
                    outbox.c.event_type == "police.partner-notification.created"
                )
            )
        ).all()
    return [(key, DomainEvent.model_validate_json(payload)) for key, payload in rows]


async def test_a_mappa_cases_drug_test_goes_to_the_covering_force_without_health(police):
    service, cases = police
    cases.person("X000001", "N07DUR", MAPPA)
    ((key, event),) = await handle(service, drug_test("X000001"))
    assert key == "durham-constabulary" and event.crn == "X000001"
    info = event.additionalInformation
    assert info["forceId"] == "durham-constabulary"
    assert info["notificationType"] == "probation-case.drug-test.recorded"
    payload = info["payload"]
    assert payload["drugTest"] == {
        "testId": 7,
        "testDate": "2026-11-01",
        "result": "POSITIVE",
        "flaggedForEnforcement": True,
    }  # no substances: HEALTH
    assert payload["registrations"] == [{"type": "MAPP", "category": "M1", "level": "M2"}]
    assert payload["offenderManager"]["name"] == "Pat Jones" and payload["offenderManager"]["pduCode"] == "N07DUR"
    assert "cocaine" not in event.model_dump_json() and "victim" not in event.model_dump_json()


async def test_an_iom_case_in_a_shared_area_goes_to_each_covering_force_once(police):
    service, cases = police
    cases.person("X000002", "N07SHARED", IOM)
    found = await handle(service, rosh_changed("X000002", "HIGH", "MEDIUM"))
    assert sorted(key for key, _ in found) == ["cleveland-police", "other"]
    for _, event in found:
        assert event.additionalInformation["payload"]["riskChange"] == {
            "overallLevel": "MEDIUM",
            "previousLevel": "HIGH",
            "direction": "LOWERED",
            "version": 3,
        }


@pytest.mark.parametrize(
    ("pdu", "registrations", "notifiable"),
    [
        ("N07DUR", [{"type_code": "RHRH", "status": "ACTIVE"}], True),  # neither IOM nor MAPPA
        ("N07DUR", [{**MAPPA, "status": "DEREGISTERED"}], True),  # no longer MAPPA
        ("N07DUR", [MAPPA], False),  # case-allocation did not mark the test notifiable
        (None, [MAPPA], True),  # no allocated offender manager, so no PDU
        ("N07ELSEWHERE", [MAPPA], True),  # a PDU no force covers
    ],
)
async def test_no_force_hears_of_a_case_out_of_scope(police, pdu, registrations, notifiable):
    service, cases = police
    cases.person("X000003", pdu, *registrations)
    assert await handle(service, drug_test("X000003", notifiable)) == []
    if notifiable:  # a case out of scope: its risk changes reach no force either
        assert await handle(service, rosh_changed("X000003", "MEDIUM", "HIGH")) == []


async def test_case_allocation_unavailable_fails_the_handler_so_it_is_retried(police):
    service, cases = police
    cases.person("X000004", "N07DUR", MAPPA)
    cases.status = 500
    with pytest.raises(Problem):
        await handle(service, drug_test("X000004"))
