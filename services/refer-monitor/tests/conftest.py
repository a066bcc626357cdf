"""refer-monitor test fixtures: the service on a fresh database with the seeded catalogue, and small
fakes of case-allocation and risk-assessment serving the detail URLs named in docs/events.md."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy import select

from probation_shared.auth import Role
from probation_shared.events import DomainEvent, new_event
from refer_monitor.db.models import PLATFORM
from refer_monitor.service import SPEC

CASE_URL = "http://case-allocation.test"
RISK_URL = "http://risk-assessment.test"

ACC = "ACC-NE-001"  # prime harbour-housing, subcontractor bridge-wellbeing
ETE = "ETE-NE-001"  # prime northern-works
ACC_INTERVENTION = "7b0c6f0e-0000-4000-8000-000000000001"
ETE_INTERVENTION = "7b0c6f0e-0000-4000-8000-000000000002"


@dataclass
class FakeUpstream:
    """In-memory stand-ins for the other services' read APIs (shapes per the contract's URLs)."""

    people: dict[str, dict] = field(default_factory=dict)
    addresses: dict[tuple[str, str], dict] = field(default_factory=dict)
    managers: dict[str, dict] = field(default_factory=dict)
    risk: dict[str, dict] = field(default_factory=dict)
    limits: dict[str, list[dict]] = field(default_factory=dict)  # limited access, as case-allocation lists it
    victims: dict[str, list[str]] = field(default_factory=dict)  # identifiers risk-assessment's text check matches
    handovers: dict[str, dict] = field(default_factory=dict)  # case-allocation's /people/{crn}/handover
    sentences: dict[tuple[str, str], dict] = field(default_factory=dict)  # /people/{crn}/sentences/{id}
    text_checks: list[dict] = field(default_factory=list)
    text_check_status: int = 200
    calls: list[tuple[str, str]] = field(default_factory=list)

    def add_person(self, crn: str, *, sex: str = "MALE", dob: str = "1990-04-01", risk_level: str = "MEDIUM") -> None:
        self.people[crn] = {
            "crn": crn,
            "first_name": "Sam",
            "last_name": "Taylor",
            "date_of_birth": dob,
            "sex": sex,
            "phone_number": "07700 900123",
        }
        self.addresses[(crn, "1")] = {
            "id": "1",
            "status": "MAIN",
            "address_number": "12",
            "street_name": "High Street",
            "town": "Durham",
            "postcode": "DH1 1AA",
        }
        self.people[crn]["main_address"] = self.addresses[(crn, "1")]
        self.managers[crn] = {
            "staff_code": "N07A001",
            "name": "Pat Jones",
            "email": "pat.jones@probation.example",
            "telephone": "0191 000 0000",
            "team_code": "N07T01",
            "pdu_code": "N07PDU",
        }
        # risk-assessment's provider risk summary (view=provider), in its camelCase shape.
        self.risk[crn] = {
            "crn": crn,
            "view": "provider",
            "version": 1,
            "overall": risk_level,
            "summary": "Violence when intoxicated",
            "groupsAtRisk": ["public"],
            "riskToSelf": [],
            "updatedAt": datetime.now(UTC).isoformat(),
        }

    def _record(self, request: Request) -> None:
        self.calls.append((request.url.path, request.headers.get("authorization", "")))
        assert request.headers.get("authorization", "").startswith("Bearer ")

    def case_app(self) -> FastAPI:
        app = FastAPI()

        @app.get("/people/{crn}")
        async def person(crn: str, request: Request):
            self._record(request)
            return self.people.get(crn) or JSONResponse({"status": 404}, 404)

        @app.get("/people/{crn}/addresses/{address_id}")
        async def address(crn: str, address_id: str, request: Request):
            self._record(request)
            return self.addresses.get((crn, address_id)) or JSONResponse({"status": 404}, 404)

        @app.get("/people/{crn}/manager")
        async def manager(crn: str, request: Request):
            self._record(request)
            return self.managers.get(crn) or JSONResponse({"status": 404}, 404)

        @app.get("/people/{crn}/handover")
        async def handover(crn: str, request: Request):
            self._record(request)
            return self.handovers.get(crn) or JSONResponse({"status": 404}, 404)

        @app.get("/people/{crn}/sentences/{sentence_id}")
        async def sentence(crn: str, sentence_id: str, request: Request):
            self._record(request)
            return self.sentences.get((crn, sentence_id)) or JSONResponse({"status": 404}, 404)

        @app.get("/people/{crn}/limited-access")
        async def limited_access(crn: str, request: Request):
            self._record(request)
            return {"limits": self.limits.get(crn, [])} if crn in self.people else JSONResponse({"status": 404}, 404)

        return app

    def risk_app(self) -> FastAPI:
        app = FastAPI()

        @app.get("/people/{crn}/risk-summary")
        async def risk(crn: str, request: Request, view: str | None = None):
            self._record(request)
            assert view == "provider", "refer-monitor must ask for the provider view"
            return self.risk.get(crn) or JSONResponse({"status": 404}, 404)

        @app.post("/people/{crn}/provider-text-check")
        async def text_check(crn: str, request: Request):
            self._record(request)
            texts = (await request.json())["texts"]
            self.text_checks.append({"crn": crn, "texts": texts})
            if self.text_check_status != 200:
                return JSONResponse({"status": self.text_check_status}, self.text_check_status)
            matches = [
                {"field": name, "kind": "name", "matched": victim}
                for name, text in texts.items()
                for victim in self.victims.get(crn, [])
                if victim.lower() in text.lower()
            ]
            return {"matches": matches}

        return app


@pytest.fixture
def upstream() -> FakeUpstream:
    return FakeUpstream()


def mount_upstream(service, upstream: FakeUpstream) -> None:
    service.app.state.http.mount(
        {
            CASE_URL: httpx.ASGITransport(app=upstream.case_app()),
            RISK_URL: httpx.ASGITransport(app=upstream.risk_app()),
            service.settings.public_base_url: httpx.ASGITransport(app=service.app),
        }
    )


async def start_refer_monitor(start_service, upstream: FakeUpstream, **overrides):
    service = await start_service(SPEC, case_allocation_url=CASE_URL, risk_assessment_url=RISK_URL, **overrides)
    mount_upstream(service, upstream)
    await SPEC.seed(service.database, service.settings)
    return service


@pytest.fixture
async def rm(start_service, upstream):
    """refer-monitor without its workers: outbox rows stay put for inspection; no Kafka group joins."""
    return await start_refer_monitor(start_service, upstream, run_workers=False)


@dataclass
class Api:
    """Shorthands for the calls most tests make."""

    service: Any
    tokens: Any
    upstream: FakeUpstream

    @property
    def client(self) -> httpx.AsyncClient:
        return self.service.client

    def practitioner(self, **scope) -> dict:
        return self.tokens.headers(Role.PRACTITIONER, subject="pp-1", **scope)

    def provider(self, provider_id: str, *contracts: str, subject: str | None = None) -> dict:
        return self.tokens.headers(
            Role.PROVIDER_CASEWORKER,
            subject=subject or f"cw@{provider_id}",
            provider_id=provider_id,
            contract_refs=list(contracts),
        )

    async def draft(self, crn: str, intervention: str = ACC_INTERVENTION, **body) -> dict:
        payload = {
            "crn": crn,
            "intervention_id": intervention,
            "desired_outcomes": ["Stable housing", "Tenancy skills"],
            "complexity_level": "MEDIUM",
            "needs": ["accommodation"],
        } | body
        response = await self.client.post("/referrals", json=payload, headers=self.practitioner())
        assert response.status_code == 201, response.text
        return response.json()

    async def sent(self, crn: str, intervention: str = ACC_INTERVENTION, **body) -> dict:
        if crn not in self.upstream.people:
            self.upstream.add_person(crn)
        draft = await self.draft(crn, intervention, **body)
        response = await self.client.post(f"/referrals/{draft['id']}/send", headers=self.practitioner())
        assert response.status_code == 200, response.text
        return response.json()

    async def outbox(self, topic: str | None = None, event_type: str | None = None) -> list[dict]:
        outbox = PLATFORM.outbox
        async with self.service.database.unit_of_work() as session:
            query = select(outbox.c.topic, outbox.c.event_type, outbox.c.message_key, outbox.c.payload).order_by(
                outbox.c.id
            )
            rows = (await session.execute(query)).all()
        found = []
        for topic_, _type, key, payload in rows:
            if topic is not None and not topic_.endswith(topic):
                continue
            event = DomainEvent.model_validate_json(payload)
            if event_type is not None and event.eventType != event_type:
                continue
            found.append({"topic": topic_, "key": key, "event": event})
        return found


@pytest.fixture
def api(rm, tokens, upstream) -> Api:
    return Api(rm, tokens, upstream)


def case_event(event_type: str, crn: str, path: str, **info) -> DomainEvent:
    return new_event(event_type, crn=crn, detail_url=f"{CASE_URL}{path}", additional_information=info)


def risk_event(event_type: str, crn: str, path: str, **info) -> DomainEvent:
    return new_event(event_type, crn=crn, detail_url=f"{RISK_URL}{path}", additional_information=info)


async def handle(service, subscription, event: DomainEvent) -> None:
    """Run a consumed-event handler in its own unit of work, as the consumer would."""
    async with service.database.unit_of_work() as session:
        await subscription.handlers[event.eventType](session, event)


@pytest.fixture
def h():
    """Helpers and constants for test modules (conftest is not importable under importlib mode)."""
    from types import SimpleNamespace

    return SimpleNamespace(
        ACC=ACC,
        ETE=ETE,
        ACC_INTERVENTION=ACC_INTERVENTION,
        ETE_INTERVENTION=ETE_INTERVENTION,
        CASE_URL=CASE_URL,
        RISK_URL=RISK_URL,
        case_event=case_event,
        risk_event=risk_event,
        handle=handle,
        start_refer_monitor=start_refer_monitor,
        Api=Api,
    )
