"""Run every `bench_*.py` module here (or those named on the command line) and print their figures.

Each module defines `async def run(report: Report) -> None`.
"""

from __future__ import annotations

import asyncio
import importlib
import pkgutil
import sys
import time

from .harness import Report


def main(names: list[str]) -> int:
    package = importlib.import_module("tests.bench")
    modules = sorted(m.name for m in pkgutil.iter_modules(package.__path__) if m.name.startswith("bench_"))
    chosen = [m for m in modules if not names or any(n in m for n in names)]
    report = Report()
    for name in chosen:
        print(f"\n== {name} ==", flush=True)
        started = time.perf_counter()
        module = importlib.import_module(f"tests.bench.{name}")
        asyncio.run(module.run(report))
        print(f"   ({time.perf_counter() - started:.1f}s)", flush=True)
    report.summary()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
