"""Periodic background jobs (webhook delivery, daily handovers...): run beside the relay and the
consumers, in the API process or the worker process alike."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from .logging import get_logger

log = get_logger(__name__)


class PeriodicJob:
    def __init__(
        self,
        name: str,
        interval_seconds: float,
        tick: Callable[[], Awaitable[Any]],
        on_stop: Callable[[], Awaitable[Any]] | None = None,
    ) -> None:
        self.name = name
        self.interval_seconds = interval_seconds
        self.tick = tick
        self.on_stop = on_stop  # releases what the job holds (clients, connections)
        self._stopping = asyncio.Event()

    async def run(self) -> None:
        try:
            while not self._stopping.is_set():
                try:
                    await self.tick()
                except asyncio.CancelledError:
                    raise
                except Exception as exc:  # one bad tick must not end the job
                    log.exception("job_failed", job=self.name, error=repr(exc))
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._stopping.wait(), self.interval_seconds)
        finally:
            if self.on_stop is not None:
                await self.on_stop()  # after the last tick, never under one

    async def stop(self) -> None:
        self._stopping.set()


class Job(Protocol):
    """What the service runs beside the relay and consumers: a PeriodicJob, or any loop with the same two calls."""

    async def run(self) -> None: ...

    async def stop(self) -> None: ...


# A job is built from the running service's settings, database and metrics.
JobFactory = Callable[[Any, Any, Any], Job]
