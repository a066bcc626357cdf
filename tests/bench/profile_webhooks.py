"""Where a webhook delivery's time goes: cProfile of the delivery worker over the benchmark's sustained phase.

    .venv/bin/python -m tests.bench.profile_webhooks [N]

Queues N messages (default 6,000; two endpoints, as bench_webhooks) to the same loopback receiver, then
runs the delivery worker under cProfile until every one is delivered, and prints the functions with the
most cumulative and own time. `PROFILE_CPU_ONLY=1`: no profiler, just this process's CPU time per
delivery (steadier than the rate on a shared machine). Not a benchmark: the profiler slows everything.
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

from .bench_webhooks import PEOPLE, RECEIVER, delivered_count, notification, settings_for

CPU_ONLY = os.environ.get("PROFILE_CPU_ONLY", "") not in ("", "0")


async def main(n: int) -> None:
    from webhooks.delivery_worker import DeliveryWorker
    from webhooks.service import SPEC
    from webhooks.workflows import endpoints as endpoint_workflow
    from webhooks.workflows.messages import on_partner_notification

    configure_logging("WARNING", True)
    receiver = await asyncio.create_subprocess_exec(sys.executable, "-c", RECEIVER, stdout=asyncio.subprocess.PIPE)
    try:
        assert receiver.stdout is not None
        target = f"http://127.0.0.1:{int(await receiver.stdout.readline())}/hook"
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
            if not CPU_ONLY:
                profiler.enable()
            task = asyncio.create_task(worker.run())
            while await delivered_count(database) < n:  # noqa: ASYNC110 (polling the database)
                await asyncio.sleep(0.05)
            if not CPU_ONLY:
                profiler.disable()
            cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
            await worker.stop()
            await task
            await database.dispose()
    finally:
        receiver.terminate()
        await receiver.wait()
    print(f"{n} deliveries in {wall:.2f}s ({n / wall:.0f}/s), CPU {cpu * 1000 / n:.3f} ms per delivery")
    if not CPU_ONLY:
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
        runner.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 6_000))
