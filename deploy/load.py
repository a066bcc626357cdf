"""`make load`: a bounded, loopback-only load run against the embedded platform (`make run` in another terminal).

A steady mix of realistic calls across the services (new people and sentences, reads of people, queues,
cases, tiers and the intervention catalogue, referral drafts), at a fixed rate for a fixed time, then a report:
per call the count, error rate (5xx and transport errors; 4xx counted apart) and p50/p99 latency, and the
lag of downstream effects: how long after `POST /people` risk-assessment knows the person (over Kafka), and
after `POST /people/{crn}/sentences` the tier is calculated.

    .venv/bin/python deploy/load.py --rate 20 --duration 120

Bounded: at most --max-in-flight requests at once (a tick that finds them all busy is counted as skipped,
never queued), --duration at most 15 minutes, and only 127.0.0.1/localhost targets. Not part of the tests.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from deploy import registry  # noqa: E402
from probation_shared.auth import mint_token  # noqa: E402

MAX_DURATION = 15 * 60
LOOPBACK = {"127.0.0.1", "localhost", "::1"}
PDU, STAFF = "NE01", "NE01T1S01"
INTERVENTION = "7b0c6f0e-0000-4000-8000-000000000001"


@dataclass
class Stats:
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    client_errors: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    lags: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    lag_missing: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    skipped: int = 0


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


class Load:
    def __init__(self, urls: dict[str, str], private_key: bytes, stats: Stats, lag_timeout: float) -> None:
        self.urls = urls
        self.stats = stats
        self.lag_timeout = lag_timeout
        self.people: list[str] = []
        self.cases: list[int] = []
        self.lag_tasks: set[asyncio.Task] = set()
        scope = {"staff_code": STAFF, "pdu": PDU, "region": "NE"}

        def auth(role: str, **claims) -> dict[str, str]:
            token = mint_token(
                private_key, subject=f"load-{role.lower()}", roles=[role], lifetime_seconds=MAX_DURATION + 600, **claims
            )
            return {"Authorization": f"Bearer {token}", "X-Access-Reason": "load test"}

        self.practitioner = auth("PROBATION_PRACTITIONER", **scope)
        self.spo = auth("SENIOR_PROBATION_OFFICER", **scope)
        self.service = auth("SERVICE")
        self.client = httpx.AsyncClient(timeout=30, limits=httpx.Limits(max_connections=100))

    async def call(
        self, name: str, method: str, service: str, path: str, headers: dict, **kwargs
    ) -> httpx.Response | None:
        started = time.perf_counter()
        try:
            response = await self.client.request(method, self.urls[service] + path, headers=headers, **kwargs)
        except httpx.HTTPError:
            self.stats.errors[name] += 1
            self.stats.latencies[name].append(time.perf_counter() - started)
            return None
        self.stats.latencies[name].append(time.perf_counter() - started)
        if response.status_code >= 500:
            self.stats.errors[name] += 1
        elif response.status_code >= 400:
            self.stats.client_errors[name] += 1
        return response

    def _watch(self, name: str, service: str, path: str, since: float) -> None:
        task = asyncio.create_task(self._lag(name, service, path, since))
        self.lag_tasks.add(task)
        task.add_done_callback(self.lag_tasks.discard)

    async def _lag(self, name: str, service: str, path: str, since: float) -> None:
        deadline = since + self.lag_timeout
        while time.perf_counter() < deadline:
            try:
                response = await self.client.get(self.urls[service] + path, headers=self.service)
                if response.status_code == 200:
                    self.stats.lags[name].append(time.perf_counter() - since)
                    return
            except httpx.HTTPError:
                pass
            await asyncio.sleep(0.1)
        self.stats.lag_missing[name] += 1

    # --- the mix ---------------------------------------------------------------------------------

    async def new_person(self) -> None:
        body = {
            "first_name": "Load",
            "last_name": f"Person{random.randint(1, 10**9)}",
            "date_of_birth": "1987-06-05",
            "sex": random.choice(["MALE", "FEMALE"]),
        }
        response = await self.call("POST /people", "POST", "case-allocation", "/people", self.practitioner, json=body)
        if response is not None and response.status_code == 201:
            crn = response.json()["crn"]
            self.people.append(crn)
            self._watch("person known to risk-assessment", "risk-assessment", f"/people/{crn}", time.perf_counter())

    async def new_sentence(self) -> None:
        if not self.people:
            return await self.new_person()
        crn = random.choice(self.people)
        body = {
            "conviction_date": "2026-01-05",
            "offences": [{"code": "02801", "main": True}],
            "sentence_type": "COMMUNITY_ORDER",
            "sentence_date": "2026-01-05",
            "length": {"value": 12, "unit": "MONTHS"},
            "pdu_code": PDU,
            "requirements": [{"requirement_type": "UPW", "length": 120}],
        }
        response = await self.call(
            "POST /people/{crn}/sentences",
            "POST",
            "case-allocation",
            f"/people/{crn}/sentences",
            self.practitioner,
            json=body,
        )
        if response is not None and response.status_code == 201:
            if response.json().get("case_id"):
                self.cases.append(response.json()["case_id"])
            self._watch("tier calculated", "risk-assessment", f"/people/{crn}/tier", time.perf_counter())

    async def read_person(self) -> None:
        if self.people:
            await self.call(
                "GET /people/{crn}",
                "GET",
                "case-allocation",
                f"/people/{random.choice(self.people)}",
                self.practitioner,
            )

    async def read_queue(self) -> None:
        await self.call("GET /pdus/{pdu}/queue", "GET", "case-allocation", f"/pdus/{PDU}/queue", self.spo)

    async def read_case(self) -> None:
        if self.cases:
            await self.call(
                "GET /cases/{id}", "GET", "case-allocation", f"/cases/{random.choice(self.cases)}", self.spo
            )

    async def read_tier(self) -> None:
        if self.people:
            await self.call(
                "GET /people/{crn}/tier",
                "GET",
                "risk-assessment",
                f"/people/{random.choice(self.people)}/tier",
                self.practitioner,
            )

    async def browse(self) -> None:
        await self.call("GET /interventions", "GET", "refer-monitor", "/interventions", self.practitioner)

    async def draft_referral(self) -> None:
        if self.people:
            body = {
                "crn": random.choice(self.people),
                "intervention_id": INTERVENTION,
                "desired_outcomes": ["Stable housing"],
                "needs": ["accommodation"],
            }
            await self.call("POST /referrals", "POST", "refer-monitor", "/referrals", self.practitioner, json=body)

    MIX = [
        ("new_person", 2),
        ("new_sentence", 2),
        ("read_person", 5),
        ("read_queue", 2),
        ("read_case", 2),
        ("read_tier", 3),
        ("browse", 2),
        ("draft_referral", 1),
    ]


async def run(args) -> int:
    urls = {
        s.name: f"http://127.0.0.1:{args.base_port + s.port - registry.SERVICES[0].port}" for s in registry.SERVICES
    }
    urls.update(dict(item.split("=", 1) for item in args.url))
    for url in urls.values():
        if urlparse(url).hostname not in LOOPBACK:
            raise SystemExit("load runs against loopback only")
    key = args.private_key or args.state_dir / "keys" / "private.pem"
    if not key.exists():
        raise SystemExit(f"{key} not found: start the platform first (make run)")
    stats = Stats()
    load = Load(urls, key.read_bytes(), stats, args.lag_timeout)
    async with load.client:
        for name in ("case-allocation", "risk-assessment", "refer-monitor"):
            try:
                (await load.client.get(urls[name] + "/health/liveness")).raise_for_status()
            except httpx.HTTPError as exc:
                raise SystemExit(
                    f"{name} at {urls[name]} is not up ({exc!r}): start the platform first (make run)"
                ) from exc
        names, weights = zip(*Load.MIX, strict=True)
        rng = random.Random(args.seed)
        in_flight: set[asyncio.Task] = set()
        interval = 1 / args.rate
        started = time.perf_counter()
        ticks = 0
        print(f"load: {args.rate} req/s for {args.duration}s against {', '.join(f'{n} {u}' for n, u in urls.items())}")
        while (now := time.perf_counter()) - started < args.duration:
            ticks += 1
            if len(in_flight) >= args.max_in_flight:
                stats.skipped += 1
            else:
                task = asyncio.create_task(getattr(load, rng.choices(names, weights)[0])())
                in_flight.add(task)
                task.add_done_callback(in_flight.discard)
            await asyncio.sleep(max(0.0, started + ticks * interval - time.perf_counter()))
        elapsed = now - started
        await asyncio.gather(*in_flight, return_exceptions=True)
        await asyncio.gather(*list(load.lag_tasks), return_exceptions=True)
    report(stats, elapsed)
    return 0


def report(stats: Stats, elapsed: float) -> None:
    total = sum(len(v) for v in stats.latencies.values())
    errors = sum(stats.errors.values())
    rate = errors / max(total, 1)
    print(
        f"\n{total} calls in {elapsed:.0f}s ({total / elapsed:.1f}/s), error rate {rate:.2%} (5xx + "
        f"transport), {stats.skipped} ticks skipped"
    )
    print(f"{'call':34} {'count':>6} {'5xx/err':>8} {'4xx':>5} {'p50 ms':>8} {'p99 ms':>8}")
    for name in sorted(stats.latencies):
        values = stats.latencies[name]
        p50, p99 = percentile(values, 50) * 1000, percentile(values, 99) * 1000
        print(
            f"{name:34} {len(values):>6} {stats.errors[name]:>8} {stats.client_errors[name]:>5} {p50:>8.1f} {p99:>8.1f}"
        )
    print(f"\n{'downstream effect':34} {'seen':>6} {'missing':>8} {'p50 ms':>8} {'p99 ms':>8}")
    for name in sorted(set(stats.lags) | set(stats.lag_missing)):
        values = stats.lags[name]
        print(
            f"{name:34} {len(values):>6} {stats.lag_missing[name]:>8} "
            f"{percentile(values, 50) * 1000:>8.1f} {percentile(values, 99) * 1000:>8.1f}"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Bounded loopback load run against the embedded platform (make run)")
    parser.add_argument("--rate", type=float, default=20.0, help="requests per second (steady), at most 500")
    parser.add_argument("--duration", type=float, default=120.0, help=f"seconds, at most {MAX_DURATION}")
    parser.add_argument("--max-in-flight", type=int, default=50)
    parser.add_argument(
        "--lag-timeout", type=float, default=30.0, help="give up on a downstream effect after this many seconds"
    )
    parser.add_argument("--base-port", type=int, default=8001)
    parser.add_argument("--state-dir", type=Path, default=ROOT / ".run")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--url", action="append", default=[], metavar="SERVICE=URL", help="override one service's URL (loopback only)"
    )
    parser.add_argument("--private-key", type=Path, help="the dev signing key (default: <state-dir>/keys/private.pem)")
    args = parser.parse_args(argv)
    if not 0 < args.rate <= 500 or not 0 < args.duration <= MAX_DURATION or not 0 < args.max_in_flight <= 200:
        parser.error(f"rate must be in (0, 500], duration in (0, {MAX_DURATION}], max-in-flight in (0, 200]")
    return asyncio.run(run(args))


if __name__ == "__main__":
    raise SystemExit(main())
