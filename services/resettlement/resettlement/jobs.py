"""The pack job: with no human action, a pack for everyone within 12 weeks of release, and newer versions
when their release date, region or plan changed. Rendering runs in the renderer's worker processes."""

from __future__ import annotations

import asyncio
from typing import Any

from probation_shared.jobs import PeriodicJob

from .domain.pack import PackContent
from .workflows import packs


class LazyRenderer:
    """The renderer's process pool, started on the first pack rather than at every start-up."""

    def __init__(self, workers: int | None) -> None:
        self.workers = workers
        self._renderer: Any = None

    async def render(self, content: PackContent) -> Any:
        if self._renderer is None:
            from .rendering import PackRenderer  # the renderer package (WeasyPrint), loaded only when needed

            self._renderer = PackRenderer(workers=self.workers)
        return await self._renderer.render(content)

    def close(self) -> None:
        if self._renderer is not None:
            self._renderer.close()
            self._renderer = None


def pack_job(settings, database, metrics) -> PeriodicJob:
    # The consumers' sessions share the database context: an unplanned release is rendered by the same renderer.
    renderer = database.context.setdefault(packs.RENDERER, LazyRenderer(settings.pack_render_workers))

    async def tick() -> None:
        # Read, render, store: no transaction stays open while the packs render (on SQLite one would hold
        # the service's only write lock for as long as the renders take).
        async with database.unit_of_work(read_only=True) as session:
            work = await packs.due_work(session)
        if not work:
            return
        rendered = await packs.render_all(renderer, work)
        async with database.unit_of_work() as session:
            await packs.store_all(session, work, rendered)

    async def stop() -> None:
        if isinstance(renderer, LazyRenderer):
            await asyncio.to_thread(renderer.close)  # waits for renders already asked for, off the loop

    return PeriodicJob("resettlement-packs", settings.pack_job_interval_seconds, tick, on_stop=stop)
