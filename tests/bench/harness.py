"""What benchmarks share: a report of figures against targets, throughput/latency measurement, and the
markdown/JSON written by `make bench`.

Every judged figure is a ratio (or a latency) measured in one run against a baseline measured beside it;
`Report.ratio` prints the figure, its baseline, the ratio, the target and met / not met together.
`BENCH_QUICK=1` shortens every timed phase (for trying; the figures are noisier).
"""

from __future__ import annotations

import asyncio
import json
import os
import platform
import re
import statistics
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

QUICK = os.environ.get("BENCH_QUICK", "") not in ("", "0")


def scaled(value: float, quick: float) -> float:
    """`value` normally, `quick` under BENCH_QUICK=1."""
    return quick if QUICK else value


@dataclass
class Figure:
    label: str
    value: float
    unit: str
    target: str | None = None
    met: bool | None = None
    baseline: str | None = None
    section: str = ""


@dataclass
class Report:
    figures: list[Figure] = field(default_factory=list)
    section: str = ""
    notes: list[str] = field(default_factory=list)

    def __call__(
        self,
        label: str,
        value: float,
        unit: str,
        *,
        target: str | None = None,
        met: bool | None = None,
        baseline: str | None = None,
    ) -> None:
        figure = Figure(label, value, unit, target, met, baseline, self.section)
        self.figures.append(figure)
        verdict = "" if met is None else ("  [target met]" if met else "  [TARGET MISSED]")
        goal = f"  (target {target})" if target else ""
        print(f"   {label:<60} {value:>12,.2f} {unit}{goal}{verdict}", flush=True)

    def ratio(
        self, label: str, value: float, baseline: float, unit: str, *, baseline_label: str, target: float
    ) -> float:
        """`value` as a percentage of `baseline` (same unit, same run), judged against `target` (a fraction)."""
        ratio = value / baseline if baseline else 0.0
        self(
            label,
            ratio * 100,
            "%",
            target=f">= {target * 100:.0f}%",
            met=ratio >= target,
            baseline=f"{value:,.0f} vs {baseline:,.0f} {unit} ({baseline_label})",
        )
        return ratio

    def note(self, text: str) -> None:
        self.notes.append(f"{self.section}: {text}" if self.section else text)
        print(f"   note: {text}", flush=True)

    def summary(self) -> None:
        judged = [f for f in self.figures if f.met is not None]
        if judged:
            missed = [f.label for f in judged if not f.met]
            print(
                f"\n{len(judged) - len(missed)} of {len(judged)} targets met"
                + (f"; missed: {', '.join(missed)}" if missed else "")
            )

    # -- output ------------------------------------------------------------------------------------

    def machine(self) -> dict:
        return {
            "cores": os.cpu_count(),
            "python": platform.python_version(),
            "implementation": platform.python_implementation(),
            "platform": platform.platform(),
            "database": "SQLite (file, WAL)" + (" and PostgreSQL" if postgres_server() else ""),
            "server": server_note(),
            "quick": QUICK,
            "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "command": "BENCH_QUICK=1 make bench" if QUICK else "make bench",
        }

    def markdown(self, machine: dict) -> str:
        lines = [
            f"Measured by `{machine['command']}` at {machine['measured_at']} on {machine['cores']} cores, "
            f"{machine['implementation']} {machine['python']}, {machine['database']}, {machine['server']}.",
            "",
            "| figure | measured | baseline (same run) | target | verdict |",
            "|---|---|---|---|---|",
        ]
        for f in self.figures:
            value = f"{f.value:,.1f} {f.unit}" if f.unit != "%" else f"{f.value:.1f} %"
            verdict = "" if f.met is None else ("met" if f.met else "**not met**")
            label = f"{f.section}: {f.label}" if f.section else f.label
            lines.append(f"| {label} | {value} | {f.baseline or ''} | {f.target or ''} | {verdict} |")
        if self.notes:
            lines += ["", *[f"- {n}" for n in self.notes]]
        return "\n".join(lines) + "\n"

    def write(self, folder: Path, readme: Path | None) -> None:
        machine = self.machine()
        table = self.markdown(machine)
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "benchmarks.md").write_text(
            "# Benchmarks\n\nWritten by `make bench` (tests/bench); each ratio is measured against a baseline "
            "measured beside it in the same run. See docs/performance.md for where the time goes.\n\n" + table
        )
        (folder / "benchmarks.json").write_text(
            json.dumps(
                {"machine": machine, "figures": [asdict(f) for f in self.figures], "notes": self.notes}, indent=2
            )
            + "\n"
        )
        if readme is not None and readme.exists():
            text = readme.read_text()
            pattern = re.compile(r"(<!-- bench:start -->\n).*?(<!-- bench:end -->)", re.S)
            if pattern.search(text):
                readme.write_text(pattern.sub(lambda m: m.group(1) + table + m.group(2), text))
        print(f"\nwrote {folder / 'benchmarks.md'} and {folder / 'benchmarks.json'}", flush=True)


def postgres_server() -> str | None:
    """The PostgreSQL server the benchmarks also run on (`BENCH_POSTGRES_URL`, else the tests' variable)."""
    return os.environ.get("BENCH_POSTGRES_URL") or os.environ.get("PLATFORM_TEST_POSTGRES_URL") or None


@asynccontextmanager
async def postgres_database(name: str) -> AsyncIterator[str | None]:
    """A new PostgreSQL database for one benchmark (dropped afterwards), or None when no server is reachable."""
    server = postgres_server()
    if not server:
        yield None
        return
    import asyncpg  # noqa: PLC0415

    dsn = server.replace("postgresql+asyncpg://", "postgresql://")
    db_name = f"{name}_{uuid.uuid4().hex[:8]}"
    try:
        admin = await asyncio.wait_for(asyncpg.connect(dsn), 5)
    except (OSError, TimeoutError, asyncpg.PostgresError) as exc:
        print(f"   PostgreSQL at {server} not reachable ({type(exc).__name__}): its figures are skipped", flush=True)
        yield None
        return
    try:
        await admin.execute(f'CREATE DATABASE "{db_name}"')
    finally:
        await admin.close()
    try:
        yield f"{server.rsplit('/', 1)[0]}/{db_name}"
    finally:
        admin = await asyncpg.connect(dsn)
        try:
            await admin.execute(f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)')
        finally:
            await admin.close()


def server_note() -> str:
    try:
        import httptools  # noqa: F401, PLC0415
        import uvloop  # noqa: F401, PLC0415

        return "uvicorn with uvloop + httptools"
    except ImportError:
        return "uvicorn on asyncio + h11 (uvloop/httptools not installed)"


async def throughput(call: Callable[[], Awaitable[object]], *, seconds: float = 3.0, concurrency: int = 16) -> float:
    """Calls per second of `call`, run by `concurrency` loops for about `seconds` (shortened by BENCH_QUICK)."""
    seconds = min(seconds, 1.0) if QUICK else seconds
    deadline = time.perf_counter() + seconds
    count = 0

    async def loop() -> None:
        nonlocal count
        while time.perf_counter() < deadline:
            await call()
            count += 1

    started = time.perf_counter()
    await asyncio.gather(*(loop() for _ in range(concurrency)))
    return count / (time.perf_counter() - started)


async def latencies(call: Callable[[], Awaitable[object]], *, samples: int = 200) -> dict[str, float]:
    """p50/p99 in milliseconds of `samples` sequential calls."""
    samples = min(samples, 50) if QUICK else samples
    times = []
    for _ in range(samples):
        started = time.perf_counter()
        await call()
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return {"p50": statistics.median(times), "p99": times[min(len(times) - 1, int(len(times) * 0.99))]}


__all__ = [
    "QUICK",
    "Report",
    "latencies",
    "postgres_database",
    "postgres_server",
    "scaled",
    "server_note",
    "throughput",
]
