"""Pytest fixtures: the embedded broker, a fresh database per test (SQLite, or PostgreSQL when
PLATFORM_TEST_POSTGRES_URL is set), dev tokens, and services running in-process on both.

Load with `pytest_plugins = ["probation_shared.testing.plugin"]`.
"""

from __future__ import annotations

import asyncio
import os
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from ..auth import mint_token
from ..db import Database
from ..devkeys import generate_key_pair
from ..embedded_broker import EmbeddedBroker
from ..migrations import upgrade
from ..service import ServiceSpec, create_app
from ..settings import PlatformSettings

POSTGRES_ENV = "PLATFORM_TEST_POSTGRES_URL"


@pytest.fixture(scope="session")
def broker() -> Iterator[EmbeddedBroker]:
    with EmbeddedBroker() as running:
        yield running


@pytest.fixture(scope="session")
def dev_keys(tmp_path_factory) -> tuple[bytes, Path, Path]:
    """(private key PEM, public key file, private key file)."""
    private, public = generate_key_pair()
    folder = tmp_path_factory.mktemp("keys")
    (folder / "public.pem").write_bytes(public)
    (folder / "private.pem").write_bytes(private)
    return private, folder / "public.pem", folder / "private.pem"


@dataclass
class Tokens:
    private_key: bytes

    def __call__(self, *roles: str, subject: str = "test-user", **scope) -> str:
        return mint_token(self.private_key, subject=subject, roles=[getattr(r, "value", r) for r in roles], **scope)

    def headers(self, *roles: str, **scope) -> dict[str, str]:
        return {"Authorization": f"Bearer {self(*roles, **scope)}"}


@pytest.fixture(scope="session")
def tokens(dev_keys) -> Tokens:
    return Tokens(dev_keys[0])


@pytest.fixture
def topic_prefix() -> str:
    # Topics and consumer groups unique to the test: tests share one broker, never its messages.
    return f"t{uuid.uuid4().hex[:10]}."


@asynccontextmanager
async def fresh_database_url(tmp_dir: Path, name: str) -> AsyncIterator[str]:
    """A new empty database: a SQLite file, or a new PostgreSQL database dropped afterwards."""
    server = os.environ.get(POSTGRES_ENV)
    if not server:
        yield f"sqlite+aiosqlite:///{tmp_dir / name}.db"
        return
    import asyncpg

    db_name = f"t_{name.replace('-', '_')}_{uuid.uuid4().hex[:8]}"
    dsn = server.replace("postgresql+asyncpg://", "postgresql://")
    admin = await asyncpg.connect(dsn)
    try:
        await admin.execute(f'CREATE DATABASE "{db_name}"')
    finally:
        await admin.close()
    base = server.rsplit("/", 1)[0]
    try:
        yield f"{base}/{db_name}"
    finally:
        admin = await asyncpg.connect(dsn)
        try:
            await admin.execute(f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)')
        finally:
            await admin.close()


def route_hosts(services: list[RunningService]) -> None:
    """Let each service's outgoing HTTP reach the others in-process, by their `http://<name>.test` URLs."""
    mounts = {s.settings.public_base_url: httpx.ASGITransport(app=s.app) for s in services}
    for s in services:
        s.app.state.http.mount(mounts)


async def prepare_schema(spec: ServiceSpec, url: str) -> None:
    """Run the service's migrations; a test-only spec without migrations gets its tables created."""
    if spec.migrations_dir is not None:
        await asyncio.to_thread(upgrade, spec.migrations_dir, url)
        return
    database = Database(url)
    try:
        async with database.unit_of_work() as session:
            await session.run_sync(lambda sync_session: spec.metadata.create_all(sync_session.connection()))
    finally:
        await database.dispose()


@dataclass
class RunningService:
    app: FastAPI
    client: httpx.AsyncClient
    settings: PlatformSettings

    @property
    def database(self) -> Database:
        return self.app.state.database


ServiceStarter = Callable[..., Awaitable[RunningService]]


@pytest.fixture
async def start_service(broker, dev_keys, topic_prefix, tmp_path) -> AsyncIterator[ServiceStarter]:
    """`await start_service(spec, **settings)`: migrated database, lifespan running, ASGI client."""
    running: list[RunningService] = []
    async with AsyncExitStack() as stack:

        async def start(spec: ServiceSpec, **overrides) -> RunningService:
            url = overrides.pop("database_url", None) or await stack.enter_async_context(
                fresh_database_url(tmp_path, spec.name)
            )
            await prepare_schema(spec, url)
            values = dict(
                database_url=url,
                kafka_bootstrap_servers=broker.bootstrap_servers,
                kafka_topic_prefix=topic_prefix,
                auth_public_key_file=dev_keys[1],
                auth_dev_private_key_file=dev_keys[2],
                public_base_url=f"http://{spec.name}.test",
                log_json=False,
                relay_poll_interval_seconds=0.1,
            )
            values.update(overrides)
            settings = spec.settings(**values)
            app = create_app(spec, settings)
            await stack.enter_async_context(app.router.lifespan_context(app))
            client = await stack.enter_async_context(
                httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=settings.public_base_url)
            )
            running.append(RunningService(app=app, client=client, settings=settings))
            route_hosts(running)
            return running[-1]

        yield start


async def eventually(check: Callable[[], Awaitable[bool]], timeout: float = 15.0, interval: float = 0.05) -> None:
    """Poll `check` until it is true; fail the test with a clear message at `timeout`."""
    deadline = time.monotonic() + timeout
    while True:
        if await check():
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout}s")
        await asyncio.sleep(interval)
