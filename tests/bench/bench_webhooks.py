"""webhooks benchmark (issue 11), measured in one run on this machine.

A minimal keep-alive HTTP receiver runs in its own process on loopback and answers 204 to every POST.

1. Baseline: the HTTP client the delivery worker uses (httpx.AsyncClient, same limits and concurrency)
   posting the same signed bodies to the same receiver as fast as it can.
2. Sustained deliveries/s: 6,000 messages queued (two endpoints, 3,000 people), then the delivery
   worker (SQLite, as `make run`) claims, signs, vets each host, sends and records them.
   Targets: >= 50% of the baseline and >= 1,000/s.
3. Notification-to-delivery latency at half the sustained rate: partner notifications are handed to
   the consumer's handler (one transaction per 10 ms tick, as the consumer batches what arrives) at that
   rate with the worker running;
   latency = handler called -> the receiver has the request. Target: p99 < 250 ms.
When PostgreSQL is reachable (`BENCH_POSTGRES_URL`) all three are measured again on a new PostgreSQL
database (the worker then claims with `FOR UPDATE SKIP LOCKED`), reported separately.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import sys
import tempfile
import textwrap
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx
from sqlalchemy import func, select

from probation_shared.db import Database
from probation_shared.events import new_event
from probation_shared.logging import configure_logging
from probation_shared.migrations import upgrade

from .harness import postgres_database

RECEIVER = textwrap.dedent(
    r"""
    import asyncio, json, sys, time
    arrivals = {}

    async def serve(reader, writer):
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                lines = head.decode("latin-1").split("\r\n")
                headers = {k.lower(): v.strip() for k, _, v in (l.partition(":") for l in lines[1:] if l)}
                length = int(headers.get("content-length", "0"))
                if length:
                    await reader.readexactly(length)
                if lines[0].startswith("GET /stats"):
                    body = json.dumps(arrivals).encode()
                    head = b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: %d\r\n\r\n"
                    writer.write(head % len(body) + body)
                elif lines[0].startswith("POST /reset"):
                    arrivals.clear()
                    writer.write(b"HTTP/1.1 204 No Content\r\ncontent-length: 0\r\n\r\n")
                else:
                    arrivals[headers.get("webhook-id", "")] = time.time()
                    writer.write(b"HTTP/1.1 204 No Content\r\ncontent-length: 0\r\n\r\n")
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    async def main():
        server = await asyncio.start_server(serve, "127.0.0.1", 0, backlog=1024)
        print(server.sockets[0].getsockname()[1], flush=True)
        await server.serve_forever()

    asyncio.run(main())
    """
)

QUEUED = 6_000
PEOPLE = 3_000
CONCURRENCY = 8  # httpx's pool slows sharply beyond a handful of concurrent requests (measured here)
LATENCY_SECONDS = 5.0


def settings_for(url: str):
    from webhooks.settings import WebhooksSettings

    return WebhooksSettings(
        database_url=url,
        allow_insecure_endpoints=True,
        endpoint_allowlist=["127.0.0.1/32"],
        delivery_concurrency=CONCURRENCY,
        per_endpoint_concurrency=CONCURRENCY,
        delivery_batch_size=256,
        delivery_poll_seconds=0.05,
        log_json=True,
        log_level="WARNING",
    )


async def baseline(url: str, body: bytes, headers: dict, seconds: float = 3.0) -> float:
    limits = httpx.Limits(max_connections=CONCURRENCY, max_keepalive_connections=CONCURRENCY)
    async with httpx.AsyncClient(timeout=10, follow_redirects=False, trust_env=False, limits=limits) as client:
        deadline = time.perf_counter() + seconds
        count = 0

        async def loop() -> None:
            nonlocal count
            while time.perf_counter() < deadline:
                response = await client.post(url, content=body, headers=headers)
                assert response.status_code == 204
                count += 1

        started = time.perf_counter()
        await asyncio.gather(*(loop() for _ in range(CONCURRENCY)))
        return count / (time.perf_counter() - started)


def notification(provider: str, crn: str, n: int):
    return new_event(
        "intervention.partner-notification.created",
        crn=crn,
        additional_information={
            "providerId": provider,
            "notificationType": "intervention.referral.amended",
            "payload": {"referralReference": f"AB{n:06d}", "status": "ASSIGNED", "note": "x" * 200},
        },
    )


async def delivered_count(database: Database) -> int:
    from webhooks.db.models import Delivery

    async with database.unit_of_work(read_only=True) as session:
        return (
            await session.execute(select(func.count()).select_from(Delivery).where(Delivery.status == "DELIVERED"))
        ).scalar_one()


async def run(report) -> None:

    configure_logging("WARNING", True)
    receiver = await asyncio.create_subprocess_exec(sys.executable, "-c", RECEIVER, stdout=asyncio.subprocess.PIPE)
    try:
        port = int(await receiver.stdout.readline())
        target = f"http://127.0.0.1:{port}/hook"
        await _bench(report, target, port)
        async with postgres_database("bench_webhooks") as pg_url:
            if pg_url:
                await _bench(report, target, port, pg_url)
    finally:
        receiver.terminate()
        await receiver.wait()


async def _bench(report, target: str, port: int, postgres_url: str | None = None) -> None:
    """Every figure on SQLite, or (`postgres_url`) on PostgreSQL, reported with " (PostgreSQL)"."""
    from webhooks.db.models import Delivery
    from webhooks.delivery_worker import DeliveryWorker
    from webhooks.domain.signing import new_secret, signed_headers
    from webhooks.service import SPEC
    from webhooks.workflows import endpoints as endpoint_workflow
    from webhooks.workflows.messages import on_partner_notification

    on = " (PostgreSQL)" if postgres_url else ""
    with tempfile.TemporaryDirectory(prefix="bench-webhooks-") as tmp:
        url = postgres_url or f"sqlite+aiosqlite:///{Path(tmp) / 'webhooks.db'}"
        await asyncio.to_thread(upgrade, SPEC.migrations_dir, url)
        settings = settings_for(url)
        database = Database(url)

        sample = notification("P1", "X000001", 0)
        body = json.dumps(
            {
                "type": "intervention.referral.amended",
                "timestamp": sample.occurredAt.isoformat(),
                "data": sample.additionalInformation["payload"],
            },
            separators=(",", ":"),
        ).encode()
        raw = await baseline(target, body, signed_headers([new_secret()], "msg_baseline", body, datetime.now(UTC)))
        report(f"raw httpx client, same bodies, {CONCURRENCY} concurrent (baseline){on}", raw, "req/s")

        async with database.unit_of_work() as session:
            for provider in ("P1", "P2"):
                await endpoint_workflow.register(session, settings, provider, target, None, None, None)
        n = 0
        while n < QUEUED:
            async with database.unit_of_work() as session:
                for _ in range(500):
                    provider = "P1" if n % 2 == 0 else "P2"
                    await on_partner_notification(session, notification(provider, f"X{(n // 2) % PEOPLE:06d}", n))
                    n += 1

        worker = DeliveryWorker(settings, database)
        started = time.perf_counter()
        task = asyncio.create_task(worker.run())
        while await delivered_count(database) < QUEUED:  # noqa: ASYNC110 (polling the database)
            await asyncio.sleep(0.05)
        rate = QUEUED / (time.perf_counter() - started)
        report(f"sustained deliveries ({QUEUED:,} queued, sign + vet + send + record){on}", rate, "deliveries/s")
        ratio = rate / raw
        report(f"deliveries / raw client rate{on}", ratio * 100, "%", target=">= 50%", met=ratio >= 0.5)
        report(f"sustained deliveries{on}", rate, "deliveries/s", target=">= 1,000/s", met=rate >= 1000)

        # Latency at half the sustained rate.
        half = rate / 2
        async with httpx.AsyncClient() as control:
            await control.post(f"http://127.0.0.1:{port}/reset")
        sent_at: dict[str, float] = {}
        interval = 0.01
        per_tick = max(1, round(half * interval))
        deadline = time.perf_counter() + LATENCY_SECONDS
        k = 0
        next_tick = time.perf_counter()
        while time.perf_counter() < deadline:
            # One transaction per tick, as the consumer handles the messages that arrive together.
            sent = time.time()
            async with database.unit_of_work() as session:
                events = []
                began = deadline - LATENCY_SECONDS
                for _ in range(max(per_tick, int(half * (time.perf_counter() - began)) - k)):  # keep to the rate
                    events.append(notification("P1" if k % 2 == 0 else "P2", f"L{k % PEOPLE:06d}", k))
                    await on_partner_notification(session, events[-1])
                    k += 1
                ids = (
                    await session.scalars(
                        select(Delivery.id).where(Delivery.source_event_id.in_([str(e.eventId) for e in events]))
                    )
                ).all()
            for message_id in ids:
                sent_at[message_id] = sent
            next_tick += interval
            await asyncio.sleep(max(0.0, next_tick - time.perf_counter()))
        offered = k / LATENCY_SECONDS
        while await delivered_count(database) < QUEUED + len(sent_at):  # noqa: ASYNC110
            await asyncio.sleep(0.05)
        await worker.stop()
        await task
        async with httpx.AsyncClient() as control:
            arrivals = (await control.get(f"http://127.0.0.1:{port}/stats")).json()
        latencies = sorted((arrivals[i] - sent_at[i]) * 1000 for i in sent_at if i in arrivals)
        p50 = statistics.median(latencies)
        p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
        report(f"offered notification rate (half the sustained rate){on}", offered, "notifications/s")
        report(f"notification -> delivery p50{on}", p50, "ms")
        report(f"notification -> delivery p99{on}", p99, "ms", target="< 250 ms", met=p99 < 250)
        await database.dispose()
