"""Where refer-monitor's time goes on address changes: cProfile of its consumer, in-process, no broker.

    .venv/bin/python -m tests.bench.profile_address_changes [BATCHES]

The bench's 1,000 people (two active referrals each, three providers), and BATCHES fetched batches
(default 5) of 200 `probation-case.address.updated` records handed to the consumer's `handle_batch`, as
its poll loop does; each change's detailUrl is served by the bench's in-process stand-in for
case-allocation (so its cost is counted here too). Prints the functions with the most cumulative and own
time. `PROFILE_CPU_ONLY=1`: no profiler, just this process's CPU time per change (the steady figure on a
shared machine). Not a benchmark: the offered rate, Kafka and the relay are in `bench_refer_monitor`.
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

import httpx
from aiokafka.structs import ConsumerRecord

from probation_shared.devkeys import generate_key_pair
from probation_shared.events import new_event
from probation_shared.events.consumer import EventConsumer
from probation_shared.migrations import upgrade
from probation_shared.service import create_app

from .bench_refer_monitor import CASE_URL, PEOPLE, crn_of, fake_case_allocation, populate

CPU_ONLY = os.environ.get("PROFILE_CPU_ONLY", "") not in ("", "0")
BATCH = 200  # the consumer's default max_records per fetch


async def main(batches: int) -> None:
    from refer_monitor.events.handlers import CASE_EVENTS
    from refer_monitor.service import SPEC

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        private, public = generate_key_pair()
        (folder / "public.pem").write_bytes(public)
        (folder / "private.pem").write_bytes(private)
        url = f"sqlite+aiosqlite:///{folder / 'profile.db'}"
        await asyncio.to_thread(upgrade, SPEC.migrations_dir, url)
        settings = SPEC.settings(
            database_url=url,
            kafka_bootstrap_servers="127.0.0.1:9",  # never contacted: records are handed in
            auth_public_key_file=folder / "public.pem",
            auth_dev_private_key_file=folder / "private.pem",
            case_allocation_url=CASE_URL,
            risk_assessment_url="http://risk-assessment.test",
            log_level="WARNING",
            log_json=False,
            run_workers=False,
        )
        app = create_app(SPEC, settings)
        addresses: dict[tuple[str, str], dict] = {}
        async with app.router.lifespan_context(app):
            app.state.http.mount({CASE_URL: httpx.ASGITransport(app=fake_case_allocation(addresses))})
            database = app.state.database
            await SPEC.seed(database, settings)
            await populate(database, PEOPLE)
            consumer = EventConsumer(settings, database, SPEC.tables, app.state.metrics, CASE_EVENTS)
            offset = 0

            def batch(round_: int) -> list[ConsumerRecord]:
                nonlocal offset
                records = []
                for i in range(BATCH):
                    crn, address_id = crn_of((round_ * BATCH + i) % PEOPLE), str(round_ + 2)
                    # A new address per round (the stand-in serves each by its id): every change is a change.
                    addresses[(crn, address_id)] = {"id": address_id, "status": "MAIN", "line1": f"{i} New Road"}
                    event = new_event(
                        "probation-case.address.updated",
                        crn=crn,
                        detail_url=f"{CASE_URL}/people/{crn}/addresses/{address_id}",
                        additional_information={"addressId": address_id},
                    )
                    value = event.model_dump_json().encode()
                    headers = [("eventType", event.eventType.encode())]
                    records.append(
                        ConsumerRecord("case", 0, offset, 0, 0, crn.encode(), value, None, 7, len(value), headers)
                    )
                    offset += 1
                return records

            await consumer.handle_batch(batch(0))  # warm-up
            prepared = [batch(r + 1) for r in range(batches)]
            profile = cProfile.Profile()
            started, cpu = time.perf_counter(), time.process_time()
            if not CPU_ONLY:
                profile.enable()
            for records in prepared:
                await consumer.handle_batch(records)
            profile.disable()
            elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    n = batches * BATCH
    print(
        f"address changes: {n} in {elapsed:.2f}s{'' if CPU_ONLY else ' under the profiler'}, "
        f"{cpu / n * 1000:.2f} ms of this process's CPU each (stand-in for case-allocation included)"
    )
    if CPU_ONLY:
        return
    for order in ("cumulative", "tottime"):
        out = io.StringIO()
        pstats.Stats(profile, stream=out).strip_dirs().sort_stats(order).print_stats(45)
        print(out.getvalue())


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 5))
