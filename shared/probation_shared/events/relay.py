"""The outbox relay: publishes committed outbox rows to Kafka and marks them sent.

It is woken at once by a local commit (see `Database.unit_of_work`) and otherwise polls, so it
works the same inside the API process or as a separate worker process. With the broker down it
backs off and keeps every row; nothing is lost.
"""

from __future__ import annotations

import asyncio
import contextlib
from datetime import UTC, datetime

from sqlalchemy import func, select, update

from ..db import Database, is_sqlite
from ..logging import get_logger
from ..metrics import ServiceMetrics
from ..settings import PlatformSettings
from .kafka import make_producer
from .outbox import PlatformTables

log = get_logger(__name__)


class OutboxRelay:
    def __init__(self, settings: PlatformSettings, database: Database, tables: PlatformTables, metrics: ServiceMetrics) -> None:
        self.settings = settings
        self.database = database
        self.outbox = tables.outbox
        self.metrics = metrics
        self._producer = None
        self._stopping = asyncio.Event()

    async def run(self) -> None:
        backoff = 0.2
        while not self._stopping.is_set():
            try:
                published = await self.publish_batch()
                backoff = 0.2
                if published == 0:
                    await self.record_backlog()
                    await self._wait_for_work()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # broker or database unavailable: keep the rows, try again later
                self.metrics.relay_errors.inc()
                log.warning("outbox_relay_failed", error=repr(exc), retry_in=backoff)
                await self._close_producer()
                await self._sleep(backoff)
                backoff = min(backoff * 2, 5.0)

    async def stop(self) -> None:
        self._stopping.set()
        self.database.outbox_signal.set()
        await self._close_producer()

    async def publish_batch(self) -> int:
        """Publish one batch of unsent rows in order; returns how many were published."""
        if is_sqlite(self.database.url):
            # One writer at a time in SQLite: never hold its lock while waiting on the broker.
            async with self.database.unit_of_work() as session:
                rows = (await session.execute(self._unsent())).all()
            if rows:
                await self._send(rows)
                async with self.database.unit_of_work() as session:
                    await self._mark_published(session, rows)
        else:
            # Row locks held while publishing: several relay replicas never send the same row.
            async with self.database.unit_of_work() as session:
                rows = (await session.execute(self._unsent().with_for_update(skip_locked=True))).all()
                if rows:
                    await self._send(rows)
                    await self._mark_published(session, rows)
        return len(rows)

    def _unsent(self):
        c = self.outbox.c
        return (
            select(c.id, c.topic, c.message_key, c.payload, c.headers)
            .where(c.published_at.is_(None))
            .order_by(c.id)
            .limit(self.settings.relay_batch_size)
        )

    async def _send(self, rows) -> None:
        producer = await self._ensure_producer()
        futures = [
            await producer.send(
                self.settings.topic(row.topic),
                value=row.payload.encode(),
                key=row.message_key.encode() if row.message_key else None,
                headers=[(k, str(v).encode()) for k, v in (row.headers or {}).items()],
            )
            for row in rows
        ]
        await asyncio.gather(*futures)

    async def _mark_published(self, session, rows) -> None:
        await session.execute(
            update(self.outbox).where(self.outbox.c.id.in_([r.id for r in rows])).values(published_at=datetime.now(UTC))
        )
        self.metrics.outbox_published.inc(len(rows))

    async def record_backlog(self) -> int:
        async with self.database.sessions() as session:
            backlog = await session.scalar(select(func.count()).select_from(self.outbox).where(self.outbox.c.published_at.is_(None)))
        self.metrics.outbox_backlog.set(backlog or 0)
        return backlog or 0

    async def _ensure_producer(self):
        if self._producer is None:
            producer = make_producer(self.settings)
            try:
                await producer.start()
            except BaseException:
                with contextlib.suppress(Exception):
                    await producer.stop()
                raise
            self._producer = producer
        return self._producer

    async def _close_producer(self) -> None:
        producer, self._producer = self._producer, None
        if producer is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(producer.stop(), 5)

    async def _wait_for_work(self) -> None:
        signal = self.database.outbox_signal
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(signal.wait(), self.settings.relay_poll_interval_seconds)
        signal.clear()

    async def _sleep(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stopping.wait(), seconds)
