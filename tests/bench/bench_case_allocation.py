"""case-allocation benchmark (issue 3), measured in one run on this machine.

An embedded broker, a migrated SQLite file and the app in-process (httpx ASGITransport inside its
lifespan). The reference data is seeded, then a PDU of 100 practitioners holding 5,000 cases.

1. Recommendation latency, p50/p99, for an unallocated case of that PDU (GET /cases/{id}/recommendations,
   SPO token). Target: p99 < 50 ms.
2. GET /people/{crn} throughput as a ratio of GET /health/liveness throughput (the no-op ceiling) in the
   same run, 16 concurrent loops. Target: >= 40%. Measured twice: as a practitioner (token check,
   access check, an audit row written and committed, redaction) and with a service token (no audit
   row; the way other services follow detailUrls). Both are judged against the target.
Also reported, without a target: the PDU queue's first page latency. When PostgreSQL is reachable
(`BENCH_POSTGRES_URL`) every figure is measured again on a new PostgreSQL database, reported separately.
"""

from __future__ import annotations

import asyncio
import random
import tempfile
import time
from decimal import Decimal
from pathlib import Path

import httpx
from sqlalchemy import insert, select

from probation_shared.auth import Role, mint_token
from probation_shared.devkeys import generate_key_pair
from probation_shared.embedded_broker import EmbeddedBroker
from probation_shared.migrations import upgrade
from probation_shared.service import create_app

from .harness import latencies, postgres_database, throughput

PDU = "BEN01"
TEAMS = 10
PRACTITIONERS_PER_TEAM = 10
CASES = 5_000


async def run(report) -> None:
    await _bench(report)
    async with postgres_database("bench_cases") as pg_url:
        if pg_url:
            await _bench(report, pg_url)


async def _bench(report, postgres_url: str | None = None) -> None:
    """Every figure on SQLite, or (`postgres_url`) on PostgreSQL, reported with " (PostgreSQL)"."""
    from case_allocation.db.models import Case, Pdu, Staff, Team
    from case_allocation.seed import add_case_volume, seed_reference
    from case_allocation.service import SPEC

    on = " (PostgreSQL)" if postgres_url else ""
    with tempfile.TemporaryDirectory(prefix="bench-cases-") as tmp, EmbeddedBroker() as broker:
        folder = Path(tmp)
        url = postgres_url or f"sqlite+aiosqlite:///{folder / 'cases.db'}"
        await asyncio.to_thread(upgrade, SPEC.migrations_dir, url)
        private, public = generate_key_pair()
        (folder / "public.pem").write_bytes(public)
        (folder / "private.pem").write_bytes(private)
        settings = SPEC.settings(
            database_url=url,
            kafka_bootstrap_servers=broker.bootstrap_servers,
            kafka_topic_prefix="bench.",
            auth_public_key_file=folder / "public.pem",
            auth_dev_private_key_file=folder / "private.pem",
            public_base_url="http://case-allocation.bench",
            log_level="WARNING",
            log_json=False,
        )
        app = create_app(SPEC, settings)
        async with app.router.lifespan_context(app):
            database = app.state.database
            started = time.perf_counter()
            async with database.unit_of_work() as session:
                await seed_reference(session)
                session.add(Pdu(code=PDU, name="Benchmark PDU", region_code="LON"))
                await session.flush()
                grades = ("PO", "PO", "PO", "PO", "PSO", "PSO", "PSO", "PQiP", "PQiP", "PO")
                for t in range(TEAMS):
                    team = f"{PDU}T{t:02d}"
                    session.add(Team(code=team, name=f"Bench team {t}", pdu_code=PDU))
                    await session.flush()
                    await session.execute(
                        insert(Staff),
                        [
                            {
                                "code": f"{team}S{s:02d}",
                                "first_name": "Bench",
                                "last_name": f"Officer{s}",
                                "grade": grades[s],
                                "team_code": team,
                                "contracted_hours": Decimal(37 if s % 3 else 30),
                                "active": True,
                            }
                            for s in range(PRACTITIONERS_PER_TEAM)
                        ],
                    )
                await add_case_volume(
                    session, pdu_code=PDU, people=CASES, rng=random.Random(3), crn_prefix="B", allocated_share=0.95
                )
            async with database.unit_of_work() as session:
                case_id = await session.scalar(
                    select(Case.id).where(Case.pdu_code == PDU, Case.status == "UNALLOCATED").limit(1)
                )
                crn = await session.scalar(select(Case.crn).where(Case.pdu_code == PDU).limit(1))
            print(
                f"   seeded {TEAMS * PRACTITIONERS_PER_TEAM} practitioners and {CASES:,} cases in "
                f"{time.perf_counter() - started:.1f}s",
                flush=True,
            )

            spo = {
                "Authorization": "Bearer "
                + mint_token(
                    private, subject="spo", roles=[Role.SENIOR_PROBATION_OFFICER.value], pdu=PDU, staff_code=f"{PDU}SPO"
                )
            }
            practitioner = {
                "Authorization": "Bearer "
                + mint_token(private, subject="pp", roles=[Role.PRACTITIONER.value], staff_code=f"{PDU}T00S00")
            }
            service = {
                "Authorization": "Bearer " + mint_token(private, subject="refer-monitor", roles=[Role.SERVICE.value])
            }
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url=settings.public_base_url) as client:

                async def recommend():
                    response = await client.get(f"/cases/{case_id}/recommendations", headers=spo)
                    assert response.status_code == 200, response.text
                    assert len(response.json()["practitioners"]) >= 1

                async def queue():
                    response = await client.get(f"/pdus/{PDU}/queue?size=50", headers=spo)
                    assert response.status_code == 200, response.text

                async def person():
                    response = await client.get(f"/people/{crn}", headers=practitioner)
                    assert response.status_code == 200, response.text

                async def person_as_service():
                    response = await client.get(f"/people/{crn}", headers=service)
                    assert response.status_code == 200, response.text

                async def liveness():
                    response = await client.get("/health/liveness")
                    assert response.status_code == 200

                for warm in (recommend, queue, person, person_as_service, liveness):
                    for _ in range(10):
                        await warm()
                rec = await latencies(recommend, samples=300)
                report(f"recommendation latency p50 (100 practitioners, 5,000 cases){on}", rec["p50"], "ms")
                report(f"recommendation latency p99{on}", rec["p99"], "ms", target="< 50 ms", met=rec["p99"] < 50)
                q = await latencies(queue, samples=100)
                report(f"PDU queue first page (50) latency p99{on}", q["p99"], "ms")
                serial = await latencies(person, samples=300)
                report(f"GET /people/{{crn}} serial latency p50 (practitioner, audited){on}", serial["p50"], "ms")
                ceiling = await throughput(liveness, seconds=3)
                reads = await throughput(person, seconds=3)
                service_reads = await throughput(person_as_service, seconds=3)
                report(f"GET /health/liveness (no-op ceiling, 16 loops){on}", ceiling, "req/s")
                report(f"GET /people/{{crn}} as a practitioner (audit row written){on}", reads, "req/s")
                report(f"GET /people/{{crn}} with a service token (no audit row){on}", service_reads, "req/s")
                report.ratio(
                    f"GET /people/{{crn}} audited (practitioner) / no-op{on}",
                    reads,
                    ceiling,
                    "req/s",
                    baseline_label="liveness, in-process",
                    target=0.40,
                )
                report.ratio(
                    f"GET /people/{{crn}} service token (no audit row) / no-op{on}",
                    service_reads,
                    ceiling,
                    "req/s",
                    baseline_label="liveness, in-process",
                    target=0.40,
                )
