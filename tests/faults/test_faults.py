"""Faults with real processes: the embedded broker, a writer and a reader service as subprocesses,
and the database (PostgreSQL where PLATFORM_TEST_POSTGRES_URL is set, else SQLite).

After each fault the chain is reconciled: every accepted write has exactly one effect downstream,
nothing was dead-lettered, nothing applied twice. The reader runs with a retry budget of 0, so a
transient failure taken for a handler failure would be dead-lettered at once and fail the test.

The broker's outage is a SIGSTOP: the embedded broker keeps its data in memory only, so a killed
one would come back empty and lose what it held, which no client can make up for. A frozen broker
is, to every client, a broker that has gone away and comes back.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import asyncpg
import httpx
import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition
from sqlalchemy import select

from probation_shared.auth import Role
from probation_shared.db import Database
from probation_shared.embedded_broker import EmbeddedBroker, free_port
from probation_shared.testing.plugin import POSTGRES_ENV, eventually, fresh_database_url, prepare_schema

from . import chain

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.faults
needs_postgres = pytest.mark.skipif(
    not os.environ.get(POSTGRES_ENV), reason="needs PostgreSQL (PLATFORM_TEST_POSTGRES_URL)"
)


@dataclass
class Process:
    name: str
    popen: subprocess.Popen
    url: str
    log: Path

    def signal(self, sig: int) -> None:
        if self.popen.poll() is None:
            os.kill(self.popen.pid, sig)

    def stop(self) -> None:
        if self.popen.poll() is None:
            self.popen.terminate()
            try:
                self.popen.wait(10)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait()


@dataclass
class Chain:
    broker: EmbeddedBroker
    writer_db: str
    reader_db: str
    topic_prefix: str
    keys: tuple[Path, Path]
    headers: dict[str, str]
    operator: dict[str, str]
    logs: Path
    processes: list[Process] = field(default_factory=list)
    accepted: set[int] = field(default_factory=set)

    def start(self, which: str, **settings) -> Process:
        spec = {"writer": chain.WRITER, "reader": chain.READER}[which]
        prefix = spec.settings_class.model_config["env_prefix"]
        port = free_port()
        values = {
            "DATABASE_URL": self.writer_db if which == "writer" else self.reader_db,
            "KAFKA_BOOTSTRAP_SERVERS": self.broker.bootstrap_servers,
            "KAFKA_TOPIC_PREFIX": self.topic_prefix,
            "AUTH_PUBLIC_KEY_FILE": str(self.keys[0]),
            "AUTH_DEV_PRIVATE_KEY_FILE": str(self.keys[1]),
            "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
            "RELAY_POLL_INTERVAL_SECONDS": "0.1",
            "LOG_LEVEL": "WARNING",
            **{k.upper(): str(v) for k, v in settings.items()},
        }
        env = {**os.environ, **{(k if k.startswith("FAULT_") else prefix + k): v for k, v in values.items()}}
        log = self.logs / f"{which}-{len(self.processes)}.log"
        popen = subprocess.Popen(
            [sys.executable, "-m", "tests.faults.chain", which, "serve", "--port", str(port)],
            cwd=ROOT,
            env=env,
            stdout=log.open("wb"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        process = Process(which, popen, f"http://127.0.0.1:{port}", log)
        self.processes.append(process)
        return process

    async def up(self, process: Process, consumer: str | None = None) -> None:
        """Wait until the process serves (and, for a reader, its consumer has partitions)."""

        async def ready() -> bool:
            if process.popen.poll() is not None:
                raise AssertionError(f"{process.name} exited:\n{process.log.read_text()[-3000:]}")
            try:
                async with httpx.AsyncClient(timeout=2) as client:
                    info = (await client.get(f"{process.url}/info")).json()
            except httpx.HTTPError:
                return False
            return consumer is None or info["consumers"].get(consumer) == "assigned"

        await eventually(ready, timeout=60, interval=0.2)

    async def write(self, client: httpx.AsyncClient, writer: Process, n: int) -> bool:
        try:
            response = await client.post(f"{writer.url}/writes", json={"n": n}, headers=self.headers)
        except httpx.HTTPError:
            return False
        if response.status_code == 201:
            self.accepted.add(n)
            return True
        return False

    async def write_many(self, writer: Process, numbers) -> None:
        async with httpx.AsyncClient(timeout=10) as client:
            for n in numbers:
                assert await self.write(client, writer, n)

    async def applied(self) -> Counter:
        database = Database(self.reader_db)
        try:
            async with database.sessions() as session:
                return Counter((await session.scalars(select(chain.APPLIED.c.n))).all())
        finally:
            await database.dispose()

    async def applied_count(self) -> int:
        return sum((await self.applied()).values())

    async def dead_letters(self) -> list:
        topic = chain.READER.subscriptions[0].dead_letter_topic(
            chain.READER.settings(kafka_topic_prefix=self.topic_prefix)
        )
        reader = AIOKafkaConsumer(
            bootstrap_servers=self.broker.bootstrap_servers, group_id=None, auto_offset_reset="earliest"
        )
        await reader.start()
        try:
            if topic not in await reader.topics():
                return []
            tps = [TopicPartition(topic, p) for p in reader.partitions_for_topic(topic) or ()]
            ends = await reader.end_offsets(tps)
            if not any(ends.values()):
                return []
            reader.assign(tps)
            await reader.seek_to_beginning(*tps)
            messages = []
            while len(messages) < sum(ends.values()):
                for batch in (await reader.getmany(timeout_ms=500)).values():
                    messages.extend(batch)
            return messages
        finally:
            await reader.stop()

    async def settled(self) -> bool:
        """Every accepted write published, and the reader's group committed to the end of the topic."""
        if set((await self.applied()).keys()) < self.accepted:
            return False
        topic = f"{self.topic_prefix}{chain.TOPIC}"
        group = chain.READER.subscriptions[0].group_id(chain.READER.settings(kafka_topic_prefix=self.topic_prefix))
        reader = AIOKafkaConsumer(
            bootstrap_servers=self.broker.bootstrap_servers, group_id=group, enable_auto_commit=False
        )
        await reader.start()
        try:
            await reader.topics()
            tps = [TopicPartition(topic, p) for p in reader.partitions_for_topic(topic) or ()]
            ends = await reader.end_offsets(tps)
            for tp in tps:
                if (await reader.committed(tp) or 0) < ends[tp]:
                    return False
            return True
        finally:
            await reader.stop()

    async def reconcile(self, timeout: float = 120) -> None:
        await eventually(self.settled, timeout=timeout, interval=0.5)
        applied = await self.applied()
        assert set(applied) == self.accepted, (
            f"missing: {sorted(self.accepted - set(applied))[:20]} extra: {sorted(set(applied) - self.accepted)[:20]}"
        )
        twice = {n: count for n, count in applied.items() if count != 1}
        assert not twice, f"applied more than once: {twice}"
        assert await self.dead_letters() == []


@pytest.fixture
async def fault_chain(dev_keys, tokens, topic_prefix, tmp_path):
    broker = EmbeddedBroker(log_file=tmp_path / "broker.log").start()
    async with (
        fresh_database_url(tmp_path, "faultwriter") as writer_db,
        fresh_database_url(tmp_path, "faultreader") as reader_db,
    ):
        await prepare_schema(chain.WRITER, writer_db)
        await prepare_schema(chain.READER, reader_db)
        running = Chain(
            broker=broker,
            writer_db=writer_db,
            reader_db=reader_db,
            topic_prefix=topic_prefix,
            keys=(dev_keys[1], dev_keys[2]),
            headers=tokens.headers(Role.PRACTITIONER),
            operator=tokens.headers(Role.OPERATOR),
            logs=tmp_path,
        )
        try:
            yield running
        finally:
            if broker.process is not None:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(broker.process.pid, signal.SIGCONT)
            for process in running.processes:
                process.stop()
            broker.stop()


async def _start_chain(chain_: Chain, **reader_settings) -> tuple[Process, Process]:
    writer = chain_.start("writer")
    reader = chain_.start("reader", consumer_retry_budget_seconds=0, **reader_settings)
    await chain_.up(writer)
    await chain_.write_many(writer, [0])  # creates the topic
    await chain_.up(reader, consumer="writes")
    return writer, reader


async def test_broker_stopped_for_30_seconds_under_steady_writes(fault_chain):
    writer, reader = await _start_chain(fault_chain)
    stop_load = asyncio.Event()

    async def steady_load() -> None:
        n = 1
        async with httpx.AsyncClient(timeout=10) as client:
            while not stop_load.is_set():
                await fault_chain.write(client, writer, n)
                n += 1
                await asyncio.sleep(0.02)

    load = asyncio.create_task(steady_load())
    try:
        await eventually(lambda: _at_least(fault_chain.applied_count(), 20), timeout=60)
        os.kill(fault_chain.broker.process.pid, signal.SIGSTOP)
        accepted_before = len(fault_chain.accepted)
        await asyncio.sleep(30)  # the outage itself: a broker's time cannot be injected
        assert len(fault_chain.accepted) > accepted_before + 100  # writes kept being accepted meanwhile
        os.kill(fault_chain.broker.process.pid, signal.SIGCONT)
        await eventually(lambda: _at_least(fault_chain.applied_count(), len(fault_chain.accepted)), timeout=120)
    finally:
        stop_load.set()
        await load
    await fault_chain.reconcile()


async def test_consumer_killed_with_sigkill_mid_batch(fault_chain):
    writer, reader = await _start_chain(fault_chain, consumer_batch_size=50, fault_reader_handler_delay=0.01)
    await fault_chain.write_many(writer, range(1, 401))

    await eventually(lambda: _at_least(fault_chain.applied_count(), 100), timeout=90)
    reader.signal(signal.SIGKILL)
    reader.popen.wait(10)
    assert await fault_chain.applied_count() < 401  # killed part-way

    again = fault_chain.start("reader", consumer_retry_budget_seconds=0, consumer_batch_size=50)
    await fault_chain.up(again)
    await fault_chain.reconcile()


@needs_postgres
async def test_the_readers_postgresql_connections_terminated_while_it_consumes(fault_chain):
    writer, reader = await _start_chain(fault_chain, consumer_batch_size=20, fault_reader_handler_delay=0.005)
    await fault_chain.write_many(writer, range(1, 301))

    terminated = 0
    while await fault_chain.applied_count() < 301 and terminated < 6:
        if await fault_chain.applied_count() > 20 * terminated:
            terminated += await _terminate_backends(fault_chain.reader_db) > 0
        await asyncio.sleep(0.2)
    assert terminated >= 1
    await fault_chain.reconcile()


@needs_postgres
async def test_a_one_second_database_outage_during_consumption_dead_letters_nothing(fault_chain):
    writer, reader = await _start_chain(fault_chain, consumer_batch_size=20, fault_reader_handler_delay=0.005)
    await fault_chain.write_many(writer, range(1, 201))
    await eventually(lambda: _at_least(fault_chain.applied_count(), 30), timeout=60)

    database = _db_name(fault_chain.reader_db)
    admin = await asyncpg.connect(_dsn(os.environ[POSTGRES_ENV]))
    try:
        await admin.execute(f'ALTER DATABASE "{database}" ALLOW_CONNECTIONS false')
        await _terminate_backends(fault_chain.reader_db)
        await asyncio.sleep(1.0)  # the outage: the database's time cannot be injected
    finally:
        await admin.execute(f'ALTER DATABASE "{database}" ALLOW_CONNECTIONS true')
        await admin.close()
    await fault_chain.reconcile()


async def test_a_poison_message_is_dead_lettered_after_the_budget_and_replayed_once_fixed(fault_chain):
    writer = fault_chain.start("writer")
    reader = fault_chain.start("reader", consumer_retry_budget_seconds=2)
    await fault_chain.up(writer)
    await fault_chain.write_many(writer, [0])
    await fault_chain.up(reader, consumer="writes")

    await fault_chain.write_many(writer, [1, -1, 2, 3])

    await eventually(lambda: _at_least(_len(fault_chain.dead_letters()), 1), timeout=60)
    [dead] = await fault_chain.dead_letters()
    headers = dict(dead.headers)
    assert headers["x-error-type"] == b"RuntimeError" and int(headers["x-attempts"]) > 1
    await eventually(lambda: _at_least(fault_chain.applied_count(), 4), timeout=30)  # the others went past it
    assert -1 not in await fault_chain.applied()

    reader.stop()  # the fix is deployed
    fixed = fault_chain.start("reader", consumer_retry_budget_seconds=2, fault_reader_poison_fixed=1)
    await fault_chain.up(fixed, consumer="writes")
    async with httpx.AsyncClient(timeout=30) as client:
        replayed = await client.post(f"{fixed.url}/admin/dead-letters/writes/replay", headers=fault_chain.operator)
    assert replayed.status_code == 200, replayed.text
    assert replayed.json()["replayed"] == 1
    await eventually(lambda: _at_least(fault_chain.applied_count(), 5), timeout=60)
    applied = await fault_chain.applied()
    assert applied[-1] == 1 and set(applied) == {0, 1, -1, 2, 3} and all(c == 1 for c in applied.values())


async def _at_least(value, expected: int) -> bool:
    return (await value) >= expected


async def _len(value) -> int:
    return len(await value)


def _dsn(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://")


def _db_name(url: str) -> str:
    return url.rsplit("/", 1)[1]


async def _terminate_backends(url: str) -> int:
    """pg_terminate_backend on every connection to the service's database; how many were ended."""
    admin = await asyncpg.connect(_dsn(os.environ[POSTGRES_ENV]))
    try:
        rows = await admin.fetch(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()",
            _db_name(url),
        )
        return sum(1 for r in rows if r[0])
    finally:
        await admin.close()
