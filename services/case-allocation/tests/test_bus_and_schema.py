"""Over the real broker: tier changes consumed, our events relayed.

Migrations match the models. Seeding is idempotent.
"""

import asyncio
import json

from sqlalchemy import func, select

from case_allocation.db.models import PLATFORM, Base, Person, Region, Staff
from case_allocation.seed import seed
from case_allocation.service import SPEC
from probation_shared.auth import Role
from probation_shared.events import new_event
from probation_shared.events.kafka import make_consumer, make_producer
from probation_shared.events.topics import CASE_ALLOCATION, RISK_ASSESSMENT
from probation_shared.migrations import schema_drift, upgrade
from probation_shared.testing.plugin import eventually, fresh_database_url

from .conftest import Api


async def test_tier_changes_are_consumed_and_our_events_reach_the_bus(start_service, tokens):
    service = await start_service(SPEC)
    api = Api(service, tokens)
    async with service.database.unit_of_work() as session:
        from case_allocation.seed import seed_reference

        await seed_reference(session)
    crn = (await api.person())["crn"]
    case_id = (await api.sentence(crn))["case_id"]
    await api.allocate(case_id, "LON01T1S02")

    # Published by the relay onto the real topic.
    consumer = make_consumer(
        service.settings, f"{service.settings.kafka_topic_prefix}probe", service.settings.topic(CASE_ALLOCATION)
    )
    await consumer.start()
    seen: list[str] = []
    try:

        async def all_published() -> bool:
            batches = await consumer.getmany(timeout_ms=200)
            for records in batches.values():
                seen.extend(json.loads(r.value)["eventType"] for r in records if r.key == crn.encode())
            return {
                "probation-case.engagement.created",
                "probation-case.sentence.created",
                "person.community.manager.allocated",
            } <= set(seen)

        await eventually(all_published, timeout=30)
    finally:
        await consumer.stop()

    # Consumed from risk-assessment: a redelivered event is handled once.
    event = new_event(
        "tier.calculation.changed",
        crn=crn,
        additional_information={"calculationId": "k1", "tier": "B1", "previousTier": None},
    )
    producer = make_producer(service.settings)
    await producer.start()
    try:
        for _ in range(2):
            await producer.send_and_wait(
                service.settings.topic(RISK_ASSESSMENT),
                event.model_dump_json().encode(),
                key=crn.encode(),
                headers=[("eventType", b"tier.calculation.changed")],
            )
    finally:
        await producer.stop()

    async def reweighed() -> bool:
        case = (await service.client.get(f"/cases/{case_id}", headers=api.spo())).json()
        return case["tier"] == "B1" and case["points"] == 102

    await eventually(reweighed, timeout=30)
    async with service.database.unit_of_work() as session:
        handled = await session.scalar(
            select(func.count()).select_from(PLATFORM.inbox).where(PLATFORM.inbox.c.event_id == str(event.eventId))
        )
    assert handled == 1
    workload = (await service.client.get("/staff/LON01T1S02/workload", headers=api.spo())).json()
    assert workload["total_points"] == 102


async def test_migrations_match_the_models(tmp_path):
    async with fresh_database_url(tmp_path, "drift") as url:
        await asyncio.to_thread(upgrade, SPEC.migrations_dir, url)
        assert await schema_drift(url, Base.metadata) == []


async def test_seed_is_idempotent_and_demo_volume_is_opt_in(start_service):
    service = await start_service(SPEC, run_workers=False)
    settings = service.settings

    async def counts():
        async with service.database.unit_of_work() as session:
            return tuple([await session.scalar(select(func.count()).select_from(m)) for m in (Region, Staff, Person)])

    await seed(service.database, settings)
    first = await counts()
    await seed(service.database, settings)
    assert await counts() == first
    assert first[0] == 12 and first[1] >= 300 and first[2] == 0

    demo = settings.model_copy(
        update={"seed_demo_volume": True, "seed_demo_people": 300, "seed_demo_staff_per_team": 8}
    )
    await seed(service.database, demo)
    await seed(service.database, demo)
    regions, staff, people = await counts()
    assert people == 300 and staff == 12 * 3 * 2 * 8
    queue = await service.client.get("/pdus/LON01/queue", headers={"Authorization": _spo(service)})
    assert queue.status_code == 200 and queue.json()["total_elements"] > 0


def _spo(service) -> str:
    from probation_shared.auth import mint_token

    token = mint_token(
        service.settings.auth_dev_private_key_file.read_bytes(),
        subject="spo",
        roles=[Role.SENIOR_PROBATION_OFFICER.value],
        pdu="LON01",
    )
    return f"Bearer {token}"
