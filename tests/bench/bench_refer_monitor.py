"""refer-monitor benchmark (issue 5), measured in one run on this machine, in-process.

1. Provider referral list: `GET /referrals` (a provider caseworker's first page of 50, token verified,
   access-scoped query, audit row) against `GET /health/liveness` on the same app, both driven through
   httpx's ASGITransport with 16 concurrent loops. Target: list >= 30% of the liveness ceiling.
2. Live address changes: 1,000 people each holding 2 active referrals (accommodation, prime +
   subcontractor, and ETE: three providers). Contract-shaped `probation-case.address.updated` events are
   produced to the embedded broker at 200/s by a separate process (so the producer never shares
   refer-monitor's event loop); refer-monitor's consumer follows each detailUrl to a small
   in-process stand-in for case-allocation, updates both referral views, records history and queues a
   notification per provider. Latency = event produced -> the first partner notification for that person
   received from the broker (so it includes refer-monitor's commit, the outbox relay and Kafka: an upper
   bound on "views updated"). Target: p99 < 1 s.
When PostgreSQL is reachable (`BENCH_POSTGRES_URL`) both are measured again on a new PostgreSQL database,
reported separately.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import sys
import tempfile
import textwrap
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import httpx
from aiokafka import AIOKafkaConsumer
from fastapi import FastAPI
from fastapi.responses import JSONResponse
from sqlalchemy import select

from probation_shared.auth import Role, mint_token
from probation_shared.devkeys import generate_key_pair
from probation_shared.embedded_broker import EmbeddedBroker
from probation_shared.events import new_event
from probation_shared.events.kafka import ensure_topics, make_producer
from probation_shared.events.topics import CASE_ALLOCATION, PARTNER_NOTIFICATIONS, REFER_MONITOR, RISK_ASSESSMENT
from probation_shared.migrations import upgrade
from probation_shared.service import create_app

from .harness import postgres_database, scaled, throughput

PEOPLE = 1_000
RATE = 200  # changes per second
LIST_SECONDS = scaled(4.0, 1.0)
CONCURRENCY = 16
CASE_URL = "http://case-allocation.test"
ACC_INTERVENTION = "7b0c6f0e-0000-4000-8000-000000000001"
ETE_INTERVENTION = "7b0c6f0e-0000-4000-8000-000000000002"


# Run in its own process: reads "crn json" lines, produces them at RATE per second (paced against the
# schedule, not the previous send), prints the perf_counter (CLOCK_MONOTONIC, shared by processes on Linux)
# of each send and the rate it achieved.
OFFER = textwrap.dedent(
    """
    import asyncio, json, sys, time
    from aiokafka import AIOKafkaProducer

    async def main(bootstrap, topic, rate):
        lines = [line.split(b" ", 1) for line in sys.stdin.buffer.read().splitlines() if line]
        producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all")
        await producer.start()
        produced_at = {}
        pending = []
        try:
            started = time.perf_counter()
            for i, (crn, body) in enumerate(lines):
                delay = started + i / rate - time.perf_counter()
                if delay > 0:
                    await asyncio.sleep(delay)
                produced_at[crn.decode()] = time.perf_counter()
                pending.append(await producer.send(
                    topic, body, key=crn, headers=[("eventType", b"probation-case.address.updated")]
                ))
            offered = len(lines) / (time.perf_counter() - started)
            await asyncio.gather(*pending)
        finally:
            await producer.stop()
        print(json.dumps({"offered": offered, "produced_at": produced_at}))

    asyncio.run(main(sys.argv[1], sys.argv[2], float(sys.argv[3])))
    """
)


def crn_of(i: int) -> str:
    return f"B{i:06d}"


def fake_case_allocation(addresses: dict[tuple[str, str], dict]) -> FastAPI:
    app = FastAPI()

    @app.get("/people/{crn}/addresses/{address_id}")
    async def address(crn: str, address_id: str):
        return addresses.get((crn, address_id)) or JSONResponse({"status": 404}, 404)

    return app


async def populate(database, people: int) -> None:
    """1,000 people in the projection, each with a sent accommodation and an assigned ETE referral."""
    from refer_monitor.db.models import PersonProjection, ProviderViewHistory, Referral
    from refer_monitor.domain.rules import new_reference
    from refer_monitor.domain.views import build_view

    now = datetime.now(UTC)
    references: set[str] = set()
    history = []
    async with database.unit_of_work() as session:
        for i in range(people):
            person = PersonProjection(
                crn=crn_of(i),
                first_name="Person",
                last_name=f"Number{i}",
                date_of_birth=datetime(1990, 1, 1).date(),
                sex="MALE",
                address_id="1",
                address={"id": "1", "line1": "1 Old Street", "town": "Durham", "postcode": "DH1 1AA"},
                phone="07700 900000",
                practitioner={"staff_code": "N07A001", "name": "Pat Jones"},
                risk_summary={"overall_level": "MEDIUM"},
                rosh_level="MEDIUM",
                risk_summary_at=now,
                registrations=[],
                enforcement=[],
                updated_at=now,
            )
            session.add(person)
            view = build_view(person)
            for intervention, contract, status in (
                (ACC_INTERVENTION, "ACC-NE-001", "SENT"),
                (ETE_INTERVENTION, "ETE-NE-001", "ASSIGNED"),
            ):
                reference = new_reference()
                while reference in references:
                    reference = new_reference()
                references.add(reference)
                rid = str(uuid.uuid4())
                session.add(
                    Referral(
                        id=rid,
                        reference=reference,
                        crn=person.crn,
                        intervention_id=intervention,
                        contract_reference=contract,
                        status=status,
                        created_by="bench",
                        created_at=now,
                        sent_by="bench",
                        sent_at=now,
                        assigned_to="cw" if status == "ASSIGNED" else None,
                        complexity_level="MEDIUM",
                        desired_outcomes=["x"],
                        needs=[],
                        custody=False,
                        risk_summary_max_age_days=90,
                        provider_view=view,
                        provider_view_version=1,
                        provider_view_updated_at=now,
                    )
                )
                history.append(
                    ProviderViewHistory(
                        referral_id=rid,
                        version=1,
                        reason="intervention.referral.sent",
                        changed=[],
                        view=view,
                        recorded_at=now,
                    )
                )
        await session.flush()
        session.add_all(history)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * q))]


async def run(report) -> None:
    await _bench(report)
    async with postgres_database("bench_refer_monitor") as pg_url:
        if pg_url:
            await _bench(report, pg_url)


async def _bench(report, postgres_url: str | None = None) -> None:
    """Both figures on SQLite, or (`postgres_url`) on PostgreSQL, reported with " (PostgreSQL)"."""
    from refer_monitor.service import SPEC

    on = " (PostgreSQL)" if postgres_url else ""
    with tempfile.TemporaryDirectory(prefix="bench-refer-monitor-") as tmp, EmbeddedBroker() as broker:
        tmp_path = Path(tmp)
        private, public = generate_key_pair()
        (tmp_path / "public.pem").write_bytes(public)
        (tmp_path / "private.pem").write_bytes(private)
        prefix = f"bench{uuid.uuid4().hex[:8]}."
        await ensure_topics(
            broker.bootstrap_servers,
            [prefix + t for t in (CASE_ALLOCATION, RISK_ASSESSMENT, REFER_MONITOR, PARTNER_NOTIFICATIONS)],
        )
        url = postgres_url or f"sqlite+aiosqlite:///{tmp_path / 'refer-monitor.db'}"
        await asyncio.to_thread(upgrade, SPEC.migrations_dir, url)
        settings = SPEC.settings(
            database_url=url,
            kafka_bootstrap_servers=broker.bootstrap_servers,
            kafka_topic_prefix=prefix,
            auth_public_key_file=tmp_path / "public.pem",
            auth_dev_private_key_file=tmp_path / "private.pem",
            public_base_url="http://refer-monitor.test",
            case_allocation_url=CASE_URL,
            risk_assessment_url="http://risk-assessment.test",
            log_level="WARNING",
            log_json=False,
            relay_poll_interval_seconds=0.1,
        )
        app = create_app(SPEC, settings)
        addresses: dict[tuple[str, str], dict] = {}
        async with app.router.lifespan_context(app):
            app.state.http.mount({CASE_URL: httpx.ASGITransport(app=fake_case_allocation(addresses))})
            database = app.state.database
            await SPEC.seed(database, settings)
            await populate(database, PEOPLE)
            async with httpx.AsyncClient(
                transport=httpx.ASGITransport(app=app), base_url="http://refer-monitor.test"
            ) as client:
                await _bench_list(report, client, private, on)
            await _bench_live(report, settings, database, addresses, on)


async def _bench_list(report, client: httpx.AsyncClient, private: bytes, on: str) -> None:
    token = mint_token(
        private,
        subject="bench-cw",
        roles=[Role.PROVIDER_CASEWORKER.value],
        provider_id="harbour-housing",
        contract_refs=["ACC-NE-001"],
    )
    headers = {"Authorization": f"Bearer {token}"}

    async def liveness() -> None:
        response = await client.get("/health/liveness")
        assert response.status_code == 200

    async def provider_list() -> None:
        response = await client.get("/referrals", headers=headers)
        assert response.status_code == 200 and len(response.json()) == 50, response.text[:300]

    await throughput(liveness, seconds=0.5, concurrency=CONCURRENCY)
    await throughput(provider_list, seconds=0.5, concurrency=CONCURRENCY)
    ceiling = await throughput(liveness, seconds=LIST_SECONDS, concurrency=CONCURRENCY)
    listed = await throughput(provider_list, seconds=LIST_SECONDS, concurrency=CONCURRENCY)
    report(f"GET /health/liveness, refer-monitor in-process ({CONCURRENCY} loops){on}", ceiling, "req/s")
    report(f"GET /referrals, provider page of 50 (token, scoped query, audit){on}", listed, "req/s")
    report.ratio(
        f"provider referral list / no-op{on}",
        listed,
        ceiling,
        "req/s",
        baseline_label="liveness, in-process",
        target=0.30,
    )


async def _bench_live(report, settings, database, addresses, on: str) -> None:
    from refer_monitor.db.models import Referral

    notifications = AIOKafkaConsumer(
        settings.topic(PARTNER_NOTIFICATIONS),
        bootstrap_servers=settings.kafka_bootstrap_servers,
        group_id=None,
        auto_offset_reset="latest",
        metadata_max_age_ms=1000,
    )
    await notifications.start()
    producer = make_producer(settings)
    await producer.start()
    produced_at: dict[str, float] = {}
    received_at: dict[str, float] = {}
    per_provider: dict[tuple[str, str], int] = {}

    async def collect(until_count: int, within: float) -> None:
        deadline = time.monotonic() + within
        while len(received_at) < until_count and time.monotonic() < deadline:
            batch = await notifications.getmany(timeout_ms=100)
            now = time.perf_counter()
            for messages in batch.values():
                for m in messages:
                    body = json.loads(m.value)
                    if body["additionalInformation"]["notificationType"] != "probation-case.address.updated":
                        continue
                    crn = body["personReference"]["identifiers"][0]["value"]
                    received_at.setdefault(crn, now)
                    per_provider[(crn, m.key.decode())] = per_provider.get((crn, m.key.decode()), 0) + 1

    def new_address(i: int, warmup: bool = False) -> dict:
        return {
            "id": "1",
            "status": "MAIN",
            "line1": f"{i} New Road",
            "town": "Leeds",
            "postcode": f"LS{i % 30} 1AA",
            "warm": warmup,
        }

    def event_of(i: int) -> tuple[str, bytes]:
        crn = crn_of(i)
        event = new_event(
            "probation-case.address.updated",
            crn=crn,
            detail_url=f"{CASE_URL}/people/{crn}/addresses/1",
            additional_information={"addressId": "1"},
        )
        return crn, event.model_dump_json().encode()

    try:
        # Warm-up: the consumer group joins and the first change goes end to end before measuring.
        addresses[(crn_of(PEOPLE - 1), "1")] = new_address(PEOPLE - 1, warmup=True)
        crn, body = event_of(PEOPLE - 1)
        produced_at[crn] = time.perf_counter()
        await producer.send_and_wait(
            settings.topic(CASE_ALLOCATION),
            body,
            key=crn.encode(),
            headers=[("eventType", b"probation-case.address.updated")],
        )
        await collect(1, 60)
        if not received_at:
            raise RuntimeError("the warm-up change never produced a notification")
        received_at.clear()
        per_provider.clear()
        produced_at.clear()
        changes = PEOPLE - 1
        events = []
        for i in range(changes):
            addresses[(crn_of(i), "1")] = new_address(i)
            events.append(event_of(i))
        # The rate is offered from another process, so the producer never shares refer-monitor's loop.
        offer = await asyncio.create_subprocess_exec(
            sys.executable,
            "-c",
            OFFER,
            settings.kafka_bootstrap_servers,
            settings.topic(CASE_ALLOCATION),
            str(RATE),
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
        )
        collector = asyncio.create_task(collect(changes, 120))
        out, _ = await offer.communicate(b"".join(crn.encode() + b" " + body + b"\n" for crn, body in events))
        if offer.returncode != 0:
            raise RuntimeError(f"the offering process failed ({offer.returncode})")
        result = json.loads(out.decode().strip().splitlines()[-1])
        produced_at.update(result["produced_at"])
        offered = result["offered"]
        await collector
    finally:
        await producer.stop()
        await notifications.stop()

    latencies = [(received_at[c] - produced_at[c]) * 1000 for c in received_at]
    async with database.unit_of_work() as session:
        views = (await session.execute(select(Referral.crn, Referral.provider_view_version))).all()
    updated_people = {crn for crn, version in views if version >= 2}
    missing = changes - len(received_at)
    exact = all(n == 1 for n in per_provider.values()) and len(per_provider) == 3 * len(received_at)
    report(
        f"address changes offered (from another process){on}",
        offered,
        "changes/s",
        target=">= 190/s",
        met=offered >= 190,
    )
    report(
        f"people whose both referral views were updated{on}",
        len(updated_people),
        "people",
        target=f"{PEOPLE}",
        met=len(updated_people) == PEOPLE,
    )
    report(
        f"address change -> notification received, p50{on}",
        statistics.median(latencies) if latencies else float("nan"),
        "ms",
    )
    p99 = percentile(latencies, 0.99) if latencies else float("inf")
    report(
        f"address change -> notification received, p99{on}",
        p99,
        "ms",
        target="< 1000 ms",
        met=p99 < 1000 and missing == 0,
    )
    report(
        f"notifications per provider per change (exactly one){on}", 1.0 if exact else 0.0, "ok", target="1", met=exact
    )
