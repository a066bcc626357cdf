"""Fixtures for risk-assessment's tests: the service on a real database, event helpers, answer builders."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from sqlalchemy import select

from probation_shared.auth import Role
from probation_shared.events import DomainEvent, new_event
from risk_assessment.db.models import PLATFORM
from risk_assessment.domain import needs
from risk_assessment.service import SPEC


def answers_at(level: str = "NONE", **overrides: dict[str, str]) -> dict:
    """Every question of every section answered with the scale's value for `level` (NONE/SOME/SIGNIFICANT)."""
    index = {"NONE": 0, "SOME": 1, "SIGNIFICANT": 2}[level]
    sections = {}
    for section in needs.SECTIONS:
        chosen = {}
        for q in section.questions:
            options = list(needs.ANSWER_SCORES[q.scale])  # ordered by score
            chosen[q.id] = (
                options[min(index, len(options) - 1)]
                if q.scale is not needs.AnswerScale.YES_NO
                else ("YES" if index == 2 else "NO")
            )
        chosen.update(overrides.get(section.code, {}))
        sections[section.code] = {"answers": chosen}
    return sections


def case_event(event_type: str, crn: str, **info) -> DomainEvent:
    return new_event(event_type, crn=crn, additional_information=info)


@dataclass
class Harness:
    service: object
    tokens: object
    broker: object

    answers_at = staticmethod(answers_at)
    event = staticmethod(case_event)

    @property
    def client(self):
        return self.service.client

    def staff(self, **scope) -> dict:
        return self.tokens.headers(Role.PRACTITIONER, subject="practitioner-1", **scope)

    def headers(self, role: Role, **scope) -> dict:
        return self.tokens.headers(role, **scope)

    async def handle(self, handler, event: DomainEvent) -> None:
        """Run a consumed-event handler in its own unit of work, as the consumer does (no broker)."""
        async with self.service.database.unit_of_work() as session:
            await handler(session, event)

    async def outbox(self, event_type: str | None = None, version: int | None = 1) -> list[dict]:
        """Queued events of `event_type` (all types: None) at `version` (all versions: None)."""
        async with self.service.database.sessions() as session:
            query = select(PLATFORM.outbox.c.payload, PLATFORM.outbox.c.event_type).order_by(PLATFORM.outbox.c.id)
            rows = (await session.execute(query)).all()
        events = [json.loads(r.payload) for r in rows if event_type is None or r.event_type == event_type]
        return [e for e in events if version is None or e.get("version", 1) == version]

    async def produce(self, logical_topic: str, *events: DomainEvent) -> None:
        producer = AIOKafkaProducer(bootstrap_servers=self.broker.bootstrap_servers)
        await producer.start()
        try:
            for event in events:
                await producer.send_and_wait(
                    self.service.settings.topic(logical_topic),
                    event.model_dump_json().encode(),
                    key=(event.crn or "").encode(),
                    headers=[("eventType", event.eventType.encode())],
                )
        finally:
            await producer.stop()

    async def published(self, logical_topic: str = "risk-assessment.events", timeout_ms: int = 1000) -> list[dict]:
        """Every message on a topic, read from the start by a throwaway consumer."""
        consumer = AIOKafkaConsumer(
            self.service.settings.topic(logical_topic),
            bootstrap_servers=self.broker.bootstrap_servers,
            group_id=f"test-reader-{uuid.uuid4().hex[:8]}",
            auto_offset_reset="earliest",
            enable_auto_commit=False,
        )
        await consumer.start()
        try:
            found = []
            while True:
                batch = await consumer.getmany(timeout_ms=timeout_ms)
                if not batch:
                    return found
                for messages in batch.values():
                    found.extend(json.loads(m.value) for m in messages)
        finally:
            await consumer.stop()


@pytest.fixture
async def api(start_service, tokens, broker) -> Harness:
    """The service without workers: API and handlers on a real database; events stay in the outbox."""
    return Harness(await start_service(SPEC, run_workers=False), tokens, broker)


@pytest.fixture
async def live(start_service, tokens, broker) -> Harness:
    """The service with its outbox relay and consumers on the real broker."""
    return Harness(await start_service(SPEC), tokens, broker)


def now() -> datetime:
    return datetime.now(UTC)
