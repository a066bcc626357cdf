"""A service declares itself once (`ServiceSpec`); the app, its workers, migrations and CLI follow."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

from fastapi import APIRouter, FastAPI
from fastapi.telemetry import TelemetryConfig
from sqlalchemy import MetaData

from .audit import audit_router
from .auth import Role, TokenVerifier, require_roles
from .db import Database
from .errors import Problem, install_error_handlers
from .events.consumer import EventConsumer, Subscription
from .events.deadletters import replay_dead_letters
from .events.outbox import EVENT_MAX_BYTES, PlatformTables
from .events.relay import OutboxRelay
from .health import BrokerProbe, health_router
from .http import ServiceHttp
from .jobs import JobFactory
from .logging import configure_logging, get_logger
from .metrics import ServiceMetrics, watch_pool
from .middleware import PlatformMiddleware
from .redaction import check_routes
from .settings import PlatformSettings
from .tracing import configure_tracing, instrument_app, instrument_engine

log = get_logger(__name__)

Seeder = Callable[[Database, PlatformSettings], Awaitable[None]]


@dataclass
class ServiceSpec:
    name: str
    settings_class: type[PlatformSettings]
    metadata: MetaData
    tables: PlatformTables
    migrations_dir: Path | None
    routers: Sequence[APIRouter] = ()
    subscriptions: Sequence[Subscription] = ()
    seed: Seeder | None = None
    jobs: Sequence[JobFactory] = ()
    description: str = ""
    topics: Sequence[str] = field(default_factory=list)  # logical topics this service publishes to

    def settings(self, **overrides) -> PlatformSettings:
        return self.settings_class(**overrides)


class Workers:
    """The outbox relay and the consumers; the same code in the API process or a worker process."""

    def __init__(
        self, spec: ServiceSpec, settings: PlatformSettings, database: Database, metrics: ServiceMetrics
    ) -> None:
        self.relay = OutboxRelay(settings, database, spec.tables, metrics)
        self.consumers = [EventConsumer(settings, database, spec.tables, metrics, s) for s in spec.subscriptions]
        self.jobs = [make_job(settings, database, metrics) for make_job in spec.jobs]
        self._tasks: list[asyncio.Task] = []

    @property
    def _all(self) -> list:
        return [self.relay, *self.consumers, *self.jobs]

    def start(self) -> None:
        self._tasks = [asyncio.create_task(w.run(), name=type(w).__name__) for w in self._all]

    async def stop(self, grace_seconds: float = 2.0) -> None:
        for worker in self._all:
            await worker.stop()
        # Let each loop finish its current message and close its clients; cancel any that do not.
        _, pending = await asyncio.wait(self._tasks, timeout=grace_seconds) if self._tasks else (set(), set())
        for task in pending:
            task.cancel()
        for task in pending:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        self._tasks = []

    async def wait(self) -> None:
        await asyncio.gather(*self._tasks)


# FastAPI's own OpenTelemetry support is off: request spans come from the instrumentation (`tracing.py`),
# metrics from Prometheus (`metrics.py`) and logs from structlog; left on, it would add a span per request,
# per dependency and per endpoint call, made even when nothing receives them.
NO_NATIVE_TELEMETRY: TelemetryConfig = {"tracing": False, "metrics": False, "logs": False, "operation_spans": False}


def make_database(settings: PlatformSettings) -> Database:
    """The service's database, its sessions carrying the public URL and the service HTTP client."""
    database = Database(settings.database_url, echo=settings.database_echo, public_base_url=settings.public_base_url)
    instrument_engine(database.engine)
    database.context["http"] = ServiceHttp(settings)
    database.context[EVENT_MAX_BYTES] = settings.event_max_bytes
    return database


def worker_app(settings: PlatformSettings, database: Database, metrics: ServiceMetrics, workers: Workers) -> FastAPI:
    """The worker's HTTP server: the same /health/liveness, /health/readiness (database and broker),
    /info and /metrics as the API, for httpGet probes and Prometheus."""
    app = FastAPI(
        title=f"{settings.service_name} worker",
        version=settings.version,
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
        telemetry=NO_NATIVE_TELEMETRY,
    )
    app.state.settings = settings
    app.state.database = database
    app.state.metrics = metrics
    app.state.workers = workers
    app.state.broker_probe = BrokerProbe(settings)
    app.include_router(health_router())
    return app


def create_app(spec: ServiceSpec, settings: PlatformSettings | None = None) -> FastAPI:
    settings = settings or spec.settings()
    configure_logging(settings.log_level, settings.log_json)
    configure_tracing(settings.service_name)
    database = make_database(settings)
    metrics = ServiceMetrics(settings.service_name)
    watch_pool(metrics, database.engine)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        workers = Workers(spec, settings, database, metrics) if settings.run_workers else None
        app.state.workers = workers
        if workers:
            workers.start()
        log.info("service_started", service=settings.service_name, workers=bool(workers))
        try:
            yield
        finally:
            if workers:
                await workers.stop()
            await app.state.broker_probe.close()
            await app.state.http.close()
            await database.dispose()

    app = FastAPI(
        title=settings.service_name,
        version=settings.version,
        description=spec.description,
        lifespan=lifespan,
        telemetry=NO_NATIVE_TELEMETRY,
    )
    app.state.settings = settings
    app.state.database = database
    app.state.metrics = metrics
    app.state.spec = spec
    app.state.workers = None
    app.state.token_verifier = TokenVerifier.from_settings(settings)
    app.state.broker_probe = BrokerProbe(settings)
    app.state.http = database.context["http"]
    install_error_handlers(app)
    app.add_middleware(PlatformMiddleware, metrics=metrics, max_body_bytes=settings.max_body_bytes)
    app.include_router(health_router())
    app.include_router(_admin_router(spec, settings))
    app.include_router(audit_router(spec.tables.audit_log))
    for router in spec.routers:
        app.include_router(router)
    check_routes(route for router in spec.routers for route in router.routes)
    instrument_app(app)
    return app


def _admin_router(spec: ServiceSpec, settings: PlatformSettings) -> APIRouter:
    router = APIRouter(prefix="/admin", tags=["operations"])

    @router.post("/dead-letters/{consumer}/replay", dependencies=[require_roles(Role.OPERATOR)])
    async def replay(consumer: str) -> dict:
        subscription = next((s for s in spec.subscriptions if s.name == consumer), None)
        if subscription is None:
            raise Problem(404, "unknown-consumer", f"{settings.service_name} has no consumer named {consumer!r}.")
        replayed = await replay_dead_letters(settings, subscription)
        return {"consumer": consumer, "replayed": replayed}

    return router
