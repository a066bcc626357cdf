"""What benchmarks share: a report of figures against targets, and throughput/latency measurement."""

from __future__ import annotations

import asyncio
import statistics
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field


@dataclass
class Figure:
    label: str
    value: float
    unit: str
    target: str | None = None
    met: bool | None = None


@dataclass
class Report:
    figures: list[Figure] = field(default_factory=list)

    def __call__(
        self, label: str, value: float, unit: str, *, target: str | None = None, met: bool | None = None
    ) -> None:
        figure = Figure(label, value, unit, target, met)
        self.figures.append(figure)
        verdict = "" if met is None else ("  [target met]" if met else "  [TARGET MISSED]")
        goal = f"  (target {target})" if target else ""
        print(f"   {label:<60} {value:>12,.2f} {unit}{goal}{verdict}", flush=True)

    def summary(self) -> None:
        judged = [f for f in self.figures if f.met is not None]
        if judged:
            missed = [f.label for f in judged if not f.met]
            print(
                f"\n{len(judged) - len(missed)} of {len(judged)} targets met"
                + (f"; missed: {', '.join(missed)}" if missed else "")
            )


async def throughput(call: Callable[[], Awaitable[object]], *, seconds: float = 3.0, concurrency: int = 16) -> float:
    """Calls per second of `call`, run by `concurrency` loops for about `seconds`."""
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
    times = []
    for _ in range(samples):
        started = time.perf_counter()
        await call()
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return {"p50": statistics.median(times), "p99": times[min(len(times) - 1, int(len(times) * 0.99))]}
