"""Background jobs: the daily OMiC handover, run wherever the workers run."""

from __future__ import annotations

import asyncio
import contextlib
from contextlib import asynccontextmanager
from datetime import date

from fastapi import FastAPI
from probation_shared.db import Database
from probation_shared.logging import get_logger

from .domain.sentencing import run_handover_job

log = get_logger(__name__)


async def handover_once(database: Database, on: date) -> list[str]:
    async with database.unit_of_work() as session:
        return await run_handover_job(session, on)


async def handover_loop(database: Database, interval_seconds: float) -> None:
    """Run the job for today every `interval_seconds`; it is idempotent, so repeated runs in a day move nothing new."""
    while True:
        try:
            moved = await handover_once(database, date.today())
            if moved:
                log.info("handover_job_moved", count=len(moved))
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # a failed run is retried at the next interval
            log.warning("handover_job_failed", error=repr(exc))
        await asyncio.sleep(interval_seconds)


@asynccontextmanager
async def lifespan(app: FastAPI):
    """Started with the app; the loop runs only when this process runs the workers."""
    task = None
    if getattr(app.state, "workers", None) is not None:
        task = asyncio.create_task(handover_loop(app.state.database, app.state.settings.handover_job_interval_seconds), name="handover-job")
    try:
        yield
    finally:
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
