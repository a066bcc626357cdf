"""Background jobs: the daily OMiC handover, run wherever the workers run (API or worker process)."""

from __future__ import annotations

from datetime import date

from probation_shared import clock
from probation_shared.db import Database
from probation_shared.jobs import PeriodicJob

from .workflows.sentencing import run_handover_job


async def handover_once(database: Database, on: date) -> list[str]:
    """Run the handover job for `on` in its own unit of work; returns the CRNs moved to the COM."""
    async with database.unit_of_work() as session:
        return await run_handover_job(session, on)


def handover_job(settings, database: Database, metrics) -> PeriodicJob:
    """Runs for today at every interval; idempotent, so repeated runs in a day move nothing new."""
    return PeriodicJob(
        "omic-handover", settings.handover_job_interval_seconds, lambda: handover_once(database, clock.today())
    )
