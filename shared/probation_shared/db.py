"""Async SQLAlchemy per service: PostgreSQL (asyncpg) or SQLite (aiosqlite) from one URL.

A unit of work commits once per request or consumed event. Code inside a service never calls
`commit()`; it adds to the session it is given.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy import MetaData, event, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def create_base() -> type[DeclarativeBase]:
    """A declarative base with its own metadata: one per service, so services never share tables."""

    class Base(DeclarativeBase):
        metadata = MetaData(naming_convention=NAMING_CONVENTION)

    return Base


def is_sqlite(url: str) -> bool:
    return url.startswith("sqlite")


class Database:
    """The engine, the session factory and the signal that wakes the outbox relay after a commit."""

    def __init__(self, url: str, echo: bool = False, public_base_url: str = "") -> None:
        # Shared with every session (`session.info`): what event builders and handlers need of the service.
        self.context: dict = {"public_base_url": public_base_url.rstrip("/")}
        self.url = url
        kwargs: dict = {"echo": echo}
        if is_sqlite(url):
            kwargs["connect_args"] = {"timeout": 30}
        else:
            kwargs.update(pool_size=10, max_overflow=20, pool_pre_ping=True)
        self.engine: AsyncEngine = create_async_engine(url, **kwargs)
        if is_sqlite(url):
            event.listen(self.engine.sync_engine, "connect", _sqlite_connect)
            event.listen(self.engine.sync_engine, "begin", _sqlite_begin)
        self.sessions = async_sessionmaker(self.engine, expire_on_commit=False, autoflush=True)
        self._outbox_signal: asyncio.Event | None = None

    @property
    def outbox_signal(self) -> asyncio.Event:
        if self._outbox_signal is None:
            self._outbox_signal = asyncio.Event()
        return self._outbox_signal

    @asynccontextmanager
    async def unit_of_work(self) -> AsyncIterator[AsyncSession]:
        """One transaction: commits on success, rolls back on any exception."""
        async with self.sessions() as session:
            session.info.update(self.context)
            try:
                yield session
                await session.commit()
            except BaseException:
                await session.rollback()
                raise
        if session.info.pop("outbox_pending", False):
            self.outbox_signal.set()

    async def ping(self) -> None:
        async with self.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))

    async def dispose(self) -> None:
        await self.engine.dispose()


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
    # IMMEDIATE takes the write lock up front: a read-then-write transaction waits its turn
    # (busy timeout) instead of failing with SQLITE_BUSY when another writer got in first.
    conn.exec_driver_sql("BEGIN IMMEDIATE")


async def _request_session(request: Request) -> AsyncIterator[AsyncSession]:
    async with request.app.state.database.unit_of_work() as session:
        yield session


# scope="function": the commit happens before the response is sent, so a 2xx means it is stored.
Session = Annotated[AsyncSession, Depends(_request_session, scope="function")]
