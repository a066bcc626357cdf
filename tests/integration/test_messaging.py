"""The event backbone against a real broker: outbox survives a broker outage, the inbox makes
redelivery harmless, and a poison message goes to the dead-letter topic and can be replayed."""

from __future__ import annotations

import asyncio

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.structs import ConsumerRecord
from sqlalchemy import func, select

from case_allocation.db.models import PLATFORM as CASE_TABLES
from case_allocation.service import SPEC as CASE_ALLOCATION
from probation_shared.auth import Role
from probation_shared.embedded_broker import EmbeddedBroker
from probation_shared.events import new_event
from probation_shared.testing.plugin import eventually

from . import probe_service
from .probe_service import effects

PERSON = {"first_name": "Grace", "last_name": "Hopper", "date_of_birth": "1976-12-09", "sex": "FEMALE"}


async def consumers_assigned(service) -> bool:
    return all(c.state == "assigned" for c in service.app.state.workers.consumers)


async def produce(bootstrap: str, topic: str, *events, raw: bytes | None = None) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all")
    await producer.start()
    try:
        if raw is not None:
            await producer.send_and_wait(topic, raw, key=b"X000001")
        for event in events:
            await producer.send_and_wait(
                topic,
                event.model_dump_json().encode(),
                key=b"X000001",
                headers=[("eventType", event.eventType.encode())],
            )
    finally:
        await producer.stop()


@pytest.fixture
def own_broker():
    """A broker this test may stop and restart (on the same port)."""
    broker = EmbeddedBroker().start()
    yield broker
    broker.stop()


async def test_outbox_keeps_events_while_the_broker_is_down_and_delivers_each_once(own_broker, start_service, tokens):
    cases = await start_service(CASE_ALLOCATION, kafka_bootstrap_servers=own_broker.bootstrap_servers)
    probe = await start_service(probe_service.SPEC, kafka_bootstrap_servers=own_broker.bootstrap_servers)
    await eventually(lambda: consumers_assigned(probe), timeout=30)
    headers = tokens.headers(Role.PRACTITIONER)

    own_broker.stop()
    created = await cases.client.post("/people", json=PERSON, headers=headers)
    assert created.status_code == 201, created.text
    crn = created.json()["crn"]
    await asyncio.sleep(1.0)  # the relay tries and fails meanwhile; the row must stay unpublished
    async with cases.database.sessions() as session:
        pending = await session.scalar(
            select(func.count()).select_from(CASE_TABLES.outbox).where(CASE_TABLES.outbox.c.published_at.is_(None))
        )
    assert pending == 1

    own_broker.start()

    await eventually(lambda: _is(effects(probe, f"engagement:{crn}"), 1), timeout=60)
    await asyncio.sleep(1.0)  # time for any duplicate delivery to show
    assert await effects(probe, f"engagement:{crn}") == 1


async def test_the_same_event_delivered_twice_changes_state_once(start_service, broker, topic_prefix):
    probe = await start_service(probe_service.SPEC)
    await eventually(lambda: consumers_assigned(probe), timeout=30)
    event = new_event("probe.good.happened", crn="X000001")
    marker = new_event("probe.good.happened", crn="X000001")

    await produce(broker.bootstrap_servers, f"{topic_prefix}{probe_service.TOPIC}", event, event, marker)

    async def marker_handled() -> bool:
        return await effects(probe) >= 2

    await eventually(marker_handled)
    assert await effects(probe) == 2  # the duplicate left no effect; the marker proves it was read


async def test_poison_message_goes_to_dead_letters_consumer_carries_on_and_replay_redelivers(
    start_service, broker, topic_prefix, tokens
):
    probe_service.PoisonSwitch.failing = True
    probe = await start_service(probe_service.SPEC, consumer_max_attempts=3, consumer_retry_budget_seconds=30)
    await eventually(lambda: consumers_assigned(probe), timeout=30)
    poison = new_event("probe.poison.happened", crn="X000001")
    good = new_event("probe.good.happened", crn="X000001")

    await produce(broker.bootstrap_servers, f"{topic_prefix}{probe_service.TOPIC}", poison, good, raw=b"{not json")

    await eventually(lambda: _is(effects(probe, "good"), 1))
    assert await effects(probe, "poison") == 0  # every failed attempt rolled back

    dead = await _read_all(broker.bootstrap_servers, f"{topic_prefix}dlq.probe.probe-events", expected=2)
    by_value = {m.value: dict(m.headers) for m in dead}
    assert by_value[poison.model_dump_json().encode()]["x-attempts"] == b"3"
    assert by_value[poison.model_dump_json().encode()]["x-error-type"] == b"RuntimeError"
    assert (
        b"always fails" not in by_value[poison.model_dump_json().encode()]["x-error"]
    )  # messages may hold input values
    assert by_value[b"{not json"]["x-attempts"] == b"0"

    denied = await probe.client.post(
        "/admin/dead-letters/probe-events/replay", headers=tokens.headers(Role.PRACTITIONER)
    )
    assert denied.status_code == 403
    probe_service.PoisonSwitch.failing = False
    replayed = await probe.client.post("/admin/dead-letters/probe-events/replay", headers=tokens.headers(Role.OPERATOR))
    assert replayed.status_code == 200, replayed.text
    assert replayed.json()["replayed"] == 2
    await eventually(lambda: _is(effects(probe, "poison"), 1))
    assert await effects(probe, "good") == 1

    # Replay resumes where the last one stopped: only the unreadable message, dead-lettered again, is left.
    await _read_all(broker.bootstrap_servers, f"{topic_prefix}dlq.probe.probe-events", expected=3)
    again = await probe.client.post("/admin/dead-letters/probe-events/replay", headers=tokens.headers(Role.OPERATOR))
    assert again.json()["replayed"] == 1
    assert await effects(probe, "poison") == 1


async def _is(value, expected) -> bool:
    return (await value) == expected


async def _read_all(bootstrap: str, topic: str, expected: int, timeout: float = 20.0):
    consumer = AIOKafkaConsumer(topic, bootstrap_servers=bootstrap, auto_offset_reset="earliest", group_id=None)
    await consumer.start()
    messages = []
    try:
        deadline = asyncio.get_running_loop().time() + timeout
        while len(messages) < expected and asyncio.get_running_loop().time() < deadline:
            for batch in (await consumer.getmany(timeout_ms=500)).values():
                messages.extend(batch)
    finally:
        await consumer.stop()
    return messages


def _record(offset: int, event) -> ConsumerRecord:
    value = event.model_dump_json().encode()
    return ConsumerRecord(
        "probe.events",
        0,
        offset,
        0,
        0,
        b"X000001",
        value,
        None,
        7,
        len(value),
        [("eventType", event.eventType.encode())],
    )


async def test_a_batch_is_one_transaction_with_runs_for_batch_handlers_and_falls_back_one_by_one(start_service):
    probe = await start_service(probe_service.SPEC, run_workers=False)
    from probation_shared.events.consumer import EventConsumer

    consumer = EventConsumer(
        probe.settings, probe.database, probe_service.PLATFORM, probe.app.state.metrics, probe_service.SUBSCRIPTION
    )
    goods = [new_event("probe.good.happened", crn="X000001") for _ in range(3)]
    await consumer.handle_batch([_record(i, e) for i, e in enumerate([*goods, goods[0]])])
    assert await effects(probe, "good-in-batch-of-3") == 3  # one call for the run; the repeat was a duplicate

    probe_service.PoisonSwitch.failing = False
    mixed = [
        new_event(kind, crn="X000001")
        for kind in ("probe.good.happened", "probe.poison.happened", "probe.good.happened")
    ]
    await consumer.handle_batch([_record(10 + i, e) for i, e in enumerate(mixed)])
    assert await effects(probe, "good") == 2 and await effects(probe, "poison") == 1  # runs of one: per-event handlers
