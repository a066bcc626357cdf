"""The outbox relay: publishes committed outbox rows to Kafka and marks them sent.

It is woken at once by a local commit (see `Database.unit_of_work`) and otherwise polls, so it
works the same inside the API process or as a separate worker process. With the broker down it
backs off and keeps every row; nothing is lost.

Order per key with any number of replicas: on PostgreSQL each batch is published inside a
transaction that holds the service's relay advisory lock (`pg_try_advisory_xact_lock`), so one
relay publishes at a time and the next one starts after the previous batch is marked sent. When the
holder dies, its transaction ends and the lock with it: another replica takes over at its next
cycle (a batch it had sent but not marked is sent again; consumers' inboxes drop the repeat). On
SQLite there is one process per file, hence one relay.

`outbox_backlog` and `outbox_oldest_unsent_age_seconds` are refreshed after every cycle that found
nothing or failed, and at least once a second while cycles publish: counting a large backlog after each
batch of it cost a quarter of the relay's time.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import time
from collections.abc import Callable
from datetime import datetime

from sqlalchemy import func, select, text, update

from probation_shared import clock

from ..db import Database, is_sqlite
from ..logging import get_logger
from ..metrics import ServiceMetrics
from ..settings import PlatformSettings
from ..tracing import producer_span, suppress_instrumentation
from .kafka import make_producer
from .outbox import PlatformTables

log = get_logger(__name__)


BACKLOG_REFRESH_SECONDS = 1.0


def relay_lock_key(service_name: str) -> int:
    """The PostgreSQL advisory lock key (signed 64-bit) of one service's relay."""
    digest = hashlib.sha256(f"probation-outbox-relay:{service_name}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


class OutboxRelay:
    def __init__(
        self,
        settings: PlatformSettings,
        database: Database,
        tables: PlatformTables,
        metrics: ServiceMetrics,
        *,
        now: Callable[[], datetime] = lambda: clock.now(),
    ) -> None:
        self.settings = settings
        self.database = database
        self.outbox = tables.outbox
        self.metrics = metrics
        self._now = now
        self._producer = None
        self._stopping = asyncio.Event()
        self._oldest_unsent: datetime | None = None
        self._backlog_recorded_at = 0.0
        # False while another replica holds the relay lock (PostgreSQL).
        self.active = True
        self.lock_key = relay_lock_key(settings.service_name)
        metrics.outbox_oldest_age.set_function(self.oldest_unsent_age)

    async def run(self) -> None:
        # The relay's own polling queries are not traced (they would make a root trace every cycle);
        # each row it publishes gets a producer span in the trace of the request that queued it.
        with suppress_instrumentation():
            await self._run()

    async def _run(self) -> None:
        backoff = 0.2
        while not self._stopping.is_set():
            try:
                published = await self.publish_batch()
                backoff = 0.2
                if published == 0 or time.monotonic() - self._backlog_recorded_at >= BACKLOG_REFRESH_SECONDS:
                    await self.record_backlog()
                if published == 0:
                    await self._wait_for_work()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # broker or database unavailable: keep the rows, try again later
                self.metrics.relay_errors.inc()
                log.warning("outbox_relay_failed", error=repr(exc), retry_in=backoff)
                await self._close_producer()
                with contextlib.suppress(Exception):
                    await self.record_backlog()
                await self._sleep(backoff)
                backoff = min(backoff * 2, 5.0)

    async def stop(self) -> None:
        self._stopping.set()
        self.database.outbox_signal.set()
        await self._close_producer()

    async def publish_batch(self) -> int:
        """Publish one batch of unsent rows in order; returns how many were published."""
        if is_sqlite(self.database.url):
            # One writer at a time in SQLite: never hold its lock while waiting on the broker, nor queue
            # for it to read (WAL: the read sees every committed row, in id order, which is commit order).
            async with self.database.unit_of_work(read_only=True) as session:
                rows = (await session.execute(self._unsent())).all()
            if rows:
                await self._send(rows)
                async with self.database.unit_of_work() as session:
                    await self._mark_published(session, rows)
        else:
            # One replica at a time, for the whole batch: read, send, mark sent, commit.
            async with self.database.unit_of_work() as session:
                self.active = bool(
                    await session.scalar(text("SELECT pg_try_advisory_xact_lock(:key)"), {"key": self.lock_key})
                )
                if not self.active:
                    return 0
                rows = (await session.execute(self._unsent())).all()
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
        futures = []
        for row in rows:
            topic = self.settings.topic(row.topic)
            with producer_span(
                topic, {k: str(v) for k, v in (row.headers or {}).items()}, key=row.message_key
            ) as headers:
                futures.append(
                    await producer.send(
                        topic,
                        value=row.payload.encode(),
                        key=row.message_key.encode() if row.message_key else None,
                        headers=[(k, v.encode()) for k, v in headers.items()],
                    )
                )
        await asyncio.gather(*futures)

    async def _mark_published(self, session, rows) -> None:
        await session.execute(
            update(self.outbox).where(self.outbox.c.id.in_([r.id for r in rows])).values(published_at=clock.now())
        )
        self.metrics.outbox_published.inc(len(rows))

    async def record_backlog(self) -> int:
        """Refresh `outbox_backlog` and the oldest unsent row's time; returns the backlog."""
        c = self.outbox.c
        self._backlog_recorded_at = time.monotonic()
        async with self.database.sessions() as session:
            backlog, oldest = (
                await session.execute(select(func.count(), func.min(c.created_at)).where(c.published_at.is_(None)))
            ).one()
        self.metrics.outbox_backlog.set(backlog or 0)
        if isinstance(oldest, str):  # SQLite may answer an aggregate of datetimes as text
            oldest = datetime.fromisoformat(oldest)
        self._oldest_unsent = clock.as_utc(oldest)
        return backlog or 0

    def oldest_unsent_age(self) -> float:
        """Seconds since the oldest unsent row was written, as of the last refresh (0 when none)."""
        if self._oldest_unsent is None:
            return 0.0
        return max((self._now() - self._oldest_unsent).total_seconds(), 0.0)

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
