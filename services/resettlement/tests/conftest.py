"""Fixtures: case-allocation and resettlement on real databases, talking over real (in-process) HTTP.

Neither runs workers: case-allocation's events are read from its outbox and handed to resettlement's real
handlers in their own unit of work, as its consumer does. The renderer is a fake recording what it was given
(the real one, WeasyPrint in worker processes, is tested in the rendering package)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pytest
from sqlalchemy import select

from case_allocation.db.models import PLATFORM as CA_PLATFORM
from case_allocation.seed import seed_reference
from case_allocation.service import SPEC as CA_SPEC
from probation_shared import clock
from probation_shared.auth import Role
from probation_shared.events import DomainEvent
from resettlement.db.models import PLATFORM
from resettlement.events.handlers import SUBSCRIPTION
from resettlement.jobs import pack_job
from resettlement.seed import seed
from resettlement.service import SPEC
from resettlement.workflows import packs

TODAY = date(2026, 11, 23)


@dataclass
class Rendered:
    html: str
    pdf: bytes


@dataclass
class FakeRenderer:
    seen: list = field(default_factory=list)

    async def render(self, content) -> Rendered:
        self.seen.append(content)
        names = "|".join(s.name for need in content.support_needs for s in need.services)
        return Rendered(
            f"<html>v{content.version} {content.region_code} {names}</html>", b"%PDF-fake " + names.encode()
        )


@dataclass
class World:
    ca: Any
    rs: Any
    tokens: Any
    renderer: FakeRenderer
    handled: int = 0
    _people: int = 0

    @property
    def client(self):
        return self.rs.client

    def pom(self, prison: str = "CFI") -> dict:
        return self.tokens.headers(Role.PRISON_OFFENDER_MANAGER, subject="pom-1", prison=prison)

    def h(self, role: Role, **scope) -> dict:
        return self.tokens.headers(role, **scope)

    async def person(self) -> str:
        self._people += 1
        body = {
            "first_name": "Rhys",
            "last_name": f"Example{self._people}",
            "date_of_birth": "1990-05-17",
            "sex": "MALE",
        }
        response = await self.ca.client.post("/people", json=body, headers=self.h(Role.PRACTITIONER))
        assert response.status_code == 201, response.text
        return response.json()["crn"]

    async def custody(self, crn: str, pdu: str = "WAL01", **dates) -> int:
        body = {
            "conviction_date": "2025-06-01",
            "offences": [{"code": "02801", "description": "Burglary in a dwelling", "main": True}],
            "sentence_type": "CUSTODY",
            "sentence_date": "2025-06-01",
            "length": {"value": 24, "unit": "MONTHS"},
            "pdu_code": pdu,
            "requirements": [],
            "custody": {"prison_code": "CFI", **dates},
        }
        response = await self.ca.client.post(f"/people/{crn}/sentences", json=body, headers=self.h(Role.PRACTITIONER))
        assert response.status_code == 201, response.text
        await self.deliver()
        return response.json()["id"]

    async def amend(self, crn: str, sentence_id: int, **changes) -> None:
        response = await self.ca.client.patch(
            f"/people/{crn}/sentences/{sentence_id}", json=changes, headers=self.h(Role.PRACTITIONER)
        )
        assert response.status_code == 200, response.text
        await self.deliver()

    async def deliver(self) -> None:
        """Hand case-allocation's new events to resettlement's handlers, in order, one unit of work each."""
        async with self.ca.database.unit_of_work(read_only=True) as session:
            rows = (await session.execute(select(CA_PLATFORM.outbox.c.payload).order_by(CA_PLATFORM.outbox.c.id))).all()
        for row in rows[self.handled :]:
            event = DomainEvent.model_validate_json(row.payload)
            handler = SUBSCRIPTION.handler_for(event)
            if handler is not None:
                async with self.rs.database.unit_of_work() as session:
                    await handler(session, event)
        self.handled = len(rows)

    async def run_pack_job(self) -> None:
        job = pack_job(self.rs.settings, self.rs.database, None)
        await job.tick()

    async def outbox(self, event_type: str) -> list[dict]:
        async with self.rs.database.unit_of_work(read_only=True) as session:
            query = select(PLATFORM.outbox.c.payload).where(PLATFORM.outbox.c.event_type == event_type)
            return [json.loads(p) for p in await session.scalars(query.order_by(PLATFORM.outbox.c.id))]


@pytest.fixture(autouse=True)
def fixed_today():
    with clock.fixed_today(TODAY):
        yield TODAY


@pytest.fixture
async def world(start_service, tokens) -> World:
    ca = await start_service(CA_SPEC, run_workers=False)
    async with ca.database.unit_of_work() as session:
        await seed_reference(session)
    rs = await start_service(SPEC, run_workers=False)
    await seed(rs.database, rs.settings)
    renderer = FakeRenderer()
    rs.database.context[packs.RENDERER] = renderer
    return World(ca, rs, tokens, renderer)
