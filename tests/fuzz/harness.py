"""The platform for the fuzzer: every service in services.toml served by a real uvicorn on loopback (one
event loop in a background thread, workers on, the session's embedded broker), each on a fresh migrated and
seeded SQLite database (or PostgreSQL when PLATFORM_TEST_POSTGRES_URL is set)."""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import uvicorn

from deploy import registry
from probation_shared.db import Database
from probation_shared.embedded_broker import free_port
from probation_shared.service import ServiceSpec, create_app
from probation_shared.testing.plugin import fresh_database_url, prepare_schema


@dataclass
class Served:
    name: str
    spec: ServiceSpec | None
    url: str
    error: str | None = None  # why it could not be started (the app refused to build, say)


@dataclass
class Platform:
    services: dict[str, Served] = field(default_factory=dict)
    _loop: asyncio.AbstractEventLoop | None = None
    _thread: threading.Thread | None = None
    _servers: list[uvicorn.Server] = field(default_factory=list)
    _stop: asyncio.Event | None = None

    def start(self, *, broker: str, keys: tuple[Path, Path], tmp: Path, timeout: float = 60.0) -> None:
        ready = threading.Event()
        failure: list[BaseException] = []

        def run() -> None:
            self._loop = asyncio.new_event_loop()
            try:
                self._loop.run_until_complete(self._main(broker, keys, tmp, ready))
            except BaseException as exc:  # noqa: BLE001 - surfaced to the starting thread
                failure.append(exc)
                ready.set()

        self._thread = threading.Thread(target=run, name="fuzz-platform", daemon=True)
        self._thread.start()
        if not ready.wait(timeout) or failure:
            raise RuntimeError(f"fuzz platform did not start: {failure!r}")

    async def _main(self, broker: str, keys: tuple[Path, Path], tmp: Path, ready: threading.Event) -> None:
        public_key, private_key = keys
        ports = {s.name: free_port() for s in registry.SERVICES}
        urls = {name: f"http://127.0.0.1:{port}" for name, port in ports.items()}
        prefix = f"fuzz{uuid.uuid4().hex[:8]}."
        async with contextlib.AsyncExitStack() as stack:
            for service in registry.SERVICES:
                spec = importlib.import_module(f"{service.package}.service").SPEC
                served = Served(service.name, spec, urls[service.name])
                self.services[service.name] = served
                try:
                    url = await stack.enter_async_context(fresh_database_url(tmp, service.name))
                    await prepare_schema(spec, url)
                    fields = spec.settings_class.model_fields
                    others = {
                        f"{s.package}_url": urls[s.name]
                        for s in registry.SERVICES
                        if s != service and f"{s.package}_url" in fields
                    }
                    settings = spec.settings(
                        database_url=url,
                        kafka_bootstrap_servers=broker,
                        kafka_topic_prefix=prefix,
                        auth_public_key_file=public_key,
                        auth_dev_private_key_file=private_key,
                        public_base_url=urls[service.name],
                        log_json=False,
                        log_level="ERROR",
                        relay_poll_interval_seconds=0.1,
                        **others,
                    )
                    if spec.seed:
                        database = Database(url)
                        try:
                            await spec.seed(database, settings)
                        finally:
                            await database.dispose()
                    app = create_app(spec, settings)
                except Exception as exc:  # noqa: BLE001 - a service that cannot start is reported, not fatal
                    served.error = f"{type(exc).__name__}: {exc}"
                    continue
                config = uvicorn.Config(
                    app, host="127.0.0.1", port=ports[service.name], log_level="error", access_log=False, lifespan="on"
                )
                self._servers.append(uvicorn.Server(config))
            tasks = [asyncio.create_task(s.serve()) for s in self._servers]
            deadline = time.monotonic() + 45
            while not all(s.started for s in self._servers):
                if time.monotonic() > deadline or any(t.done() for t in tasks):
                    raise RuntimeError("a fuzz service did not start")
                await asyncio.sleep(0.05)
            self._stop = asyncio.Event()
            ready.set()
            await self._stop.wait()
            for s in self._servers:
                s.should_exit = True
            await asyncio.wait(tasks, timeout=10)

    def stop(self) -> None:
        if self._loop and self._stop:
            self._loop.call_soon_threadsafe(self._stop.set)
        if self._thread:
            self._thread.join(timeout=20)

    def client(self, name: str) -> httpx.Client:
        return httpx.Client(base_url=self.services[name].url, timeout=30)
