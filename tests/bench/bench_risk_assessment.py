"""risk-assessment benchmark (issue 4), measured in one run on this machine.

1. Pure calculations: OGRS3 (`domain.ogrs3.calculate`) and the tier (`domain.tiering.calculate`) over
   varied inputs, single thread. Target: >= 20,000 calculations/s each.
2. Batch recalculation, events in → events out: an embedded broker, a migrated SQLite file and the
   service's own `Workers` (consumers + outbox relay), set up as the `worker` command sets them up. N
   `probation-case.registration.added` events (one person each) are produced with aiokafka from another
   process, which also counts the output; the clock runs from the first produce until N
   `tier.calculation.complete` events are on the output topic. Target: N = 100,000 in < 60 s.
   If the run would be too long, it stops at a time cap and reports the measured rate and an honest
   extrapolation to 100,000 (`BENCH_RA_PEOPLE`, `BENCH_RA_CAP_SECONDS` override the defaults).
   Transport baseline, same run, same broker: a bare aiokafka consumer reads the same N input events and
   produces as many output events (of a real tier event's size) as the service did. Target: the service's
   people/s >= 25% of the baseline's. When PostgreSQL is reachable (`BENCH_POSTGRES_URL`), the same batch
   runs again on a new PostgreSQL database (`BENCH_RA_PG_PEOPLE` people), reported separately.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import random
import tempfile
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from probation_shared.embedded_broker import EmbeddedBroker
from probation_shared.events import new_event
from probation_shared.events.kafka import ensure_topics
from probation_shared.events.topics import CASE_ALLOCATION, RISK_ASSESSMENT
from probation_shared.metrics import ServiceMetrics
from probation_shared.migrations import upgrade
from probation_shared.service import Workers, make_database
from probation_shared.tracing import configure_tracing

from .harness import postgres_database, scaled

TARGET_PEOPLE = 100_000
PEOPLE = int(os.environ.get("BENCH_RA_PEOPLE", scaled(TARGET_PEOPLE, 10_000)))
CAP_SECONDS = float(os.environ.get("BENCH_RA_CAP_SECONDS", 150))
# On PostgreSQL (when reachable) a smaller batch: the ratio to the transport is what is compared.
PG_PEOPLE = int(os.environ.get("BENCH_RA_PG_PEOPLE", scaled(20_000, 5_000)))
PURE_N = int(scaled(60_000, 10_000))
CODES = ["027/00", "038/00", "028/01", "034/00", "195/99", "009/00", "105/01", "092/00"]


async def run(report) -> None:
    _bench_pure(report)
    await _bench_batch(report, PEOPLE)
    async with postgres_database("bench_risk") as pg_url:
        if pg_url:
            await _bench_batch(report, PG_PEOPLE, pg_url)


def _bench_pure(report) -> None:
    from risk_assessment.domain import needs, ogrs3, tiering
    from risk_assessment.domain.rosh import RiskLevel

    rng = random.Random(1)
    valid_codes = [c for c in CODES if _ok(ogrs3, c)]
    ogrs_inputs = []
    for _ in range(PURE_N):
        dob = date(1950, 1, 1) + timedelta(days=rng.randint(0, 20_000))
        conviction = dob + timedelta(days=rng.randint(15 * 365, 50 * 365))
        age = ogrs3.whole_years(dob, conviction)
        ogrs_inputs.append(
            ogrs3.Ogrs3Input(
                rng.choice(["MALE", "FEMALE"]),
                dob,
                conviction,
                conviction + timedelta(days=rng.randint(0, 2000)),
                rng.randint(1, 40),
                rng.randint(10, age),
                rng.choice(valid_codes),
            )
        )
    ogrs3.calculate(ogrs_inputs[0])
    started = time.perf_counter()
    for item in ogrs_inputs:
        ogrs3.calculate(item)
    rate = PURE_N / (time.perf_counter() - started)
    report("OGRS3 calculations (pure, one core)", rate, "calc/s", target=">= 20,000/s", met=rate >= 20_000)

    severities = list(needs.Severity)
    levels = [None, *RiskLevel]
    tier_inputs = [
        tiering.TierInputs(
            rsr=Decimal(rng.randint(0, 9999)) / 100,
            rosh=rng.choice(levels),
            mappa_level=rng.choice([None, "M1", "M2", "M3"]),
            complexity_factors=frozenset(rng.sample(sorted(tiering.COMPLEXITY_FACTORS), rng.randint(0, 3))),
            female=rng.random() < 0.2,
            parenting_concern=rng.random() < 0.5,
            mandate_for_change=rng.random() < 0.9,
            needs=None if rng.random() < 0.2 else {s.code: rng.choice(severities) for s in needs.SCORED_SECTIONS},
            ogrs=rng.randint(1, 99),
            iom=rng.random() < 0.1,
            unsupervised=rng.random() < 0.05,
        )
        for _ in range(PURE_N)
    ]
    started = time.perf_counter()
    for item in tier_inputs:
        tiering.calculate(item)
    rate = PURE_N / (time.perf_counter() - started)
    report("Tier calculations (pure, one core)", rate, "calc/s", target=">= 20,000/s", met=rate >= 20_000)


def _ok(ogrs3, code: str) -> bool:
    try:
        ogrs3.lookup_offence(code)
        return True
    except Exception:
        return False


async def _bench_batch(report, people: int, postgres_url: str | None = None) -> None:
    """The batch recalculation of `people` people, on SQLite or (`postgres_url`) PostgreSQL."""
    from risk_assessment.service import SPEC

    suffix = " (PostgreSQL)" if postgres_url else ""
    with tempfile.TemporaryDirectory(prefix="bench-risk-") as tmp, EmbeddedBroker() as broker:
        url = postgres_url or f"sqlite+aiosqlite:///{Path(tmp) / 'risk.db'}"
        await asyncio.to_thread(upgrade, SPEC.migrations_dir, url)
        settings = SPEC.settings(
            database_url=url,
            kafka_bootstrap_servers=broker.bootstrap_servers,
            kafka_topic_prefix="bench.",
            log_level="WARNING",
            public_base_url="http://risk-assessment.bench",
        )
        in_topic, out_topic = settings.topic(CASE_ALLOCATION), settings.topic(RISK_ASSESSMENT)
        await ensure_topics(broker.bootstrap_servers, [in_topic, out_topic])
        # As the `worker` command runs it: the SDK's tracer provider (nothing exported) and an instrumented engine.
        configure_tracing(settings.service_name)
        database = make_database(settings)
        workers = Workers(SPEC, settings, database, ServiceMetrics(settings.service_name))

        # The events are offered, and the tier events counted, by another process: the service's process
        # does the service's work only, as the transport baseline's process does the transport's only.
        parent, child = multiprocessing.get_context("spawn").Pipe()
        offer = multiprocessing.get_context("spawn").Process(
            target=_offer_and_count, args=(child, broker.bootstrap_servers, in_topic, out_topic, people, CAP_SECONDS)
        )
        offer.start()
        try:
            await asyncio.to_thread(parent.recv)  # its reader has joined
            workers.start()
            # Let the consumer join before the clock starts (a one-off cost of any deployment, not of the batch).
            await asyncio.sleep(0)
            await _wait_joined(workers)
            parent.send("go")
            started, produced_at, finished, out, out_total, sample = await asyncio.to_thread(parent.recv)
        finally:
            await workers.stop()
            await database.dispose()
            offer.join(timeout=30)
            if offer.is_alive():
                offer.kill()
        produced_in = produced_at - started
        elapsed = finished - started
        rate = out / elapsed if elapsed else 0
        out_per_person = out_total / max(out, 1)
        transport = await _transport_baseline(
            broker.bootstrap_servers, in_topic, settings.topic("bench-baseline-out"), people, out_per_person, sample
        )
        report(f"Produce {people:,} registration events{suffix}", people / produced_in, "events/s")
        report(f"Tier recalculation end to end (events in → tier events out){suffix}", rate, "people/s")
        report(
            f"  transport baseline: bare aiokafka consumer → producer ({out_per_person:.1f} events out per event in)"
            f"{suffix}",
            transport,
            "people/s",
        )
        report.ratio(
            f"tier recalculation / transport baseline{suffix}",
            rate,
            transport,
            "people/s",
            baseline_label="bare aiokafka consume + produce",
            target=0.25,
        )
        if out >= people:
            report(
                f"Batch of {people:,} people, events in → events out{suffix}",
                elapsed,
                "s",
                target="< 60 s for 100,000",
                met=(people >= TARGET_PEOPLE and elapsed < 60),
            )
        else:
            projected = TARGET_PEOPLE / rate if rate else float("inf")
            print(
                f"   stopped at the {CAP_SECONDS:.0f}s cap with {out:,} of {people:,} people recalculated", flush=True
            )
            report(
                f"Batch of 100,000 people, extrapolated from the measured rate{suffix}",
                projected,
                "s",
                target="< 60 s",
                met=projected < 60,
            )


def _offer_and_count(conn, bootstrap: str, in_topic: str, out_topic: str, people: int, cap: float) -> None:
    """In its own process: produce `people` registration events when told to go, then count the tier events
    out until one `tier.calculation.complete` (version 1) per person has arrived, or the cap. Sends back the
    times (perf_counter: CLOCK_MONOTONIC, the same clock in every process here) and the counts."""
    asyncio.run(_offer_and_count_async(conn, bootstrap, in_topic, out_topic, people, cap))


async def _offer_and_count_async(conn, bootstrap: str, in_topic: str, out_topic: str, people: int, cap: float):
    codes = ["RMRH", "RHRH", "RVLN", "MAPP", "IIOM", "STRG", "PRC"]
    payloads = []
    for i in range(people):
        code = codes[i % len(codes)]
        event = new_event(
            "probation-case.registration.added",
            crn=f"B{i:06d}",
            additional_information={
                "registrationId": f"REG{i}",
                "registerTypeCode": code,
                "registerLevel": "M2" if code == "MAPP" else None,
                "registerCategory": None,
            },
        )
        payloads.append((event.crn.encode(), event.model_dump_json().encode()))
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, linger_ms=20, max_batch_size=256 * 1024)
    reader = AIOKafkaConsumer(
        out_topic, bootstrap_servers=bootstrap, group_id="bench-reader", auto_offset_reset="earliest"
    )
    await producer.start()
    await reader.start()
    await reader.getmany(timeout_ms=0)
    conn.send("ready")
    await asyncio.to_thread(conn.recv)
    complete = out = 0
    sample: list[bytes] = []
    started = time.perf_counter()
    try:
        futures = [
            await producer.send(in_topic, value, key=key, headers=[("eventType", b"probation-case.registration.added")])
            for key, value in payloads
        ]
        await asyncio.gather(*futures)
        produced_at = time.perf_counter()
        deadline = started + cap
        while complete < people and time.perf_counter() < deadline:
            batch = await reader.getmany(timeout_ms=200, max_records=5000)
            for messages in batch.values():
                out += len(messages)
                if messages and not sample:
                    sample.append(messages[0].value)
                for m in messages:
                    # One per person: version 1 (the A–D tier); version 2 (A–G) is published beside it.
                    if b'"tier.calculation.complete"' in m.value and b'"version":1,' in m.value.replace(b" ", b""):
                        complete += 1
        finished = time.perf_counter()
    finally:
        await producer.stop()
        await reader.stop()
    conn.send((started, produced_at, finished, complete, out, sample))


async def _transport_baseline(
    bootstrap: str, in_topic: str, out_topic: str, people: int, out_per_person: float, sample: list[bytes]
) -> float:
    """People/s of a bare aiokafka consumer reading the same `people` input events from the start of the
    topic and producing the same number of output events (each the size of a real tier event) per person:
    what the broker and client carry with no service work in between."""
    await ensure_topics(bootstrap, [out_topic])
    value = sample[0] if sample else b"x" * 2000
    consumer = AIOKafkaConsumer(
        in_topic,
        bootstrap_servers=bootstrap,
        group_id=f"bench-baseline-{time.monotonic_ns()}",
        auto_offset_reset="earliest",
    )
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=5, max_batch_size=256 * 1024)
    await consumer.start()
    await producer.start()
    owed = 0.0
    read = 0
    pending = []
    try:
        await consumer.getmany(timeout_ms=0)  # join before the clock starts, as the service's consumer did
        started = time.perf_counter()
        while read < people:
            batch = await consumer.getmany(timeout_ms=500, max_records=5000)
            for messages in batch.values():
                for m in messages:
                    read += 1
                    owed += out_per_person
                    while owed >= 1:
                        owed -= 1
                        pending.append(await producer.send(out_topic, value, key=m.key))
            if len(pending) > 20_000:
                await asyncio.gather(*pending)
                pending.clear()
        await asyncio.gather(*pending)
        await consumer.commit()
        elapsed = time.perf_counter() - started
    finally:
        await producer.stop()
        await consumer.stop()
    return people / elapsed


async def _wait_joined(workers: Workers, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        consumers = [c._consumer for c in workers.consumers]
        if all(c is not None and c.assignment() for c in consumers):
            return
        await asyncio.sleep(0.1)


__all__ = ["run"]
