"""Regression tests for the event backbone's faults (issue 10), on the real broker and database.

Time that a clock can stand for is a clock here: the consumer's retry budget runs on an injected
clock whose `sleep` only moves it on.
"""

from __future__ import annotations

import asyncio
import json
import os

import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.structs import ConsumerRecord
from sqlalchemy import func, select, text
from sqlalchemy.exc import OperationalError

from probation_shared.auth import Role
from probation_shared.db import Database
from probation_shared.events import DomainEvent, add_event, new_event
from probation_shared.events.consumer import EventConsumer, Subscription
from probation_shared.events.relay import OutboxRelay
from probation_shared.metrics import ServiceMetrics
from probation_shared.testing.plugin import POSTGRES_ENV, eventually, fresh_database_url, prepare_schema

from . import probe_service
from .probe_service import EFFECTS, PLATFORM, effects
from .test_messaging import _read_all, produce


def _record(offset: int, event: DomainEvent | None = None, raw: bytes | None = None) -> ConsumerRecord:
    value = raw if raw is not None else event.model_dump_json().encode()
    headers = [("eventType", event.eventType.encode())] if event else []
    return ConsumerRecord("probe.events", 0, offset, 0, 0, b"X000001", value, None, 7, len(value), headers)


class FakeClock:
    """A monotonic clock that only moves when the consumer sleeps."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def make_consumer(service, subscription=probe_service.SUBSCRIPTION, **kwargs) -> EventConsumer:
    return EventConsumer(
        service.settings, service.database, PLATFORM, service.app.state.metrics, subscription, **kwargs
    )


def dlq_topic(service, subscription=probe_service.SUBSCRIPTION) -> str:
    return subscription.dead_letter_topic(service.settings)


def sample(service, name: str, **labels) -> float:
    return service.app.state.metrics.registry.get_sample_value(name, labels) or 0.0


# -- contracts ---------------------------------------------------------------------------------


async def test_events_are_dispatched_on_type_and_version_and_an_unknown_version_is_dead_lettered(start_service, broker):
    probe = await start_service(probe_service.SPEC, run_workers=False)
    consumer = make_consumer(probe)
    v1, v2, v3 = (new_event("probe.versioned.happened", crn="X000001", version=v) for v in (1, 2, 3))

    await consumer.handle_batch([_record(i, e) for i, e in enumerate((v1, v2, v3))])
    single_v2 = new_event("probe.versioned.happened", crn="X000001", version=2)
    await consumer.handle_message(_record(9, single_v2))

    assert await effects(probe, "versioned-v1") == 1  # a version-2 event never reaches the version-1 handler
    assert await effects(probe, "versioned-v2") == 2
    [dead] = await _read_all(broker.bootstrap_servers, dlq_topic(probe), expected=1)
    headers = dict(dead.headers)
    assert dead.value == v3.model_dump_json().encode()
    assert headers["x-error-type"] == b"unsupported-version"
    assert b"unsupported version 3 of probe.versioned.happened" in headers["x-error"]


def test_a_subscription_keyed_by_type_alone_means_version_1():
    async def fn(session, event):
        return None

    subscription = Subscription("s", ["t"], handlers={"a.b.c": fn, ("a.b.d", 2): fn})
    assert subscription.handler_for(new_event("a.b.c", version=1)) is fn
    assert subscription.handler_for(new_event("a.b.c", version=2)) is None
    assert subscription.unsupported(new_event("a.b.c", version=2))
    assert subscription.unsupported(new_event("x.y.z", version=7)) is None  # not handled at all: skipped
    assert subscription.handler_for(new_event("a.b.d", version=2)) is fn
    with pytest.raises(ValueError):
        Subscription("s", ["t"], handlers={}, batch_handlers={"a.b.c": fn})


async def test_an_event_naming_a_pnc_identifier_is_handled_and_keeps_it(start_service):
    probe = await start_service(probe_service.SPEC, run_workers=False)
    consumer = make_consumer(probe)
    event = new_event("probe.good.happened", crn="X000001")
    data = json.loads(event.model_dump_json())
    data["personReference"]["identifiers"].append({"type": "PNC", "value": "2004/0012345A"})

    await consumer.handle_message(_record(0, raw=json.dumps(data).encode()))

    assert await effects(probe, "good") == 1
    parsed = DomainEvent.model_validate(data)
    assert parsed.crn == "X000001" and parsed.personReference.find("PNC") == "2004/0012345A"


# -- dead letters carry no input values ----------------------------------------------------


async def test_dead_letter_headers_name_the_error_type_but_carry_no_input_values(start_service, broker):
    probe = await start_service(probe_service.SPEC, run_workers=False, consumer_retry_budget_seconds=0)
    secret = "Grace Hopper 1976-12-09"

    async def leaky(session, event):
        raise ValueError(f"bad person {event.additionalInformation['name']}")

    subscription = Subscription("leaky", ["probe.events"], handlers={"probe.leaky.happened": leaky})
    consumer = make_consumer(probe, subscription)
    event = new_event("probe.leaky.happened", crn="X000001", additional_information={"name": secret})
    unreadable = json.dumps(
        {"eventId": "not-a-uuid", "eventType": "probe.leaky.happened", "occurredAt": secret}
    ).encode()

    await consumer.handle_message(_record(0, event))
    await consumer.handle_message(_record(1, raw=unreadable))

    dead = await _read_all(broker.bootstrap_servers, dlq_topic(probe, subscription), expected=2)
    assert len(dead) == 2
    for message in dead:
        headers = dict(message.headers)
        assert secret.encode() not in headers["x-error"] and b"not-a-uuid" not in headers["x-error"]
    first, second = (dict(m.headers) for m in dead)
    assert first["x-error-type"] == b"ValueError" and first["x-error"] == b"ValueError"
    assert second["x-error-type"] == b"unreadable-event"
    assert b"eventId (uuid_parsing)" in second["x-error"] and b"occurredAt" in second["x-error"]


# -- handler failures: a budget; transient failures: no budget ---------------------------------


async def test_a_failing_handler_is_retried_with_growing_jittered_delays_for_the_budget_then_dead_lettered(
    start_service, broker
):
    probe_service.PoisonSwitch.failing = True
    probe = await start_service(probe_service.SPEC, run_workers=False, consumer_retry_budget_seconds=60)
    clock = FakeClock()
    consumer = make_consumer(probe, clock=clock, sleep=clock.sleep, jitter=lambda: 1.0)
    poison = new_event("probe.poison.happened", crn="X000001")

    await consumer.handle_message(_record(0, poison))

    assert clock.now == pytest.approx(60)  # the budget was spent, no more
    assert clock.sleeps[:4] == pytest.approx([0.1, 0.2, 0.4, 0.8]) and max(clock.sleeps) <= 10
    [dead] = await _read_all(broker.bootstrap_servers, dlq_topic(probe), expected=1)
    assert int(dict(dead.headers)["x-attempts"]) == len(clock.sleeps) + 1
    assert await effects(probe, "poison") == 0


async def test_a_handler_that_recovers_within_the_budget_is_not_dead_lettered(start_service, broker):
    probe_service.PoisonSwitch.failing = True
    probe = await start_service(probe_service.SPEC, run_workers=False)
    clock = FakeClock()

    async def sleep(seconds: float) -> None:
        await clock.sleep(seconds)
        if clock.now > 20:
            probe_service.PoisonSwitch.failing = False  # e.g. the owner's API is fixed

    consumer = make_consumer(probe, clock=clock, sleep=sleep)
    await consumer.handle_message(_record(0, new_event("probe.poison.happened", crn="X000001")))

    assert await effects(probe, "poison") == 1
    assert sample(probe, "dead_letters_total", consumer="probe.probe-events") == 0


class Outage:
    """The database refuses work until the clock passes `until` (as a locked or unreachable one would)."""

    def __init__(self, clock: FakeClock, until: float) -> None:
        self.clock, self.until, self.calls = clock, until, 0

    async def handler(self, session, event) -> None:
        self.calls += 1
        if self.clock.now < self.until:
            raise OperationalError("INSERT INTO effects ...", {}, _sqlite_locked())
        await session.execute(EFFECTS.insert().values(event_id=str(event.eventId), kind="after-outage"))


def _sqlite_locked():
    import sqlite3

    return sqlite3.OperationalError("database is locked")


async def test_a_transient_failure_longer_than_the_budget_pauses_the_consumer_and_dead_letters_nothing(start_service):
    probe = await start_service(probe_service.SPEC, run_workers=False, consumer_retry_budget_seconds=5)
    clock = FakeClock()
    outage = Outage(clock, until=600)  # ten minutes: far beyond the budget
    subscription = Subscription("outage", ["probe.events"], handlers={"probe.outage.happened": outage.handler})
    paused_seen = []

    async def sleep(seconds: float) -> None:
        paused_seen.append((consumer.paused_reason, sample(probe, "consumer_paused", consumer="probe.outage")))
        await clock.sleep(seconds)

    consumer = make_consumer(probe, subscription, clock=clock, sleep=sleep)
    events = [new_event("probe.outage.happened", crn="X000001") for _ in range(3)]

    await consumer.handle_batch([_record(i, e) for i, e in enumerate(events)])

    assert await effects(probe, "after-outage") == 3
    assert sample(probe, "dead_letters_total", consumer="probe.outage") == 0
    assert sample(probe, "consumer_transient_failures_total", consumer="probe.outage") == len(clock.sleeps) > 5
    assert paused_seen and all(reason and "OperationalError" in reason and gauge == 1 for reason, gauge in paused_seen)
    assert consumer.paused_reason is None and sample(probe, "consumer_paused", consumer="probe.outage") == 0
    assert max(clock.sleeps) <= probe.settings.consumer_transient_backoff_max_seconds


async def test_readiness_info_and_metrics_report_a_consumer_paused_by_a_transient_failure(
    start_service, broker, topic_prefix
):
    probe_service.TransientSwitch.failing = True
    probe = await start_service(
        probe_service.SPEC, consumer_retry_budget_seconds=0, consumer_transient_backoff_max_seconds=0.5
    )
    await eventually(lambda: _async(all(c.state == "assigned" for c in probe.app.state.workers.consumers)), timeout=30)
    await produce(
        broker.bootstrap_servers,
        f"{topic_prefix}{probe_service.TOPIC}",
        new_event("probe.transient.happened", crn="X000001"),
    )

    async def paused() -> bool:
        ready = (await probe.client.get("/health/readiness")).json()
        return ready["components"].get("consumers", {}).get("status") == "PAUSED"

    await eventually(paused, timeout=30)
    ready = await probe.client.get("/health/readiness")
    assert ready.status_code == 200  # the API itself stays in service
    assert "TransientFailure" in ready.json()["components"]["consumers"]["detail"]["probe-events"]
    assert (await probe.client.get("/info")).json()["consumers"]["probe-events"] == "paused"
    assert sample(probe, "consumer_paused", consumer="probe.probe-events") == 1

    probe_service.TransientSwitch.failing = False
    await eventually(lambda: _is(effects(probe, "after-transient"), 1), timeout=30)
    await eventually(lambda: _async(sample(probe, "consumer_paused", consumer="probe.probe-events") == 0), timeout=10)
    assert (await probe.client.get("/health/readiness")).json()["components"]["consumers"] == {"status": "UP"}
    assert (
        sample(probe, "dead_letters_total", consumer="probe.probe-events") == 0
    )  # budget 0, yet nothing dead-lettered


def test_failures_are_classified_by_type():
    import sqlite3

    from aiokafka.errors import KafkaConnectionError, RequestTimedOutError
    from sqlalchemy.exc import IntegrityError, InterfaceError

    from probation_shared.errors import Problem
    from probation_shared.events.failures import TransientFailure, is_transient

    class FakeAsyncpgError(Exception):
        sqlstate = "40001"

    transient = [
        OperationalError("x", {}, sqlite3.OperationalError("database is locked")),
        ConnectionRefusedError(),
        TimeoutError(),
        TimeoutError(),
        KafkaConnectionError(),
        RequestTimedOutError(),
        TransientFailure(),
        Problem(502, "upstream-unavailable"),
        FakeAsyncpgError(),
    ]
    chained = RuntimeError("wrapped")
    chained.__cause__ = ConnectionResetError()
    transient.append(chained)
    lost = OperationalError("x", {}, Exception("server closed the connection"))
    lost.connection_invalidated = True
    transient.append(lost)
    permanent = [
        RuntimeError("bug"),
        KeyError("x"),
        ValueError("x"),
        OperationalError("x", {}, sqlite3.OperationalError("no such table: effects")),
        InterfaceError("x", {}, sqlite3.InterfaceError("Error binding parameter 1")),
        IntegrityError("x", {}, Exception("duplicate key")),
        Problem(422, "validation-failed"),
    ]
    assert [e for e in transient if not is_transient(e)] == []
    assert [e for e in permanent if is_transient(e)] == []


# -- the batch fallback never re-runs committed handlers ----------------------------------


async def test_the_batch_fallback_commits_the_events_before_the_failing_one_and_never_runs_their_handlers_again(
    start_service, broker
):
    probe_service.PoisonSwitch.failing = True
    probe = await start_service(probe_service.SPEC, run_workers=False, consumer_retry_budget_seconds=0)
    consumer = make_consumer(probe)
    probe_service.OUTSIDE_EFFECTS.clear()
    c1, c2, c3 = (new_event("probe.counted.happened", crn="X000001") for _ in range(3))
    poison = new_event("probe.poison.happened", crn="X000001")

    await consumer.handle_batch([_record(i, e) for i, e in enumerate((c1, c2, poison, c3))])

    assert sorted(probe_service.OUTSIDE_EFFECTS) == sorted(
        str(e.eventId) for e in (c1, c2, c3)
    )  # each handler ran once
    assert await effects(probe, "counted") == 3 and await effects(probe, "poison") == 0
    [dead] = await _read_all(broker.bootstrap_servers, dlq_topic(probe), expected=1)
    assert dead.value == poison.model_dump_json().encode()


async def test_a_failing_unit_of_a_batch_leaves_no_staged_events_behind(start_service, broker):
    """A handler that queued an event and then failed: its event must not be published with the prefix."""
    probe = await start_service(probe_service.SPEC, run_workers=False, consumer_retry_budget_seconds=0)

    async def queue_then_fail(session, event):
        await add_event(session, PLATFORM.outbox, "probe.out", new_event("probe.out.happened", crn="X000001"))
        raise RuntimeError("after queueing")

    async def queue(session, event):
        await add_event(session, PLATFORM.outbox, "probe.out", new_event("probe.out.happened", crn="X000001"))

    subscription = Subscription(
        "stage", ["probe.events"], handlers={"probe.queue.happened": queue, "probe.fail.happened": queue_then_fail}
    )
    consumer = make_consumer(probe, subscription)
    kinds = ("probe.queue.happened", "probe.fail.happened", "probe.queue.happened")
    await consumer.handle_batch([_record(i, new_event(k, crn="X000001")) for i, k in enumerate(kinds)])

    async with probe.database.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(PLATFORM.outbox)) == 2


# -- a slow handler stays in its group ------------------------------------------------------


async def test_a_handler_slower_than_max_poll_interval_is_committed_once_without_a_rebalance(
    start_service, broker, topic_prefix
):
    probe = await start_service(
        probe_service.SPEC,
        run_workers=False,
        consumer_max_poll_interval_ms=2000,
        consumer_session_timeout_ms=6000,
        consumer_heartbeat_interval_ms=500,
    )
    release = asyncio.Event()
    started = asyncio.Event()

    async def slow(session, event):
        started.set()
        await release.wait()
        await session.execute(EFFECTS.insert().values(event_id=str(event.eventId), kind="slow"))

    subscription = Subscription("slow", [probe_service.TOPIC], handlers={"probe.slow.happened": slow})
    consumer = make_consumer(probe, subscription)
    task = asyncio.create_task(consumer.run())
    try:
        await eventually(lambda: _async(consumer.state == "assigned"), timeout=30)
        await produce(
            broker.bootstrap_servers,
            f"{topic_prefix}{probe_service.TOPIC}",
            new_event("probe.slow.happened", crn="X000001"),
        )
        await asyncio.wait_for(started.wait(), 30)
        # The broker's and the client's poll-interval clocks are real: let more than max_poll_interval pass.
        await asyncio.sleep(3.0)
        release.set()
        await eventually(lambda: _is(effects(probe, "slow"), 1), timeout=30)
        group = subscription.group_id(probe.settings)
        await eventually(
            lambda: _committed_to_end(broker.bootstrap_servers, group, f"{topic_prefix}{probe_service.TOPIC}"),
            timeout=30,
        )
    finally:
        await consumer.stop()
        await asyncio.wait_for(task, 15)
    assert (
        sample(probe, "consumer_transient_failures_total", consumer="probe.slow") == 0
    )  # never rebuilt after a CommitFailedError
    assert sample(probe, "events_consumed_total", consumer="probe.slow", outcome="duplicate") == 0
    assert await effects(probe, "slow") == 1


async def _async(value):
    return value


async def _is(value, expected) -> bool:
    return (await value) == expected


async def _committed_to_end(bootstrap: str, group: str, topic: str) -> bool:
    reader = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=group, enable_auto_commit=False)
    await reader.start()
    try:
        partitions = [
            TopicPartition(topic, p) for p in (reader.partitions_for_topic(topic) or await _partitions(reader, topic))
        ]
        ends = await reader.end_offsets(partitions)
        for tp in partitions:
            if ends[tp] and (await reader.committed(tp) or 0) < ends[tp]:
                return False
        return True
    finally:
        await reader.stop()


async def _partitions(reader, topic):
    await reader.topics()
    return reader.partitions_for_topic(topic) or set()


# -- outbox and relay ---------------------------------------------------------------------------


async def test_an_event_larger_than_the_broker_accepts_is_refused_in_the_request_that_made_it(start_service, tokens):
    probe = await start_service(probe_service.SPEC, run_workers=False)
    headers = tokens.headers(Role.PRACTITIONER)

    refused = await probe.client.post("/things/big/events", params={"size": 1_200_000}, headers=headers)

    assert refused.status_code == 413, refused.text
    assert refused.headers["content-type"].startswith("application/problem+json")
    body = refused.json()
    assert (
        body["code"] == "event-too-large"
        and body["limit_bytes"] == probe.settings.event_max_bytes
        and body["event_bytes"] > 1_200_000
    )
    assert await effects(probe, "thing:big") == 0  # nothing of the request was stored
    async with probe.database.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(PLATFORM.outbox)) == 0
    fine = await probe.client.post("/things/small/events", params={"size": 900_000}, headers=headers)
    assert fine.status_code == 201


@pytest.fixture
def own_broker():
    from probation_shared.embedded_broker import EmbeddedBroker

    broker = EmbeddedBroker().start()
    yield broker
    broker.stop()


async def test_outbox_backlog_and_oldest_age_are_true_while_the_relay_is_stuck(own_broker, start_service, tokens):
    probe = await start_service(probe_service.SPEC, kafka_bootstrap_servers=own_broker.bootstrap_servers)
    own_broker.stop()
    for name in ("a", "b", "c"):
        assert (
            await probe.client.post(f"/things/{name}/events", headers=tokens.headers(Role.PRACTITIONER))
        ).status_code == 201

    await eventually(lambda: _async(sample(probe, "outbox_backlog") == 3), timeout=30)
    assert sample(probe, "outbox_oldest_unsent_age_seconds") > 0

    own_broker.start()
    await eventually(lambda: _async(sample(probe, "outbox_backlog") == 0), timeout=60)
    assert sample(probe, "outbox_oldest_unsent_age_seconds") == 0


@pytest.mark.skipif(not os.environ.get(POSTGRES_ENV), reason="needs PostgreSQL (PLATFORM_TEST_POSTGRES_URL)")
async def test_two_relays_on_postgresql_publish_each_key_in_order_and_one_takes_over_when_the_other_dies(
    broker, topic_prefix, tmp_path
):
    async with fresh_database_url(tmp_path, "relays") as url:
        await prepare_schema(probe_service.SPEC, url)
        settings = probe_service.ProbeSettings(
            database_url=url,
            kafka_bootstrap_servers=broker.bootstrap_servers,
            kafka_topic_prefix=topic_prefix,
            relay_batch_size=7,
            relay_poll_interval_seconds=0.02,
        )
        writer = Database(url)
        replicas = [Database(url), Database(url)]  # as two pods would have
        total = 240
        keys = [f"X{n:06d}" for n in range(3)]

        async def write(start: int, stop: int) -> None:
            for i in range(start, stop):
                async with writer.unit_of_work() as session:
                    event = new_event("probe.ordered.happened", crn=keys[i % 3], additional_information={"seq": i})
                    await add_event(session, PLATFORM.outbox, "probe.ordered", event)

        reader = AIOKafkaConsumer(
            settings.topic("probe.ordered"),
            bootstrap_servers=broker.bootstrap_servers,
            auto_offset_reset="earliest",
            group_id=None,
        )
        relays = [OutboxRelay(settings, db, PLATFORM, ServiceMetrics("probe")) for db in replicas]
        tasks: list[asyncio.Task] = []
        try:
            await write(0, total // 2)  # a backlog for both to race for
            tasks = [asyncio.create_task(r.run()) for r in relays]
            await write(total // 2, 3 * total // 4)
            tasks[0].cancel()  # one replica dies mid-stream (its transaction, and the lock, go with it)
            await write(3 * total // 4, total)

            await reader.start()
            seen: dict[str, list[int]] = {k: [] for k in keys}
            first: set[int] = set()
            deadline = asyncio.get_running_loop().time() + 60
            while len(first) < total and asyncio.get_running_loop().time() < deadline:
                for batch in (await reader.getmany(timeout_ms=500)).values():
                    for message in batch:
                        seq = json.loads(message.value)["additionalInformation"]["seq"]
                        if seq not in first:  # a batch sent again after a takeover is dropped by inboxes
                            first.add(seq)
                            seen[message.key.decode()].append(seq)
        finally:
            for relay in relays:
                await relay.stop()
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            await reader.stop()
            for db in (writer, *replicas):
                await db.dispose()
        assert len(first) == total
        for key, seqs in seen.items():
            assert seqs == sorted(seqs), f"{key} out of order"


@pytest.mark.skipif(not os.environ.get(POSTGRES_ENV), reason="needs PostgreSQL (PLATFORM_TEST_POSTGRES_URL)")
async def test_two_writers_for_one_key_take_outbox_ids_in_commit_order_on_postgresql(tmp_path):
    """Else a later id could commit first, be published, and the earlier one follow it."""
    from probation_shared.db import STAGED_WRITES, _write_staged

    async with fresh_database_url(tmp_path, "order") as url:
        await prepare_schema(probe_service.SPEC, url)
        database, watcher = Database(url), Database(url)
        try:
            async with database.sessions() as first:
                await add_event(
                    first, PLATFORM.outbox, "probe.ordered", new_event("probe.first.happened", crn="X000001")
                )
                await _write_staged(first, first.info.pop(STAGED_WRITES))  # its row written, not committed

                async def second_writer() -> None:
                    async with database.unit_of_work() as second:
                        await add_event(
                            second, PLATFORM.outbox, "probe.ordered", new_event("probe.second.happened", crn="X000001")
                        )

                second = asyncio.create_task(second_writer())

                async def second_waits() -> bool:
                    async with watcher.sessions() as session:
                        waiting = "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
                        return bool(await session.scalar(text(waiting)))

                await eventually(second_waits, timeout=15)
                assert not second.done()
                await first.commit()
            await asyncio.wait_for(second, 15)
            async with database.sessions() as session:
                rows = (
                    (await session.execute(select(PLATFORM.outbox.c.event_type).order_by(PLATFORM.outbox.c.id)))
                    .scalars()
                    .all()
                )
            assert rows == ["probe.first.happened", "probe.second.happened"]
        finally:
            await database.dispose()
            await watcher.dispose()
