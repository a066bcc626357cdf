"""Fixtures for case-allocation: a running service on a fresh database with the reference data seeded,
and a small client that speaks the API in the tests' terms."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pytest
from sqlalchemy import select

from case_allocation.db.models import PLATFORM
from case_allocation.seed import seed_reference
from case_allocation.service import SPEC
from probation_shared import clock
from probation_shared.auth import Role

PDU = "LON01"
OTHER_PDU = "LON02"
TEAM = "LON01T1"
OTHER_TEAM = "LON02T1"
SPO_CODE = "LON01T1S01"


@dataclass
class Api:
    service: Any
    tokens: Any
    _people: int = field(default=0)

    @property
    def client(self):
        return self.service.client

    def h(self, role: Role = Role.PRACTITIONER, **scope) -> dict[str, str]:
        return self.tokens.headers(role, **scope)

    def spo(self, pdu: str = PDU, staff_code: str = SPO_CODE) -> dict[str, str]:
        return self.tokens.headers(Role.SENIOR_PROBATION_OFFICER, staff_code=staff_code, pdu=pdu)

    def service_token(self) -> dict[str, str]:
        return self.tokens.headers(Role.SERVICE)

    def admin(self, staff_code: str | None = None) -> dict[str, str]:
        """A limited-access administrator: the only role that changes limited-access lists."""
        return self.tokens.headers(Role.LIMITED_ACCESS_ADMIN, subject="la-admin", staff_code=staff_code)

    async def limit(self, crn: str, kind: str, staff_code: str, *, expect: int = 201) -> dict:
        response = await self.client.post(
            f"/people/{crn}/limited-access", json={"kind": kind, "staff_code": staff_code}, headers=self.admin()
        )
        assert response.status_code == expect, response.text
        return response.json()

    async def person(self, **overrides) -> dict:
        self._people += 1
        body = {
            "first_name": "Sam",
            "last_name": f"Example{self._people}",
            "date_of_birth": "1990-05-17",
            "sex": "MALE",
            **overrides,
        }
        response = await self.client.post("/people", json=body, headers=self.h())
        assert response.status_code == 201, response.text
        return response.json()

    async def sentence(
        self,
        crn: str,
        *,
        sentence_type: str = "COMMUNITY_ORDER",
        sentence_date: str = "2025-12-18",
        length=(12, "MONTHS"),
        requirements=({"requirement_type": "RAR", "length": 20},),
        pdu: str = PDU,
        custody: dict | None = None,
        expect: int = 201,
    ) -> dict:
        body = {
            "conviction_date": sentence_date,
            "court": "Highbury Corner Magistrates' Court",
            "offences": [{"code": "02801", "description": "Burglary in a dwelling", "main": True}],
            "sentence_type": sentence_type,
            "sentence_date": sentence_date,
            "length": {"value": length[0], "unit": length[1]},
            "pdu_code": pdu,
            "requirements": list(requirements) if sentence_type != "CUSTODY" else [],
        }
        if custody:
            body["custody"] = custody
        response = await self.client.post(f"/people/{crn}/sentences", json=body, headers=self.h())
        assert response.status_code == expect, response.text
        return response.json()

    async def staff(self, code: str, *, grade: str = "PO", team: str = TEAM, hours: float = 37, pdu: str = PDU) -> dict:
        body = {
            "code": code,
            "first_name": "Pat",
            "last_name": "Officer",
            "grade": grade,
            "team_code": team,
            "contracted_hours": hours,
            "email": f"{code.lower()}@probation.example.gov.uk",
            "phone": "0300 123 4567",
        }
        response = await self.client.post("/staff", json=body, headers=self.spo(pdu=pdu))
        assert response.status_code == 201, response.text
        return response.json()

    async def allocate(self, case_id: int, staff_code: str, *, headers=None, **extra):
        return await self.client.post(
            f"/cases/{case_id}/allocation", json={"staff_code": staff_code, **extra}, headers=headers or self.spo()
        )

    async def set_tier(self, crn: str, tier: str) -> None:
        """Run the real tier.calculation.changed handler in its own unit of work (no broker round trip)."""
        from case_allocation.events.consume import on_tier_changed
        from probation_shared.events import new_event

        event = new_event(
            "tier.calculation.changed",
            crn=crn,
            additional_information={"calculationId": "c1", "tier": tier, "previousTier": None},
        )
        async with self.service.database.unit_of_work() as session:
            await on_tier_changed(session, event)

    async def events(self, event_type: str | None = None, crn: str | None = None) -> list[dict]:
        async with self.service.database.unit_of_work() as session:
            query = select(PLATFORM.outbox.c.payload).order_by(PLATFORM.outbox.c.id)
            if event_type:
                query = query.where(PLATFORM.outbox.c.event_type == event_type)
            rows = [json.loads(p) for p in await session.scalars(query)]
        return [r for r in rows if crn is None or any(i["value"] == crn for i in r["personReference"]["identifiers"])]

    async def follow(self, event: dict, headers: dict[str, str]):
        """GET an event's detailUrl on this service."""
        url = event["detailUrl"]
        assert url.startswith(self.service.settings.public_base_url), url
        return await self.client.get(url[len(self.service.settings.public_base_url) :], headers=headers)


# The day these tests' dates were chosen against: "who is responsible now", "overdue" and the like
# must not change their answers as the calendar moves on.
TODAY = date(2026, 11, 23)


@pytest.fixture(autouse=True)
def fixed_today():
    with clock.fixed_today(TODAY):
        yield TODAY


@pytest.fixture
async def api(start_service, tokens) -> Api:
    """case-allocation without workers (nothing consumed or relayed; events are asserted in the outbox)."""
    service = await start_service(SPEC, run_workers=False)
    async with service.database.unit_of_work() as session:
        await seed_reference(session)
    return Api(service, tokens)
