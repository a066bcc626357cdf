"""A driver shim that runs SQLite calls inline on the event loop, for SQLAlchemy's aiosqlite dialect.

aiosqlite hands every call (cursor, execute, fetch, close, commit) to a thread and back: about 0.2 ms
each on a small VM, which made each SQLite request cost 3-4 ms of hand-offs for ~0.1 ms of work.
SQLite on a local file in WAL mode answers in microseconds, so the calls run inline instead.

Why this is safe here: `Database` queues this process's write transactions itself (no SQLite lock
waits within a process) and read-only units of work never wait in WAL mode. Only another process
writing the same file (a CLI seed during a run) can make a call wait, bounded by the busy timeout.
"""

from __future__ import annotations

import sqlite3
from typing import Any


class InlineCursor:
    def __init__(self, cursor: sqlite3.Cursor) -> None:
        self._cursor = cursor

    async def __aenter__(self) -> InlineCursor:
        return self

    async def __aexit__(self, *exc) -> None:
        self._cursor.close()

    @property
    def description(self):
        return self._cursor.description

    @property
    def rowcount(self) -> int:
        return self._cursor.rowcount

    @property
    def lastrowid(self):
        return self._cursor.lastrowid

    @property
    def arraysize(self) -> int:
        return self._cursor.arraysize

    @arraysize.setter
    def arraysize(self, value: int) -> None:
        self._cursor.arraysize = value

    async def execute(self, operation: str, parameters: Any = ()) -> InlineCursor:
        self._cursor.execute(operation, parameters)
        return self

    async def executemany(self, operation: str, seq_of_parameters: Any) -> InlineCursor:
        self._cursor.executemany(operation, seq_of_parameters)
        return self

    async def fetchone(self):
        return self._cursor.fetchone()

    async def fetchmany(self, size: int | None = None):
        return self._cursor.fetchmany(size if size is not None else self._cursor.arraysize)

    async def fetchall(self):
        return self._cursor.fetchall()

    async def setinputsizes(self, *sizes) -> None:
        return None

    async def close(self) -> None:
        self._cursor.close()

    def __aiter__(self):
        return self

    async def __anext__(self):
        row = self._cursor.fetchone()
        if row is None:
            raise StopAsyncIteration
        return row


class _ImmediateQueue:
    """Stands in for aiosqlite's job queue, which SQLAlchemy uses to set the isolation level."""

    def put_nowait(self, job) -> None:
        future, function = job
        try:
            future.set_result(function())
        except Exception as exc:
            future.set_exception(exc)


class InlineConnection:
    def __init__(self, connection: sqlite3.Connection) -> None:
        self._conn = connection
        self._connection: sqlite3.Connection | None = connection  # SQLAlchemy checks it to tell an open connection
        self._tx = _ImmediateQueue()

    @property
    def isolation_level(self):
        return self._conn.isolation_level

    def cursor(self) -> InlineCursor:
        return InlineCursor(self._conn.cursor())

    async def commit(self) -> None:
        self._conn.commit()

    async def rollback(self) -> None:
        self._conn.rollback()

    async def close(self) -> None:
        if self._connection is not None:
            self._conn.close()
            self._connection = None

    def stop(self) -> None:
        if self._connection is not None:
            self._conn.close()
            self._connection = None

    async def create_function(self, *args, **kwargs) -> None:
        self._conn.create_function(*args, **kwargs)


def inline_creator(path: str, busy_timeout_seconds: float):
    """An `async_creator` for `create_async_engine("sqlite+aiosqlite://...")`."""

    async def connect() -> InlineConnection:
        return InlineConnection(
            sqlite3.connect(path, timeout=busy_timeout_seconds, check_same_thread=False, isolation_level=None)
        )

    return connect
