"""Where a request's time goes: cProfile of one hot path, in-process, against a migrated SQLite file.

    .venv/bin/python -m tests.bench.profile_requests post-people|get-person|referrals|liveness [N]

Runs N requests (default 2,000) through httpx's ASGITransport with 16 concurrent loops and prints the
functions with the most cumulative and own time. `PROFILE_CPU_ONLY=1`: no profiler, just this process's
CPU time per request (steadier than rates on a shared machine: other processes' load does not count).
Not a benchmark (the profiler slows everything): it shows
the shares, which is what docs/performance.md records per figure.
"""

from __future__ import annotations

import asyncio
import cProfile
import io
import json
import os
import pstats
import sys
import tempfile
import time
from pathlib import Path

import httpx

from probation_shared.auth import Role, mint_token
from probation_shared.devkeys import generate_key_pair
from probation_shared.embedded_broker import EmbeddedBroker
from probation_shared.migrations import upgrade
from probation_shared.service import create_app

CPU_ONLY = os.environ.get("PROFILE_CPU_ONLY", "") not in ("", "0")
PERSON = {"first_name": "Ada", "last_name": "Example", "date_of_birth": "1990-01-31", "sex": "FEMALE"}


async def _app(spec, folder: Path, broker, **extra):
    url = f"sqlite+aiosqlite:///{folder / 'profile.db'}"
    await asyncio.to_thread(upgrade, spec.migrations_dir, url)
    private, public = generate_key_pair()
    (folder / "public.pem").write_bytes(public)
    (folder / "private.pem").write_bytes(private)
    settings = spec.settings(
        database_url=url,
        kafka_bootstrap_servers=broker.bootstrap_servers,
        auth_public_key_file=folder / "public.pem",
        auth_dev_private_key_file=folder / "private.pem",
        log_level="WARNING",
        log_json=False,
        run_workers=False,
        **extra,
    )
    return create_app(spec, settings), private


async def main(which: str, n: int) -> None:
    if which == "referrals":
        from refer_monitor.service import SPEC

        from .bench_refer_monitor import populate

        extra = {"case_allocation_url": "http://ca.test", "risk_assessment_url": "http://ra.test"}
    else:
        from case_allocation.service import SPEC

        extra = {}
    with tempfile.TemporaryDirectory() as tmp, EmbeddedBroker() as broker:
        app, private = await _app(SPEC, Path(tmp), broker, **extra)
        async with app.router.lifespan_context(app):
            client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://svc.test")
            if which == "referrals":
                await SPEC.seed(app.state.database, app.state.settings)
                await populate(app.state.database, 1_000)
                token = mint_token(
                    private,
                    subject="cw",
                    roles=[Role.PROVIDER_CASEWORKER.value],
                    provider_id="harbour-housing",
                    contract_refs=["ACC-NE-001"],
                )
            else:
                token = mint_token(private, subject="pp", roles=[Role.PRACTITIONER.value], staff_code="N07A001")
            headers = {"Authorization": f"Bearer {token}"}
            crn = None
            if which == "get-person":
                created = await client.post("/people", json=PERSON, headers=headers)
                crn = created.json()["crn"]

            async def call() -> None:
                if which == "post-people":
                    body = json.dumps(PERSON)
                    json_headers = headers | {"content-type": "application/json"}
                    r = await client.post("/people", content=body, headers=json_headers)
                    assert r.status_code == 201, r.text
                elif which == "get-person":
                    r = await client.get(f"/people/{crn}", headers=headers)
                    assert r.status_code == 200, r.text
                elif which == "referrals":
                    r = await client.get("/referrals", headers=headers)
                    assert r.status_code == 200, r.text
                else:
                    r = await client.get("/health/liveness")
                    assert r.status_code == 200

            for _ in range(50):
                await call()
            remaining = n

            async def loop() -> None:
                nonlocal remaining
                while remaining > 0:
                    remaining -= 1
                    await call()

            profile = cProfile.Profile()
            started, cpu = time.perf_counter(), time.process_time()
            if not CPU_ONLY:
                profile.enable()
            await asyncio.gather(*(loop() for _ in range(16)))
            profile.disable()
            elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
            await client.aclose()
    print(
        f"{which}: {n} requests in {elapsed:.2f}s{'' if CPU_ONLY else ' under the profiler'}, "
        f"{cpu / n * 1000:.2f} ms of this process's CPU each (client included)"
    )
    if CPU_ONLY:
        return
    for order in ("cumulative", "tottime"):
        out = io.StringIO()
        pstats.Stats(profile, stream=out).strip_dirs().sort_stats(order).print_stats(45)
        print(out.getvalue())


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 2_000))
