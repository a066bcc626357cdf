"""The delivery job: sends due deliveries, signed, and records what each attempt came to."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import httpx
from sqlalchemy import update

from probation_shared.db import Database
from probation_shared.jobs import PeriodicJob
from probation_shared.logging import get_logger

from .db.models import Delivery, Endpoint
from .db.queries import claim_due
from .domain.delivery import DELIVERED, PENDING, Attempt, decide, signed_headers
from .settings import WebhooksSettings

log = get_logger(__name__)


class DeliveryWorker:
    def __init__(self, settings: WebhooksSettings, database: Database, client: httpx.AsyncClient | None = None) -> None:
        self.settings = settings
        self.database = database
        self.client = client or httpx.AsyncClient(timeout=settings.delivery_timeout_seconds, follow_redirects=False)
        self._limit = asyncio.Semaphore(settings.delivery_concurrency)

    async def deliver_due(self) -> int:
        """Send every delivery now due (one batch); returns how many were attempted."""
        now = datetime.now(UTC)
        lease = now + timedelta(seconds=self.settings.delivery_timeout_seconds * 3)
        async with self.database.unit_of_work() as session:
            due = await claim_due(session, PENDING, now, lease, self.settings.delivery_batch_size)
        await asyncio.gather(*(self._deliver(delivery, endpoint) for delivery, endpoint in due))
        return len(due)

    async def _deliver(self, delivery: Delivery, endpoint: Endpoint) -> None:
        async with self._limit:
            attempt = await self._post(delivery, endpoint)
        now = datetime.now(UTC)
        decision = decide(delivery.attempts + 1, attempt, self.settings.retry_schedule_seconds, now, self.settings.max_retry_after_seconds)
        async with self.database.unit_of_work() as session:
            await session.execute(
                update(Delivery)
                .where(Delivery.id == delivery.id)
                .values(
                    status=decision.status,
                    attempts=Delivery.attempts + 1,
                    next_attempt_at=decision.next_attempt_at,
                    last_status_code=attempt.status_code,
                    last_error=attempt.error,
                    delivered_at=now if decision.status == DELIVERED else None,
                )
            )
            if decision.disable_endpoint:
                await session.execute(
                    update(Endpoint).where(Endpoint.id == endpoint.id).values(enabled=False, disabled_reason="the receiver answered 410 Gone")
                )
        log.info("webhook_attempt", delivery=delivery.id, provider=delivery.provider_id, status_code=attempt.status_code, outcome=decision.status)

    async def _post(self, delivery: Delivery, endpoint: Endpoint) -> Attempt:
        headers = signed_headers(endpoint.secret, delivery.id, delivery.payload, datetime.now(UTC))
        try:
            response = await self.client.post(endpoint.url, content=delivery.payload.encode(), headers=headers)
        except httpx.HTTPError as exc:
            return Attempt(None, error=repr(exc)[:1000])
        error = None if response.is_success else f"HTTP {response.status_code}"
        return Attempt(response.status_code, response.headers.get("retry-after"), error)

    async def close(self) -> None:
        await self.client.aclose()


def delivery_job(settings: WebhooksSettings, database: Database, _metrics) -> PeriodicJob:
    worker = DeliveryWorker(settings, database)

    async def tick() -> None:
        # Keep going while whole batches are due; then wait for the next poll.
        while await worker.deliver_due() >= settings.delivery_batch_size:
            pass

    return PeriodicJob("webhook-delivery", settings.delivery_poll_seconds, tick, on_stop=worker.close)
