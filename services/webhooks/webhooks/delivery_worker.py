"""The delivery worker: claims due messages, sends each (signed, vetted, under one deadline) and records
the results in batches. Any number of workers may run against one PostgreSQL database."""

from __future__ import annotations

import asyncio
import contextlib
import random
import time
from collections import Counter
from datetime import datetime

from probation_shared.db import Database
from probation_shared.logging import get_logger

from .db import queries
from .domain.signing import signed_headers
from .domain.states import Outcome
from .metrics import WebhookMetrics
from .sender import AttemptResult, Sender, resolver_of
from .settings import WebhooksSettings
from .vault import SecretVault
from .workflows import delivery as workflow
from .workflows.common import WAKE, clock_of, signing_secrets, vault

log = get_logger(__name__)


class DeliveryWorker:
    def __init__(
        self,
        settings: WebhooksSettings,
        database: Database,
        metrics: WebhookMetrics | None = None,
        sender: Sender | None = None,
        draw=None,
    ) -> None:
        self.settings = settings
        self.database = database
        self.metrics = metrics
        self.sender = sender or Sender(settings, lambda: resolver_of(database.context))
        self.draw = draw or random.random
        self.vault: SecretVault = vault(settings)
        # Woken by new messages committed in this process and by results that free a slot.
        self.wake: asyncio.Event = database.context.setdefault(WAKE, asyncio.Event())
        self._stopping = asyncio.Event()
        self._in_flight: dict[asyncio.Task, str] = {}  # task -> endpoint id
        self._finished: list[workflow.Finished] = []
        self._last_gauges = 0.0
        self.attempted = 0  # attempts this worker has made (for operators' logs and the tests)

    def now(self) -> datetime:
        return clock_of(self.database.context)()

    def _room_for(self, endpoint_id: str) -> int:
        busy = Counter(self._in_flight.values())
        return self.settings.per_endpoint_concurrency - busy[endpoint_id]

    async def step(self) -> int:
        """Record what has finished, then claim and start as many due messages as there are free slots."""
        await self.flush()
        free = self.settings.delivery_concurrency - len(self._in_flight)
        if free <= 0:
            return 0
        async with self.database.unit_of_work() as session:
            claims = await workflow.claim(session, self.settings, self.now(), min(free, self.settings.delivery_batch_size), self._room_for)
        for c in claims:
            task = asyncio.create_task(self._attempt(c))
            self._in_flight[task] = c.endpoint.id
            task.add_done_callback(self._done)
        return len(claims)

    def _done(self, task: asyncio.Task) -> None:
        self._in_flight.pop(task, None)
        self.wake.set()

    async def _attempt(self, c: workflow.Claim) -> None:
        started = self.now()
        self.attempted += 1
        try:
            body = c.message.payload.encode()
            headers = signed_headers(signing_secrets(c.endpoint, self.vault, started), c.message.id, body, started)
            result = await self.sender.send(c.endpoint.url, headers, body)
        except Exception as exc:  # e.g. a secret under a key no longer configured: recorded, retried
            log.exception("webhook_attempt_failed", message=c.message.id, error=repr(exc))
            result = AttemptResult(Outcome.NETWORK_ERROR, None, 0.0, error=f"not sent: {exc!r}"[:1000])
        self._finished.append(workflow.Finished(c, started, result))
        if self.metrics:
            self.metrics.attempt(result.outcome.value, result.latency_ms / 1000)

    async def flush(self) -> int:
        if not self._finished:
            return 0
        batch, self._finished = self._finished, []
        try:
            async with self.database.unit_of_work() as session:
                decisions = await workflow.record(session, self.settings, batch, self.now(), self.draw)
        except Exception:
            self._finished = batch + self._finished  # try again next step; the leases still hold them
            raise
        for f, decision in decisions:
            if decision is not None and self.metrics:
                self.metrics.decided(decision.status.value)
            log.info(
                "webhook_attempt",
                message=f.claim.message.id,
                endpoint=f.claim.endpoint.id,
                provider=f.claim.message.provider_id,
                status_code=f.result.status_code,
                outcome=f.result.outcome.value,
                next=decision.status.value if decision else "lease-lost",
            )
        return len(batch)

    async def update_gauges(self) -> None:
        if self.metrics is None or time.monotonic() - self._last_gauges < 5:
            return
        self._last_gauges = time.monotonic()
        async with self.database.unit_of_work(read_only=True) as session:
            self.metrics.queue(await queries.queue_figures(session, self.now()))

    async def run(self) -> None:
        try:
            while not self._stopping.is_set():
                self.wake.clear()
                try:
                    started = await self.step()
                    await self.update_gauges()
                except asyncio.CancelledError:
                    raise
                except Exception as exc:  # one bad step must not end the worker
                    log.exception("webhook_worker_step_failed", error=repr(exc))
                    started = 0
                if started == 0 or len(self._in_flight) >= self.settings.delivery_concurrency:
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(self.wake.wait(), self.settings.delivery_poll_seconds)
        finally:
            await self.drain()

    async def drain(self) -> None:
        """On stop: let attempts in flight finish (they are bounded by the deadline), record them, close."""
        if self._in_flight:
            await asyncio.wait(list(self._in_flight), timeout=self.settings.delivery_timeout_seconds + 1)
        with contextlib.suppress(Exception):
            await self.flush()
        await self.sender.close()

    async def kill(self) -> None:
        """For tests: die as a killed process would, attempts in flight abandoned, nothing recorded."""
        self._stopping.set()
        for task in list(self._in_flight):
            task.cancel()
        self._finished = []
        await self.sender.close()

    async def stop(self) -> None:
        self._stopping.set()
        self.wake.set()


def delivery_job(settings: WebhooksSettings, database: Database, metrics) -> DeliveryWorker:
    return DeliveryWorker(settings, database, WebhookMetrics.on(metrics))
