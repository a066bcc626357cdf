"""Liveness, readiness (database and broker; 503 when either is down), info and metrics endpoints."""

from __future__ import annotations

import asyncio
import contextlib
import time

from aiokafka import AIOKafkaClient
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from .settings import PlatformSettings


class BrokerProbe:
    """Answers whether the broker serves metadata; caches the answer briefly so probes stay cheap."""

    def __init__(self, settings: PlatformSettings, cache_seconds: float = 1.0) -> None:
        self.settings = settings
        self.cache_seconds = cache_seconds
        self._client: AIOKafkaClient | None = None
        self._checked_at = 0.0
        self._last: str | None = None

    async def check(self) -> str | None:
        """None when the broker answers, else why not."""
        now = time.monotonic()
        if now - self._checked_at < self.cache_seconds:
            return self._last
        try:
            if self._client is None:
                self._client = AIOKafkaClient(**self.settings.kafka_connection(), request_timeout_ms=2000)
                await asyncio.wait_for(self._client.bootstrap(), 3)
            ok = await asyncio.wait_for(self._client.fetch_all_metadata(), 3)
            self._last = None if ok is not None else "no metadata"
        except Exception as exc:
            self._last = repr(exc) or "unreachable"
            await self.close()
        self._checked_at = now
        return self._last

    async def close(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            with contextlib.suppress(Exception):
                await client.close()


def health_router() -> APIRouter:
    router = APIRouter(tags=["operations"])

    @router.get("/health/liveness")
    async def liveness() -> dict:
        return {"status": "UP"}

    @router.get("/health/readiness")
    async def readiness(request: Request) -> JSONResponse:
        state = request.app.state
        components: dict[str, dict] = {}
        try:
            await asyncio.wait_for(state.database.ping(), 3)
            components["db"] = {"status": "UP"}
        except Exception as exc:
            components["db"] = {"status": "DOWN", "detail": repr(exc)}
        broker_problem = await state.broker_probe.check()
        components["broker"] = {"status": "DOWN", "detail": broker_problem} if broker_problem else {"status": "UP"}
        up = all(c["status"] == "UP" for c in components.values())
        # Consumers waiting out a transient failure are reported, but do not take the API out of
        # service: pausing the API because a consumer waits for a dependency would spread the outage.
        workers = getattr(state, "workers", None)
        if workers:
            paused = {c.subscription.name: c.paused_reason for c in workers.consumers if c.paused_reason}
            components["consumers"] = {"status": "PAUSED", "detail": paused} if paused else {"status": "UP"}
        return JSONResponse(
            {"status": "UP" if up else "DOWN", "components": components}, status_code=200 if up else 503
        )

    @router.get("/info")
    async def info(request: Request) -> dict:
        settings = request.app.state.settings
        workers = request.app.state.workers
        return {
            "service": settings.service_name,
            "version": settings.version,
            "environment": settings.environment,
            "workers": "in-process" if settings.run_workers else "separate",
            "consumers": {c.subscription.name: c.state for c in workers.consumers} if workers else {},
        }

    @router.get("/metrics")
    async def metrics(request: Request) -> Response:
        return Response(generate_latest(request.app.state.metrics.registry), media_type=CONTENT_TYPE_LATEST)

    return router
