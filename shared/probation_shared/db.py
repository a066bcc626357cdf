"""Async SQLAlchemy per service: PostgreSQL (asyncpg) or SQLite (aiosqlite) from one URL.

A unit of work commits once per request or consumed event. Code inside a service never calls
`commit()`; it adds to the session it is given.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy import Insert, MetaData, Table, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.orm import Session as SyncSession

from .sqlite_inline import inline_creator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def service_metadata() -> MetaData:
    """A service's own metadata, with the platform's naming convention: services never share tables.

    Each service declares its base with it, as a class so that mypy sees every model's columns::

        class Base(DeclarativeBase):
            metadata = service_metadata()
    """
    return MetaData(naming_convention=NAMING_CONVENTION)


def create_base() -> type[DeclarativeBase]:
    """A declarative base made at run time (scratch services in tests). mypy cannot type models on a base
    returned by a call, so a service declares `class Base(DeclarativeBase)` with `service_metadata()`."""

    class Base(DeclarativeBase):
        metadata = service_metadata()

    return Base


def is_sqlite(url: str) -> bool:
    return url.startswith("sqlite")


def sqlite_path(url: str) -> str:
    """The file of a `sqlite+aiosqlite:///path` URL (":memory:" when none)."""
    return make_url(url).database or ":memory:"


class Database:
    """The engine, the session factory and the signal that wakes the outbox relay after a commit."""

    def __init__(self, url: str, echo: bool = False, public_base_url: str = "") -> None:
        # Shared with every session (`session.info`): what event builders and handlers need of the service.
        self.context: dict = {"public_base_url": public_base_url.rstrip("/")}
        self.url = url
        kwargs: dict = {"echo": echo}
        if is_sqlite(url):
            # The unit of work always ends in commit or rollback: no extra reset round trip on check-in.
            kwargs.update(
                pool_reset_on_return=None, async_creator=inline_creator(sqlite_path(url), busy_timeout_seconds=10)
            )
        else:
            kwargs.update(pool_size=10, max_overflow=20, pool_pre_ping=True)
        self.engine: AsyncEngine = create_async_engine(url, **kwargs)
        if is_sqlite(url):
            event.listen(self.engine.sync_engine, "connect", _sqlite_connect)
            event.listen(self.engine.sync_engine, "begin", _sqlite_begin)
        self.sessions = async_sessionmaker(self.engine, expire_on_commit=False, autoflush=True)
        self._outbox_signal: asyncio.Event | None = None
        # SQLite has one writer, and its calls run inline on the event loop (sqlite_inline): a write
        # transaction waiting in SQLite for another of this process would block the loop that must
        # finish the other. So this process's write transactions queue here, one at a time.
        self._writer_lock: asyncio.Lock | None = asyncio.Lock() if is_sqlite(url) else None
        self._staged_writer = GroupWriter(self)

    @property
    def outbox_signal(self) -> asyncio.Event:
        if self._outbox_signal is None:
            self._outbox_signal = asyncio.Event()
        return self._outbox_signal

    @asynccontextmanager
    async def unit_of_work(self, read_only: bool = False) -> AsyncIterator[AsyncSession]:
        """One transaction: commits on success, rolls back on any exception.

        `read_only`: the work only reads, plus any rows staged with `stage_write` (audit), which are
        written in a short transaction of their own afterwards. On SQLite a read-only unit neither
        queues for nor takes the single write lock, so reads run side by side with writes.
        """
        lock = self._writer_lock if self._writer_lock and not read_only else contextlib.nullcontext()
        async with lock, self.sessions() as session:
            session.info.update(self.context)
            try:
                if not read_only:
                    await session.connection(execution_options={WRITE_OPTION: True})
                yield session
                staged = session.info.pop(STAGED_WRITES, [])
                if not read_only:
                    await _write_staged(session, staged)
                await session.commit()
            except BaseException:
                await session.rollback()
                raise
        if read_only and staged:
            await self._staged_writer.write(staged)
        if session.info.pop("outbox_pending", False):
            self.outbox_signal.set()

    async def ping(self) -> None:
        async with self.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))

    async def dispose(self) -> None:
        await self._staged_writer.drained()
        await self.engine.dispose()


class GroupWriter:
    """Group commit for the rows read-only units stage (audit rows of reads).

    Concurrent reads hand their rows here; one transaction writes every row handed in meanwhile and each
    caller returns only when that transaction has committed (so a read still answers only once its audit
    rows are stored, and a failed write still fails the read). The cost of a write transaction (queueing
    for SQLite's writer, BEGIN, COMMIT) is paid once per group instead of once per read. A group whose
    write fails is retried caller by caller, so one caller's bad row fails only that caller.
    """

    def __init__(self, database: Database) -> None:
        self._database = database
        self._pending: list[tuple[list[tuple[Table, dict]], asyncio.Future]] = []
        self._task: asyncio.Task | None = None

    async def write(self, staged: list[tuple[Table, dict]]) -> None:
        future = asyncio.get_running_loop().create_future()
        self._pending.append((staged, future))
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._drain())
        # Shielded: a caller that goes away (a client disconnecting) leaves its rows to be written anyway.
        await asyncio.shield(future)

    async def drained(self) -> None:
        if self._task is not None:
            with contextlib.suppress(Exception):
                await self._task

    async def _drain(self) -> None:
        while self._pending:
            await asyncio.sleep(0)  # let the reads of this loop turn join the group
            group, self._pending = self._pending, []
            try:
                await self._commit([row for staged, _ in group for row in staged])
            except asyncio.CancelledError as exc:  # shutting down: no caller may wait for ever
                for _, future in group + self._pending:
                    _settle(future, exc)
                raise
            except Exception as exc:
                if len(group) == 1:
                    _settle(group[0][1], exc)
                    continue
                for staged, future in group:  # find the caller whose rows fail; the others still commit
                    try:
                        await self._commit(staged)
                    except Exception as each:
                        _settle(future, each)
                    else:
                        _settle(future, None)
            else:
                for _, future in group:
                    _settle(future, None)

    async def _commit(self, rows: list[tuple[Table, dict]]) -> None:
        async with self._database.unit_of_work() as writer:
            await _write_staged(writer, rows)


def _settle(future: asyncio.Future, error: BaseException | None) -> None:
    if future.done():
        return
    if error is None:
        future.set_result(None)
    else:
        future.set_exception(error)


def _sqlite_connect(dbapi_connection, _record) -> None:
    # The driver's own implicit BEGIN is turned off so that `_sqlite_begin` decides how to begin.
    dbapi_connection.isolation_level = None
    # WAL lets readers run beside the writer; foreign keys are off by default in SQLite.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _sqlite_begin(conn) -> None:
    # A writing unit of work begins IMMEDIATE: it takes the write lock up front (its turn already
    # queued in-process by the writer lock), so a read-then-write never fails with SQLITE_BUSY.
    # Everything else begins deferred, never takes the lock, and may not write (query_only): a
    # write outside a unit of work would hold SQLite's lock outside the queue, so it fails at once.
    read_only = not conn.get_execution_options().get(WRITE_OPTION)
    record = conn.connection.info
    if record.get("query_only", False) != read_only:
        conn.exec_driver_sql(f"PRAGMA query_only={int(read_only)}")
        record["query_only"] = read_only
    conn.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")


WRITE_OPTION = "platform_unit_of_work_writes"
STAGED_WRITES = "staged_writes"


def stage_write(session: AsyncSession, table: Table, values: dict) -> None:
    """Queue a row to insert with the unit of work (at its commit, or just after a read-only one)."""
    session.info.setdefault(STAGED_WRITES, []).append((table, values))


# `Table.info[SERIALIZE_ON] = "column"`: on PostgreSQL, rows of that table are written under a
# transaction-level advisory lock per value of the column (the outbox: per Kafka key), so two
# transactions writing rows for the same value take their ids in the order they commit. Without
# it, the later id could commit first and a relay would publish one person's events out of order.
SERIALIZE_ON = "serialize_on"


def serialize_lock_key(table: str, value: str) -> int:
    digest = hashlib.sha256(f"{table}:{value}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


async def _write_staged(session: AsyncSession, staged: list[tuple[Table, dict]]) -> None:
    """Insert staged rows in order, one executemany per run of rows for the same table.

    All of it (the ORM flush before, the key locks, the inserts) runs as one synchronous call in the
    session's greenlet: one switch instead of one per statement, and Core inserts on the connection
    rather than ORM executions (the rows are plain values; nothing in the session refers to them).
    """
    if staged:
        await session.run_sync(_write_staged_sync, staged)


def _write_staged_sync(session: SyncSession, staged: list[tuple[Table, dict]]) -> None:
    session.flush()  # the unit's ORM rows first, as an autoflush before the first insert did
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        keys = sorted(
            {
                serialize_lock_key(table.name, str(values[table.info[SERIALIZE_ON]]))
                for table, values in staged
                if table.info.get(SERIALIZE_ON) and values.get(table.info[SERIALIZE_ON]) is not None
            }
        )
        for key in keys:  # in one order everywhere: two writers never wait on each other crosswise
            connection.execute(_ADVISORY_LOCK, {"key": key})
    start = 0
    while start < len(staged):
        table = staged[start][0]
        end = start
        while end < len(staged) and staged[end][0] is table:
            end += 1
        connection.execute(_insert_of(table), [values for _, values in staged[start:end]])
        start = end


_ADVISORY_LOCK = text("SELECT pg_advisory_xact_lock(:key)")
_INSERTS: dict[Table, Insert] = {}


def _insert_of(table: Table) -> Insert:
    # One statement object per table, built once rather than per unit of work.
    statement = _INSERTS.get(table)
    if statement is None:
        statement = _INSERTS[table] = table.insert()
    return statement


SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


async def _request_session(request: Request) -> AsyncIterator[AsyncSession]:
    # GET and HEAD only read (their audit rows are staged and written straight after).
    async with request.app.state.database.unit_of_work(read_only=request.method in SAFE_METHODS) as session:
        yield session


# scope="function": the commit happens before the response is sent, so a 2xx means it is stored.
Session = Annotated[AsyncSession, Depends(_request_session, scope="function")]
