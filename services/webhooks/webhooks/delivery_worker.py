"""The delivery worker: claims due messages, sends each (signed, vetted, under one deadline) and records
the results in batches. Any number of workers may run against one PostgreSQL database."""

from __future__ import annotations

import asyncio
import contextlib
import random
import time
from collections import Counter, deque
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
FLUSH_SECONDS = 0.02  # results wait at most this long to be recorded together


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
        self._queue: deque[workflow.Claim] = deque()  # claimed, not yet started
        self._last_flush = time.monotonic()
        # How many rounds of an endpoint's concurrency may be claimed ahead: all must fit in the lease.
        deadline = settings.delivery_timeout_seconds
        self._rounds = max(1, min(4, int((settings.claim_lease_seconds - deadline - 1) // max(deadline, 0.001))))
        self._last_gauges = 0.0
        self.attempted = 0  # attempts this worker has made (for operators' logs and the tests)

    def now(self) -> datetime:
        return clock_of(self.database.context)()

    def _claim_room(self, endpoint_id: str) -> int:
        """How many more of this endpoint's messages to claim: a few rounds of its concurrency, queued
        here, no more than can be sent before their leases end."""
        held = sum(1 for e in self._in_flight.values() if e == endpoint_id) + sum(
            1 for c in self._queue if c.endpoint.id == endpoint_id
        )
        return self.settings.per_endpoint_concurrency * self._rounds - held

    async def step(self) -> int:
        """Start what the free slots allow from the claims queued here, record what has finished and claim
        more (one transaction, only when needed), then start again. Returns how much happened (0: nothing
        to do)."""
        # Slots freed by finished attempts are refilled before the transaction, which may first wait for
        # SQLite's writer (a notification being queued): the queued claims are leased already.
        dispatched = self._dispatch()
        batch_size, concurrency = self.settings.delivery_batch_size, self.settings.delivery_concurrency
        room = batch_size + concurrency - len(self._queue) - len(self._in_flight)
        want_claim = len(self._queue) < concurrency and room > 0
        want_flush = bool(self._finished) and (
            want_claim or len(self._finished) >= batch_size // 2 or time.monotonic() - self._last_flush > FLUSH_SECONDS
        )
        claims: list[workflow.Claim] = []
        flushed = 0
        if want_claim or want_flush:
            flushed = await self._record_and_claim(room if want_claim else 0, claims)
        return dispatched + flushed + len(claims) + self._dispatch()

    async def _record_and_claim(self, room: int, claims: list) -> int:
        batch, self._finished = self._finished, []
        now = self.now()
        try:
            async with self.database.unit_of_work() as session:
                decisions = await workflow.record(session, self.settings, batch, now, self.draw) if batch else []
                if room > 0:
                    claims.extend(await workflow.claim(session, self.settings, now, room, self._claim_room))
        except BaseException:
            self._finished = batch + self._finished  # recorded next time; the leases still hold them
            raise
        self._last_flush = time.monotonic()
        self._queue.extend(claims)
        for f, decision in decisions:
            if decision is not None and self.metrics:
                self.metrics.decided(decision.status.value)
            (log.debug if decision is not None and decision.status.value == "DELIVERED" else log.info)(
                "webhook_attempt",
                message=f.claim.message.id,
                endpoint=f.claim.endpoint.id,
                provider=f.claim.message.provider_id,
                status_code=f.result.status_code,
                outcome=f.result.outcome.value,
                next=decision.status.value if decision else "lease-lost",
            )
        return len(batch)

    def _dispatch(self) -> int:
        """Start queued claims while slots are free, at most `per_endpoint_concurrency` per endpoint."""
        now = self.now()
        busy = Counter(self._in_flight.values())
        waiting: deque[workflow.Claim] = deque()
        started = 0
        margin = self.settings.delivery_timeout_seconds + 1
        while self._queue and len(self._in_flight) < self.settings.delivery_concurrency:
            c = self._queue.popleft()
            if busy[c.endpoint.id] >= self.settings.per_endpoint_concurrency:
                waiting.append(c)
                continue
            if (c.lease_until - now).total_seconds() < margin:
                continue  # too late to finish inside its lease: left for the next claim once the lease ends
            task = asyncio.create_task(self._attempt(c))
            self._in_flight[task] = c.endpoint.id
            task.add_done_callback(self._done)
            busy[c.endpoint.id] += 1
            started += 1
        waiting.extend(self._queue)
        self._queue = waiting
        return started

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
        return await self._record_and_claim(0, []) if self._finished else 0

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
                    wait = (
                        min(self.settings.delivery_poll_seconds, FLUSH_SECONDS)
                        if self._finished
                        else self.settings.delivery_poll_seconds
                    )
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(self.wake.wait(), wait)
        finally:
            await self.drain()

    async def drain(self) -> None:
        """On stop: let attempts in flight finish (they are bounded by the deadline), record them, close."""
        if self._in_flight:
            await asyncio.wait(list(self._in_flight), timeout=self.settings.delivery_timeout_seconds + 1)
        with contextlib.suppress(Exception):
            await self.flush()
        if self._queue:  # claimed but never attempted: give them back now rather than at the lease's end
            with contextlib.suppress(Exception):
                async with self.database.unit_of_work() as session:
                    for token in {c.token for c in self._queue}:
                        await queries.release(
                            session, [c.message.id for c in self._queue if c.token == token], token, self.now()
                        )
            self._queue.clear()
        await self.sender.close()

    async def kill(self) -> None:
        """For tests: die as a killed process would, attempts in flight abandoned, nothing recorded."""
        self._stopping.set()
        for task in list(self._in_flight):
            task.cancel()
        self._finished = []
        self._queue.clear()
        await self.sender.close()

    async def stop(self) -> None:
        self._stopping.set()
        self.wake.set()


def delivery_job(settings: WebhooksSettings, database: Database, metrics) -> DeliveryWorker:
    return DeliveryWorker(settings, database, WebhookMetrics.on(metrics))
