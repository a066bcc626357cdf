"""Where a webhook delivery's time goes: cProfile of the delivery worker over the benchmark's sustained phase.

    .venv/bin/python -m tests.bench.profile_webhooks [N] [RATE]

Queues N messages (default 6,000; two endpoints, as bench_webhooks) to the same loopback receiver, then
runs the delivery worker under cProfile until every one is delivered, and prints the functions with the
most cumulative and own time. With RATE: then, as the benchmark's latency phase, RATE notifications/s
for 5 s with the worker running (profiled instead of the sustained phase), and the latency p50/p99.
`PROFILE_CPU_ONLY=1`: no profiler, just this process's CPU time per delivery (steadier than the rate on
a shared machine). `PROFILE_OUT=file`: the raw stats too. Not a benchmark: the profiler slows everything.
"""

from __future__ import annotations

import asyncio
import cProfile
import io
import os
import pstats
import sys
import tempfile
import time
from pathlib import Path

from probation_shared.db import Database
from probation_shared.logging import configure_logging
from probation_shared.migrations import upgrade

from .bench_webhooks import LATENCY_SECONDS, PEOPLE, RECEIVER, delivered_count, notification, settings_for

CPU_ONLY = os.environ.get("PROFILE_CPU_ONLY", "") not in ("", "0")


async def offer(database: Database, rate: float, port: int) -> list[float]:
    """The benchmark's latency phase: `rate` notifications/s, one transaction per 10 ms tick; the latencies."""
    import httpx
    from sqlalchemy import select

    from webhooks.db.models import Delivery
    from webhooks.workflows.messages import on_partner_notification

    sent_at: dict[str, float] = {}
    interval, k = 0.01, 0
    per_tick = max(1, round(rate * interval))
    began = time.perf_counter()
    deadline, next_tick = began + LATENCY_SECONDS, began
    while time.perf_counter() < deadline:
        sent = time.time()
        async with database.unit_of_work() as session:
            events = []
            for _ in range(max(per_tick, int(rate * (time.perf_counter() - began)) - k)):
                events.append(notification("P1" if k % 2 == 0 else "P2", f"L{k % PEOPLE:06d}", k))
                await on_partner_notification(session, events[-1])
                k += 1
            query = select(Delivery.id).where(Delivery.source_event_id.in_([str(e.eventId) for e in events]))
            ids = (await session.scalars(query)).all()
        for message_id in ids:
            sent_at[message_id] = sent
        next_tick += interval
        await asyncio.sleep(max(0.0, next_tick - time.perf_counter()))
    async with httpx.AsyncClient() as control:
        while len(arrivals := (await control.get(f"http://127.0.0.1:{port}/stats")).json()) < len(sent_at):  # noqa: ASYNC110
            await asyncio.sleep(0.05)
    return sorted((arrivals[i] - sent_at[i]) * 1000 for i in sent_at)


async def main(n: int, rate: float | None) -> None:
    import httpx

    from webhooks.delivery_worker import DeliveryWorker
    from webhooks.service import SPEC
    from webhooks.workflows import endpoints as endpoint_workflow
    from webhooks.workflows.messages import on_partner_notification

    configure_logging("WARNING", True)
    receiver = await asyncio.create_subprocess_exec(sys.executable, "-c", RECEIVER, stdout=asyncio.subprocess.PIPE)
    try:
        assert receiver.stdout is not None
        port = int(await receiver.stdout.readline())
        target = f"http://127.0.0.1:{port}/hook"
        with tempfile.TemporaryDirectory(prefix="profile-webhooks-") as tmp:
            url = f"sqlite+aiosqlite:///{Path(tmp) / 'webhooks.db'}"
            await asyncio.to_thread(upgrade, SPEC.migrations_dir, url)
            settings = settings_for(url)
            database = Database(url)
            async with database.unit_of_work() as session:
                for provider in ("P1", "P2"):
                    await endpoint_workflow.register(session, settings, provider, target, None, None, None)
            k = 0
            while k < n:
                async with database.unit_of_work() as session:
                    for _ in range(min(500, n - k)):
                        provider = "P1" if k % 2 == 0 else "P2"
                        await on_partner_notification(session, notification(provider, f"X{(k // 2) % PEOPLE:06d}", k))
                        k += 1
            worker = DeliveryWorker(settings, database)
            profiler = cProfile.Profile()
            cpu, wall = time.process_time(), time.perf_counter()
            if not CPU_ONLY and rate is None:
                profiler.enable()
            task = asyncio.create_task(worker.run())
            while await delivered_count(database) < n:  # noqa: ASYNC110 (polling the database)
                await asyncio.sleep(0.05)
            profiler.disable()
            cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
            if rate is not None:
                async with httpx.AsyncClient() as control:
                    await control.post(f"http://127.0.0.1:{port}/reset")
                if not CPU_ONLY:
                    profiler.enable()
                latencies = await offer(database, rate, port)
                profiler.disable()
            await worker.stop()
            await task
            await database.dispose()
    finally:
        receiver.terminate()
        await receiver.wait()
    print(f"{n} deliveries in {wall:.2f}s ({n / wall:.0f}/s), CPU {cpu * 1000 / n:.3f} ms per delivery")
    if rate is not None:
        p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
        print(f"{len(latencies)} at {rate:g}/s: p50 {latencies[len(latencies) // 2]:.1f} ms, p99 {p99:.1f} ms")
    if not CPU_ONLY:
        if os.environ.get("PROFILE_OUT"):
            profiler.dump_stats(os.environ["PROFILE_OUT"])  # for pstats / snakeviz
        for order in ("cumulative", "tottime"):
            out = io.StringIO()
            pstats.Stats(profiler, stream=out).sort_stats(order).print_stats(45)
            print(out.getvalue())


if __name__ == "__main__":
    try:
        import uvloop

        loop_factory = uvloop.new_event_loop
    except ImportError:
        loop_factory = None
    with asyncio.Runner(loop_factory=loop_factory) as runner:
        args = sys.argv[1:]
        runner.run(main(int(args[0]) if args else 6_000, float(args[1]) if len(args) > 1 else None))
