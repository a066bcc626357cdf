"""Run every `bench_*.py` module here (or those named on the command line), print their figures and write
docs/benchmarks.md, docs/benchmarks.json and the README's table (between its bench markers).

Each module defines `async def run(report: Report) -> None`. `BENCH_QUICK=1` shortens every phase.
When run with module names (a subset), nothing is written unless `BENCH_WRITE=1`.
"""

from __future__ import annotations

import asyncio
import importlib
import os
import pkgutil
import sys
import time
from pathlib import Path

from .harness import Report

ROOT = Path(__file__).resolve().parents[2]


def main(names: list[str]) -> int:
    try:
        import uvloop  # the production loop (uvicorn[standard]); the in-process figures run on it too

        loop_factory = uvloop.new_event_loop
    except ImportError:
        loop_factory = None
    package = importlib.import_module("tests.bench")
    modules = sorted(m.name for m in pkgutil.iter_modules(package.__path__) if m.name.startswith("bench_"))
    chosen = [m for m in modules if not names or any(n in m for n in names)]
    report = Report()
    started_all = time.perf_counter()
    for name in chosen:
        print(f"\n== {name} ==", flush=True)
        started = time.perf_counter()
        report.section = name.removeprefix("bench_").replace("_", "-")
        module = importlib.import_module(f"tests.bench.{name}")
        with asyncio.Runner(loop_factory=loop_factory) as runner:
            runner.run(module.run(report))
        print(f"   ({time.perf_counter() - started:.1f}s)", flush=True)
    report.section = ""
    report.summary()
    print(f"total {time.perf_counter() - started_all:.0f}s", flush=True)
    if not names or os.environ.get("BENCH_WRITE"):
        report.write(ROOT / "docs", ROOT / "README.md")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
